/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	specs/kvstore.yaml */
/* by genlkit-codegen */

#ifndef _UAPI_LINUX_KVSTORE_H
#define _UAPI_LINUX_KVSTORE_H

#define KVSTORE_FAMILY_NAME	"kvstore"
#define KVSTORE_FAMILY_VERSION	1

/**
 * enum kvstore_entry_flags - Client-defined hints stored with an entry;
 *   undefined bits are rejected.
 * @KVSTORE_ENTRY_FLAGS_TEXT: The value is UTF-8 text.
 * @KVSTORE_ENTRY_FLAGS_COMPRESSED: The value is compressed by the client.
 */
enum kvstore_entry_flags {
	KVSTORE_ENTRY_FLAGS_TEXT = 1,
	KVSTORE_ENTRY_FLAGS_COMPRESSED = 2,
};

/**
 * enum kvstore_put_mode - How a put treats an existing or a missing entry.
 * @KVSTORE_PUT_MODE_UPSERT: Create the entry, or overwrite it when it exists
 *   (the default).
 * @KVSTORE_PUT_MODE_CREATE: Only create the entry; EEXIST when it exists.
 * @KVSTORE_PUT_MODE_REPLACE: Only overwrite the entry; ENOENT when it does not
 *   exist.
 */
enum kvstore_put_mode {
	KVSTORE_PUT_MODE_UPSERT,
	KVSTORE_PUT_MODE_CREATE,
	KVSTORE_PUT_MODE_REPLACE,
};

enum {
	KVSTORE_A_ENTRY_KEY = 1,
	KVSTORE_A_ENTRY_VALUE,
	KVSTORE_A_ENTRY_FLAGS,
	KVSTORE_A_ENTRY_GENERATION,
	KVSTORE_A_ENTRY_STATS,
	KVSTORE_A_ENTRY_PAD,
	KVSTORE_A_ENTRY_MODE,

	__KVSTORE_A_ENTRY_MAX,
	KVSTORE_A_ENTRY_MAX = (__KVSTORE_A_ENTRY_MAX - 1)
};

enum {
	KVSTORE_A_STATS_ENTRIES = 1,
	KVSTORE_A_STATS_BYTES,
	KVSTORE_A_STATS_MAX_ENTRIES,
	KVSTORE_A_STATS_MAX_BYTES,
	KVSTORE_A_STATS_ECHO_COUNT,
	KVSTORE_A_STATS_PUT_COUNT,
	KVSTORE_A_STATS_GET_COUNT,
	KVSTORE_A_STATS_DEL_COUNT,
	KVSTORE_A_STATS_DUMP_COUNT,
	KVSTORE_A_STATS_STATS_COUNT,
	KVSTORE_A_STATS_NOTIFY_SENT,
	KVSTORE_A_STATS_NOTIFY_DROPPED,
	KVSTORE_A_STATS_PAD,
	KVSTORE_A_STATS_MEMORY,

	__KVSTORE_A_STATS_MAX,
	KVSTORE_A_STATS_MAX = (__KVSTORE_A_STATS_MAX - 1)
};

enum {
	KVSTORE_CMD_ECHO = 1,
	KVSTORE_CMD_PUT,
	KVSTORE_CMD_GET,
	KVSTORE_CMD_DEL,
	KVSTORE_CMD_STATS,
	KVSTORE_CMD_NEW_NTF,
	KVSTORE_CMD_DEL_NTF,

	__KVSTORE_CMD_MAX,
	KVSTORE_CMD_MAX = (__KVSTORE_CMD_MAX - 1)
};

#define KVSTORE_MCGRP_NOTIFY	"notify"

#endif /* _UAPI_LINUX_KVSTORE_H */
