// SPDX-License-Identifier: GPL-2.0
/*
 * kvstore_ctwin: the C twin of kvstore, a benchmark peer only (not part of genlkit's product).
 *
 * A minimal Generic Netlink family written the way the kernel's ynl-gen C families are: split
 * ops, per-op policies, a dump cursor in cb->ctx. It serves kvstore's `echo` do and a
 * `get`-style dump with the same command and attribute numbers as specs/kvstore.yaml, so one
 * raw-socket loop drives both families. The dump walks N synthetic entries of kvstore's shape
 * (key "b%08u", an 8-byte value, flags), built by the `fill` do (command 8, the count in the
 * `generation` attribute) or at load by the `entries` module parameter.
 *
 * Its `put` do is kvstore's put (kmod/kvstore/handlers.rs, store.rs): same command, attributes,
 * policy, checks, limits, extack messages, reply and `new-ntf` notification, into an rbtree of
 * entries that are one allocation each (node, lengths, flags, key and value bytes together).
 * Unlike kvstore, it keeps ONE global store, not one per network namespace: enough for a
 * benchmark peer, which runs in one namespace. The put store is separate from the synthetic
 * array that `get` dumps and `fill` builds; nothing reads it but the put itself.
 */

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/rbtree.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>
#include <net/genetlink.h>
#include <net/netlink.h>

/* Numbers shared with specs/kvstore.yaml. */
enum {
	KVCT_CMD_ECHO = 1,
	KVCT_CMD_PUT = 2,
	KVCT_CMD_GET = 3,
	KVCT_CMD_NEW_NTF = 6,
	KVCT_CMD_FILL = 8,	/* the twin's own: build N synthetic entries */
	__KVCT_CMD_MAX,
};

enum {
	KVCT_A_ENTRY_KEY = 1,
	KVCT_A_ENTRY_VALUE,
	KVCT_A_ENTRY_FLAGS,
	KVCT_A_ENTRY_GENERATION,
	KVCT_A_ENTRY_STATS,
	KVCT_A_ENTRY_PAD,
	KVCT_A_ENTRY_MODE,
	__KVCT_A_ENTRY_MAX,
};

/* put-mode */
enum {
	KVCT_PUT_MODE_UPSERT,
	KVCT_PUT_MODE_CREATE,
	KVCT_PUT_MODE_REPLACE,
};

enum {
	KVCT_NLGRP_NOTIFY,
};

#define KVCT_KEY_MAX_LEN	255
#define KVCT_VALUE_MAX_LEN	65000
#define KVCT_FLAGS_MASK		0x3
#define KVCT_KEY_LEN		9	/* "b%08u" */
#define KVCT_VALUE_LEN		8

/* kvstore's GFP_STORE (kmod/genl/alloc.rs): charged to the sender, fails rather than OOM-kills. */
#define KVCT_GFP_STORE	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

static unsigned int entries;
module_param(entries, uint, 0444);
MODULE_PARM_DESC(entries, "Synthetic entries to build at load (the fill op rebuilds them)");

/*
 * kvstore's per-namespace limits and defaults. Its module-wide max_total_* have nothing to add
 * over one global store (their defaults are larger), so the twin has only these two.
 */
static unsigned long long max_entries = 1100000;
module_param(max_entries, ullong, 0444);
MODULE_PARM_DESC(max_entries, "Most entries the put store holds");
static unsigned long long max_bytes = 256ULL << 20;
module_param(max_bytes, ullong, 0444);
MODULE_PARM_DESC(max_bytes, "Most bytes of memory the put store's entries occupy");

struct kvct_entry {
	char key[KVCT_KEY_LEN + 1];
	u8 value[KVCT_VALUE_LEN];
	u32 flags;
};

static DEFINE_MUTEX(kvct_lock);
static struct kvct_entry *kvct_entries;	/* sorted by key, as kvstore's dump is */
static u32 kvct_count;
static u32 kvct_generation;
static atomic64_t kvct_echo_count;
static struct genl_family kvct_nl_family;

/* One entry of the put store: ONE allocation, the key and value bytes inline after it. */
struct kvct_node {
	struct rb_node rb;
	u32 flags;
	u16 key_len;		/* at most KVCT_KEY_MAX_LEN */
	u16 value_len;		/* at most KVCT_VALUE_MAX_LEN */
	u8 data[];		/* key_len key bytes, then value_len value bytes */
};

/* The put store: one for the whole module (kvstore has one per network namespace). */
static struct {
	struct mutex lock;
	struct rb_root root;	/* of kvct_node, by key (bytes, then length, as kvstore's Key) */
	u64 entries;
	u64 bytes;		/* of keys and values */
	u64 memory;		/* what the nodes occupy, as the allocator sizes them */
	u64 generation;		/* bumped on every change */
} kvct_store = {
	.lock = __MUTEX_INITIALIZER(kvct_store.lock),
	.root = RB_ROOT,
};

/* kvstore's counters that a put bumps; nothing reads them (the twin has no stats op). */
static atomic64_t kvct_put_count;
static atomic64_t kvct_notify_sent;
static atomic64_t kvct_notify_dropped;

/* KVCT_CMD_ECHO - do */
static const struct nla_policy kvct_echo_nl_policy[KVCT_A_ENTRY_GENERATION + 1] = {
	[KVCT_A_ENTRY_KEY] = { .type = NLA_NUL_STRING, .len = KVCT_KEY_MAX_LEN, },
	[KVCT_A_ENTRY_VALUE] = { .type = NLA_BINARY, .len = KVCT_VALUE_MAX_LEN, },
	[KVCT_A_ENTRY_FLAGS] = NLA_POLICY_MASK(NLA_U32, KVCT_FLAGS_MASK),
	[KVCT_A_ENTRY_GENERATION] = { .type = NLA_U64, },
};

/* KVCT_CMD_PUT - do */
static const struct nla_policy kvct_put_nl_policy[KVCT_A_ENTRY_MODE + 1] = {
	[KVCT_A_ENTRY_KEY] = { .type = NLA_NUL_STRING, .len = KVCT_KEY_MAX_LEN, },
	[KVCT_A_ENTRY_VALUE] = { .type = NLA_BINARY, .len = KVCT_VALUE_MAX_LEN, },
	[KVCT_A_ENTRY_FLAGS] = NLA_POLICY_MASK(NLA_U32, KVCT_FLAGS_MASK),
	[KVCT_A_ENTRY_MODE] = NLA_POLICY_MAX(NLA_U32, KVCT_PUT_MODE_REPLACE),
};

/* KVCT_CMD_GET - dump */
static const struct nla_policy kvct_get_dump_nl_policy[KVCT_A_ENTRY_KEY + 1] = {
	[KVCT_A_ENTRY_KEY] = { .type = NLA_NUL_STRING, .len = KVCT_KEY_MAX_LEN, },
};

/* KVCT_CMD_FILL - do */
static const struct nla_policy kvct_fill_nl_policy[KVCT_A_ENTRY_GENERATION + 1] = {
	[KVCT_A_ENTRY_GENERATION] = { .type = NLA_U64, },
};

static int kvct_echo_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *key = info->attrs[KVCT_A_ENTRY_KEY];
	struct nlattr *value = info->attrs[KVCT_A_ENTRY_VALUE];
	struct sk_buff *rsp;
	void *hdr;
	size_t size;

	atomic64_inc(&kvct_echo_count);
	size = (key ? nla_total_size(nla_len(key)) : 0) +
	       (value ? nla_total_size(nla_len(value)) : 0) +
	       3 * nla_total_size(8);
	rsp = genlmsg_new(size, GFP_KERNEL);
	if (!rsp)
		return -ENOMEM;
	hdr = genlmsg_iput(rsp, info);
	if (!hdr)
		goto err_free;
	if (key && nla_put(rsp, KVCT_A_ENTRY_KEY, nla_len(key), nla_data(key)))
		goto err_free;
	if (value && nla_put(rsp, KVCT_A_ENTRY_VALUE, nla_len(value), nla_data(value)))
		goto err_free;
	if (info->attrs[KVCT_A_ENTRY_FLAGS] &&
	    nla_put_u32(rsp, KVCT_A_ENTRY_FLAGS, nla_get_u32(info->attrs[KVCT_A_ENTRY_FLAGS])))
		goto err_free;
	if (info->attrs[KVCT_A_ENTRY_GENERATION] &&
	    nla_put_u64_64bit(rsp, KVCT_A_ENTRY_GENERATION,
			      nla_get_u64(info->attrs[KVCT_A_ENTRY_GENERATION]), KVCT_A_ENTRY_PAD))
		goto err_free;
	genlmsg_end(rsp, hdr);
	return genlmsg_reply(rsp, info);

err_free:
	nlmsg_free(rsp);
	return -EMSGSIZE;
}

/* Room for the attributes of an entry message (kvstore's entry_size()), beyond the headers. */
static size_t kvct_entry_msg_size(size_t key_len, size_t value_len)
{
	return nla_total_size(key_len + 1) + nla_total_size(value_len) + nla_total_size(4) +
	       2 * nla_total_size(8);
}

static int kvct_put_entry_attrs(struct sk_buff *msg, const char *key, const struct nlattr *value,
				u32 flags, u64 generation)
{
	if (nla_put_string(msg, KVCT_A_ENTRY_KEY, key) ||
	    nla_put(msg, KVCT_A_ENTRY_VALUE, nla_len(value), nla_data(value)) ||
	    nla_put_u32(msg, KVCT_A_ENTRY_FLAGS, flags) ||
	    nla_put_u64_64bit(msg, KVCT_A_ENTRY_GENERATION, generation, KVCT_A_ENTRY_PAD))
		return -EMSGSIZE;
	return 0;
}

/* The memory a node occupies: what kmalloc hands out for it (kvstore's footprint()). */
static u64 kvct_node_memory(size_t key_len, size_t value_len)
{
	return kmalloc_size_roundup(struct_size_t(struct kvct_node, data, key_len + value_len));
}

/* Keys compare as byte strings, a prefix first: kvstore's Key order. */
static int kvct_key_cmp(const struct kvct_node *a, const struct kvct_node *b)
{
	int cmp = memcmp(a->data, b->data, min(a->key_len, b->key_len));

	return cmp ?: (int)a->key_len - (int)b->key_len;
}

/*
 * Inserts @node or replaces the entry with its key, as @mode allows and within the limits, and
 * sets *@generation to the new generation; or fails with the extack message set. The caller
 * holds the lock and frees *@replaced.
 */
static int kvct_store_put(struct kvct_node *node, u32 mode, struct genl_info *info,
			  u64 *generation, struct kvct_node **replaced)
{
	struct rb_node **link = &kvct_store.root.rb_node, *parent = NULL;
	u64 new_memory = kvct_node_memory(node->key_len, node->value_len);
	u64 new_size = node->key_len + node->value_len;
	u64 old_memory = 0, old_size = 0;
	struct kvct_node *old = NULL;

	lockdep_assert_held(&kvct_store.lock);
	while (*link) {
		struct kvct_node *e = rb_entry(*link, struct kvct_node, rb);
		int cmp = kvct_key_cmp(node, e);

		parent = *link;
		if (cmp < 0) {
			link = &parent->rb_left;
		} else if (cmp > 0) {
			link = &parent->rb_right;
		} else {
			old = e;
			break;
		}
	}
	if (old) {
		if (mode == KVCT_PUT_MODE_CREATE) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KVCT_A_ENTRY_KEY],
					    "entry exists (mode create)");
			return -EEXIST;
		}
		old_size = old->key_len + old->value_len;
		old_memory = kvct_node_memory(old->key_len, old->value_len);
	} else {
		if (mode == KVCT_PUT_MODE_REPLACE) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KVCT_A_ENTRY_KEY],
					    "entry does not exist (mode replace)");
			return -ENOENT;
		}
		if (kvct_store.entries + 1 > max_entries) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KVCT_A_ENTRY_KEY],
					    "store is full (max_entries reached)");
			return -ENOSPC;
		}
	}
	if (kvct_store.memory - old_memory + new_memory > max_bytes) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KVCT_A_ENTRY_VALUE],
				    "store is full (max_bytes reached)");
		return -ENOSPC;
	}

	if (old) {
		rb_replace_node(&old->rb, &node->rb, &kvct_store.root);
	} else {
		rb_link_node(&node->rb, parent, link);
		rb_insert_color(&node->rb, &kvct_store.root);
		kvct_store.entries++;
	}
	kvct_store.bytes = kvct_store.bytes - old_size + new_size;
	kvct_store.memory = kvct_store.memory - old_memory + new_memory;
	*generation = ++kvct_store.generation;
	*replaced = old;
	return 0;
}

/* Multicasts new-ntf if anyone listens, and counts what happened (kvstore's notify()). */
static void kvct_notify_new(struct net *net, const char *key, const struct nlattr *value,
			    u32 flags, u64 generation, size_t size)
{
	struct sk_buff *ntf;
	void *hdr;
	int err;

	if (!genl_has_listeners(&kvct_nl_family, net, KVCT_NLGRP_NOTIFY))
		return;
	ntf = genlmsg_new(size, GFP_KERNEL);
	if (!ntf)
		goto dropped;
	hdr = genlmsg_put(ntf, 0, 0, &kvct_nl_family, 0, KVCT_CMD_NEW_NTF);
	if (!hdr || kvct_put_entry_attrs(ntf, key, value, flags, generation)) {
		nlmsg_free(ntf);
		goto dropped;
	}
	genlmsg_end(ntf, hdr);
	err = genlmsg_multicast_netns(&kvct_nl_family, net, ntf, 0, KVCT_NLGRP_NOTIFY, GFP_KERNEL);
	if (!err)
		atomic64_inc(&kvct_notify_sent);
	else if (err != -ESRCH)	/* -ESRCH: the last listener left since we checked */
		goto dropped;
	return;

dropped:
	atomic64_inc(&kvct_notify_dropped);
}

/* A missing required attribute: its type and a message, as kvstore's genl layer reports it. */
static bool kvct_attr_missing(struct genl_info *info, u32 type)
{
	if (!GENL_REQ_ATTR_CHECK(info, type))
		return false;
	NL_SET_ERR_MSG(info->extack, "missing required attribute");
	return true;
}

static int kvct_put_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kvct_node *node, *replaced = NULL;
	u32 mode = KVCT_PUT_MODE_UPSERT;
	size_t key_len, value_len, size;
	const struct nlattr *value;
	struct sk_buff *rsp;
	const char *key;
	u64 generation;
	u32 flags = 0;
	void *hdr;
	int err;

	atomic64_inc(&kvct_put_count);
	if (kvct_attr_missing(info, KVCT_A_ENTRY_KEY))
		return -EINVAL;
	key = nla_data(info->attrs[KVCT_A_ENTRY_KEY]);
	key_len = strlen(key);	/* the policy found a NUL within KVCT_KEY_MAX_LEN + 1 bytes */
	if (!key_len) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KVCT_A_ENTRY_KEY],
				    "key must not be empty");
		return -EINVAL;
	}
	if (kvct_attr_missing(info, KVCT_A_ENTRY_VALUE))
		return -EINVAL;
	value = info->attrs[KVCT_A_ENTRY_VALUE];
	value_len = nla_len(value);
	if (info->attrs[KVCT_A_ENTRY_FLAGS])
		flags = nla_get_u32(info->attrs[KVCT_A_ENTRY_FLAGS]);
	if (info->attrs[KVCT_A_ENTRY_MODE])
		mode = nla_get_u32(info->attrs[KVCT_A_ENTRY_MODE]);	/* the policy bounds it */

	/*
	 * Everything that can fail is allocated before the change, as kvstore does: the entry,
	 * charged to the sender's memory cgroup, then the reply.
	 */
	node = kmalloc(struct_size(node, data, key_len + value_len), KVCT_GFP_STORE);
	if (!node) {
		NL_SET_ERR_MSG_ATTR(info->extack, value, "cannot store the value (out of memory)");
		return -ENOMEM;
	}
	node->flags = flags;
	node->key_len = key_len;
	node->value_len = value_len;
	memcpy(node->data, key, key_len);
	memcpy(node->data + key_len, nla_data(value), value_len);

	size = kvct_entry_msg_size(key_len, value_len);
	rsp = genlmsg_new(size, GFP_KERNEL);
	if (!rsp) {
		err = -ENOMEM;
		goto err_free_node;
	}
	hdr = genlmsg_iput(rsp, info);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free_rsp;
	}

	mutex_lock(&kvct_store.lock);
	err = kvct_store_put(node, mode, info, &generation, &replaced);
	if (err) {
		mutex_unlock(&kvct_store.lock);
		goto err_free_rsp;
	}
	/* Under the lock, so that listeners see changes in generation order. */
	kvct_notify_new(genl_info_net(info), key, value, flags, generation, size);
	mutex_unlock(&kvct_store.lock);
	kfree(replaced);

	/* Sized for it: cannot fail. From the request: the node may be replaced by now. */
	if (WARN_ON_ONCE(kvct_put_entry_attrs(rsp, key, value, flags, generation))) {
		nlmsg_free(rsp);
		return -EMSGSIZE;
	}
	genlmsg_end(rsp, hdr);
	return genlmsg_reply(rsp, info);

err_free_rsp:
	nlmsg_free(rsp);
err_free_node:
	kfree(node);
	return err;
}

/* Frees the put store's entries (module exit: nothing can reach them any more). */
static void kvct_store_free(void)
{
	struct kvct_node *node, *next;
	unsigned int freed = 0;

	rbtree_postorder_for_each_entry_safe(node, next, &kvct_store.root, rb) {
		kfree(node);
		if (++freed % 1024 == 0)
			cond_resched();
	}
	kvct_store.root = RB_ROOT;
	kvct_store.entries = 0;
	kvct_store.bytes = 0;
	kvct_store.memory = 0;
}

static int kvct_fill(u32 n)
{
	struct kvct_entry *new = NULL, *old;
	u32 i;

	if (n) {
		new = kvmalloc_array(n, sizeof(*new), GFP_KERNEL);
		if (!new)
			return -ENOMEM;
		for (i = 0; i < n; i++) {
			snprintf(new[i].key, sizeof(new[i].key), "b%08u", i);
			/* kvtest's values: the index's little-endian bytes, repeated */
			put_unaligned_le32(i, &new[i].value[0]);
			put_unaligned_le32(i, &new[i].value[4]);
			new[i].flags = 0;
		}
	}
	mutex_lock(&kvct_lock);
	old = kvct_entries;
	kvct_entries = new;
	kvct_count = n;
	kvct_generation++;
	mutex_unlock(&kvct_lock);
	kvfree(old);
	return 0;
}

static int kvct_fill_doit(struct sk_buff *skb, struct genl_info *info)
{
	u64 n;

	if (GENL_REQ_ATTR_CHECK(info, KVCT_A_ENTRY_GENERATION))
		return -EINVAL;
	n = nla_get_u64(info->attrs[KVCT_A_ENTRY_GENERATION]);
	if (n > 16 * 1000 * 1000) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KVCT_A_ENTRY_GENERATION],
				    "at most 16M entries");
		return -ERANGE;
	}
	return kvct_fill(n);
}

/* The dump cursor, kept in cb->ctx between rounds. */
struct kvct_dump_ctx {
	u32 index;		/* next entry to send */
	u32 prefix_len;
	const char *prefix;	/* points into the request, which outlives the dump */
};

static int kvct_get_dump_start(struct netlink_callback *cb)
{
	struct kvct_dump_ctx *ctx = (void *)cb->ctx;
	const struct genl_info *info = genl_info_dump(cb);

	NL_ASSERT_CTX_FITS(struct kvct_dump_ctx);
	ctx->index = 0;
	ctx->prefix = NULL;
	ctx->prefix_len = 0;
	if (info->attrs[KVCT_A_ENTRY_KEY]) {
		ctx->prefix = nla_data(info->attrs[KVCT_A_ENTRY_KEY]);
		ctx->prefix_len = strlen(ctx->prefix);
	}
	/* The largest entry must fit one message, as kvstore's MIN_DUMP_ALLOC says. */
	cb->min_dump_alloc = max_t(u32, cb->min_dump_alloc,
				   NLMSG_HDRLEN + GENL_HDRLEN + nla_total_size(KVCT_KEY_MAX_LEN + 1) +
				   nla_total_size(KVCT_VALUE_MAX_LEN) + nla_total_size(4));
	return 0;
}

static int kvct_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kvct_dump_ctx *ctx = (void *)cb->ctx;
	int err = 0;

	mutex_lock(&kvct_lock);
	cb->seq = kvct_generation + 1;
	for (; ctx->index < kvct_count; ctx->index++) {
		const struct kvct_entry *e = &kvct_entries[ctx->index];
		void *hdr;

		if (ctx->prefix_len && strncmp(e->key, ctx->prefix, ctx->prefix_len))
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &kvct_nl_family, NLM_F_MULTI, KVCT_CMD_GET);
		if (!hdr) {
			err = -EMSGSIZE;
			break;
		}
		genl_dump_check_consistent(cb, hdr);
		if (nla_put_string(skb, KVCT_A_ENTRY_KEY, e->key) ||
		    nla_put(skb, KVCT_A_ENTRY_VALUE, KVCT_VALUE_LEN, e->value) ||
		    nla_put_u32(skb, KVCT_A_ENTRY_FLAGS, e->flags)) {
			genlmsg_cancel(skb, hdr);
			err = -EMSGSIZE;
			break;
		}
		genlmsg_end(skb, hdr);
	}
	mutex_unlock(&kvct_lock);
	/* As the core's dump helpers do: a full skb with something in it means "call again". */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err;
}

static const struct genl_split_ops kvct_nl_ops[] = {
	{
		.cmd		= KVCT_CMD_ECHO,
		.doit		= kvct_echo_doit,
		.policy		= kvct_echo_nl_policy,
		.maxattr	= KVCT_A_ENTRY_GENERATION,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KVCT_CMD_PUT,
		.doit		= kvct_put_doit,
		.policy		= kvct_put_nl_policy,
		.maxattr	= KVCT_A_ENTRY_MODE,
		.flags		= GENL_UNS_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= KVCT_CMD_GET,
		.start		= kvct_get_dump_start,
		.dumpit		= kvct_get_dumpit,
		.policy		= kvct_get_dump_nl_policy,
		.maxattr	= KVCT_A_ENTRY_KEY,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= KVCT_CMD_FILL,
		.doit		= kvct_fill_doit,
		.policy		= kvct_fill_nl_policy,
		.maxattr	= KVCT_A_ENTRY_GENERATION,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

static const struct genl_multicast_group kvct_nl_mcgrps[] = {
	[KVCT_NLGRP_NOTIFY] = { .name = "notify", },
};

static struct genl_family kvct_nl_family __ro_after_init = {
	.name		= "kvctwin",
	.version	= 1,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= kvct_nl_ops,
	.n_split_ops	= ARRAY_SIZE(kvct_nl_ops),
	.mcgrps		= kvct_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(kvct_nl_mcgrps),
	/* resv_start_op 0, as kvstore's: the core checks every request's header. */
};

static int __init kvct_init(void)
{
	int err = kvct_fill(entries);

	if (err)
		return err;
	err = genl_register_family(&kvct_nl_family);
	if (err)
		kvct_fill(0);
	return err;
}

static void __exit kvct_exit(void)
{
	genl_unregister_family(&kvct_nl_family);
	kvct_fill(0);
	kvct_store_free();
}

module_init(kvct_init);
module_exit(kvct_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("genlkit benchmark peer: kvstore's echo, put and get dump, in C");
