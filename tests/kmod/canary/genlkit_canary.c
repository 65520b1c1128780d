// SPDX-License-Identifier: GPL-2.0
/*
 * genlkit_canary: plants the faults the in-guest harness must catch, so that each of its
 * checkers is seen to fail (tests/guest/run, "harness" unit):
 *
 *   kunit_fail=1  its KUnit suite has a failing case  -> the KUnit count reports "not ok"
 *   warn=1        a WARN() at load                    -> the kernel-log scan finds a splat
 *   leak=1        allocations whose last reference is dropped at load
 *                                                     -> kmemleak reports it
 *
 * With no parameter it loads cleanly and its two KUnit cases pass.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/slab.h>

static bool kunit_fail;
module_param(kunit_fail, bool, 0444);
MODULE_PARM_DESC(kunit_fail, "make the KUnit case 'fails_when_asked' fail");

static bool warn;
module_param(warn, bool, 0444);
MODULE_PARM_DESC(warn, "WARN() once at load");

static bool leak;
module_param(leak, bool, 0444);
MODULE_PARM_DESC(leak, "leak 16 allocations of 256 bytes at load");

/*
 * Where each leaked block's only reference lives until it is dropped. Stale copies of a
 * pointer can survive where kmemleak still looks (a cached task stack; SLUB's per-CPU sheaves,
 * which scripts/vm turns off with slab_debug=U), so several blocks are leaked and the harness
 * expects kmemleak to report at least one.
 */
static void *volatile leak_slot;

static void canary_passes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 1 + 1, 2);
}

static void canary_fails_when_asked(struct kunit *test)
{
	KUNIT_EXPECT_FALSE_MSG(test, kunit_fail, "planted failure (kunit_fail=1)");
}

static struct kunit_case canary_cases[] = {
	KUNIT_CASE(canary_passes),
	KUNIT_CASE(canary_fails_when_asked),
	{}
};

static struct kunit_suite canary_suite = {
	.name = "genlkit_canary",
	.test_cases = canary_cases,
};
kunit_test_suite(canary_suite);

static int __init canary_init(void)
{
	WARN(warn, "genlkit_canary: planted warning (warn=1)\n");
	for (int i = 0; leak && i < 16; i++) {
		leak_slot = kzalloc(256, GFP_KERNEL);
		/* what kmemleak's hex dump of the block shows: no pointer inside */
		if (leak_slot)
			strscpy(leak_slot, "genlkit-canary-leak", 256);
		leak_slot = NULL;
	}
	return 0;
}

static void __exit canary_exit(void)
{
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("genlkit test-only module: planted faults for the harness's checkers");
MODULE_LICENSE("GPL");
