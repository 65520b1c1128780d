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
 */

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/unaligned.h>
#include <linux/vmalloc.h>
#include <net/genetlink.h>
#include <net/netlink.h>

/* Numbers shared with specs/kvstore.yaml. */
enum {
	KVCT_CMD_ECHO = 1,
	KVCT_CMD_GET = 3,
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
	__KVCT_A_ENTRY_MAX,
};

#define KVCT_KEY_MAX_LEN	255
#define KVCT_VALUE_MAX_LEN	65000
#define KVCT_FLAGS_MASK		0x3
#define KVCT_KEY_LEN		9	/* "b%08u" */
#define KVCT_VALUE_LEN		8

static unsigned int entries;
module_param(entries, uint, 0444);
MODULE_PARM_DESC(entries, "Synthetic entries to build at load (the fill op rebuilds them)");

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

/* KVCT_CMD_ECHO - do */
static const struct nla_policy kvct_echo_nl_policy[KVCT_A_ENTRY_GENERATION + 1] = {
	[KVCT_A_ENTRY_KEY] = { .type = NLA_NUL_STRING, .len = KVCT_KEY_MAX_LEN, },
	[KVCT_A_ENTRY_VALUE] = { .type = NLA_BINARY, .len = KVCT_VALUE_MAX_LEN, },
	[KVCT_A_ENTRY_FLAGS] = NLA_POLICY_MASK(NLA_U32, KVCT_FLAGS_MASK),
	[KVCT_A_ENTRY_GENERATION] = { .type = NLA_U64, },
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

static struct genl_family kvct_nl_family __ro_after_init = {
	.name		= "kvctwin",
	.version	= 1,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= kvct_nl_ops,
	.n_split_ops	= ARRAY_SIZE(kvct_nl_ops),
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
}

module_init(kvct_init);
module_exit(kvct_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("genlkit benchmark peer: kvstore's echo and get dump, in C");
