/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	specs/counters.yaml */
/* by genlkit-codegen */

#ifndef _UAPI_LINUX_COUNTERS_H
#define _UAPI_LINUX_COUNTERS_H

#define COUNTERS_FAMILY_NAME	"counters"
#define COUNTERS_FAMILY_VERSION	1

enum {
	COUNTERS_A_COUNTER_NAME = 1,
	COUNTERS_A_COUNTER_VALUE,
	COUNTERS_A_COUNTER_DELTA,
	COUNTERS_A_COUNTER_PAD,

	__COUNTERS_A_COUNTER_MAX,
	COUNTERS_A_COUNTER_MAX = (__COUNTERS_A_COUNTER_MAX - 1)
};

enum {
	COUNTERS_CMD_ADD = 1,
	COUNTERS_CMD_GET,
	COUNTERS_CMD_CHANGED_NTF,

	__COUNTERS_CMD_MAX,
	COUNTERS_CMD_MAX = (__COUNTERS_CMD_MAX - 1)
};

#define COUNTERS_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_COUNTERS_H */
