// SPDX-License-Identifier: GPL-2.0
/*
 * tdxsim - what userspace can see of an Intel TDX host, for tdxmemd tests.
 *
 * A TCG guest has no SEAM mode, and Debian's kernel is built without
 * CONFIG_INTEL_TDX_HOST, so nothing in the guest behaves like a TDX host.
 * This module reproduces the two things a memory policy agent can observe
 * on a real one (arch/x86/virt/vmx/tdx/tdx.c):
 *
 *  - the kernel log lines, with the same "virt/tdx: " prefix and format:
 *    "BIOS enabled: private KeyID range [%u, %u)" from tdx_init(),
 *    "CMR: [0x%llx, 0x%llx)" as printed by kernels carrying the TDX
 *    info-dump patches, and "module initialized" /
 *    "module initialization failed (%d)" from __tdx_enable();
 *
 *  - the memory hotplug notifier: once the module is initialized, a
 *    MEM_GOING_ONLINE event is refused (NOTIFY_BAD, EPERM for the writer of
 *    memoryN/state) unless [start_pfn, start_pfn + nr_pages) lies inside ONE
 *    entry of the TDX memory list (tdx_memory_notifier() and
 *    is_tdx_memory()).  While the list is empty (not initialized, or init
 *    failed) everything is allowed.
 *
 * The TDX memory list is a snapshot of memblock RAM taken at module init,
 * minus the first 1 MiB (build_tdx_memlist()).  x86 keeps memblock after
 * boot and memory hot-added by dax_kmem is added to it, so memory that went
 * online before init is part of the list.  The simulator takes the same
 * snapshot from the "System RAM" resources (which include "System RAM
 * (kmem)"), merged where adjacent as memblock merges them, unless the
 * memlist parameter names the list explicitly.
 *
 * Writing "initialized" to the state parameter while it reads "bios"
 * performs the late initialization that kvm_intel (tdx=1) triggers on
 * v6.16 to v7.1: the memory list is snapshotted then, and if CMRs were
 * given and the list is not covered by them, initialization fails with
 * -EIO as TDH.SYS.CONFIG would, leaving TDX unusable until reboot.
 *
 * timing=boot models newer kernels, which initialize the module at boot
 * (a subsys_initcall in tdx.c): loaded with state=initialized before any
 * CXL module, it prints their "TDX-Module initialized" /
 * "TDX-Module initialization failed (%d)" lines instead.  On kernels with
 * the faux bus (v6.14+), a successful initialization also creates
 * /sys/devices/faux/tdx_host with a "version" attribute, as the tdx_host
 * driver does once the module is up (drivers/virt/coco/tdx-host).
 *
 * refuse_nth=N refuses the Nth MEM_GOING_ONLINE from now, whatever the
 * range, once: a test can make block k of n fail in one online.
 */

#define pr_fmt(fmt) "virt/tdx: " fmt

#include <linux/delay.h>
#include <linux/version.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 14, 0)
#include <linux/device/faux.h>
#define TDXSIM_HAVE_FAUX 1
#endif
#include <linux/ioport.h>
#include <linux/kernel.h>
#include <linux/memory.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/pfn.h>
#include <linux/sizes.h>
#include <linux/string.h>

/* TDX allows at most 32 CMRs; the memory list of a test guest is short. */
#define TDXSIM_MAX_RANGES 32

/* The KeyID split of a typical platform: 15 MKTME KeyIDs, 48 TDX KeyIDs. */
#define TDXSIM_KEYID_START 16
#define TDXSIM_KEYID_END 64

struct tdxsim_range {
	u64 start; /* bytes, inclusive */
	u64 end;   /* bytes, exclusive */
};

struct tdxsim_list {
	unsigned int n;
	struct tdxsim_range r[TDXSIM_MAX_RANGES];
};

enum tdxsim_state {
	TDXSIM_BIOS,
	TDXSIM_INITIALIZED,
	TDXSIM_FAILED,
};

static const char *const tdxsim_state_names[] = {
	[TDXSIM_BIOS] = "bios",
	[TDXSIM_INITIALIZED] = "initialized",
	[TDXSIM_FAILED] = "failed",
};

/* Serializes the notifier against a late state change. */
static DEFINE_MUTEX(tdxsim_lock);
static enum tdxsim_state tdxsim_state = TDXSIM_BIOS;
static bool tdxsim_loaded;
static struct tdxsim_list tdxsim_cmrs;
static struct tdxsim_list tdxsim_memlist; /* empty unless initialized */

static char *cmrs = "";
module_param(cmrs, charp, 0444);
MODULE_PARM_DESC(cmrs, "CMRs to print, \"START-END,...\" (END exclusive)");

static char *memlist = "";
module_param(memlist, charp, 0444);
MODULE_PARM_DESC(memlist,
		 "TDX memory list, \"START-END,...\"; default: System RAM at init");

static unsigned int delay_ms;
module_param(delay_ms, uint, 0644);
MODULE_PARM_DESC(delay_ms, "sleep in every MEM_GOING_ONLINE, milliseconds");

static unsigned int refuse_nth;
module_param(refuse_nth, uint, 0644);
MODULE_PARM_DESC(refuse_nth, "refuse the Nth MEM_GOING_ONLINE from now, once (0: off)");

static char *timing = "late";
module_param(timing, charp, 0444);
MODULE_PARM_DESC(timing, "late (kvm_intel-time init lines) | boot (boot-time init lines)");

static char *version = "1.5.16";
module_param(version, charp, 0444);
MODULE_PARM_DESC(version, "what /sys/devices/faux/tdx_host/version reads");

static unsigned int refusals;
module_param(refusals, uint, 0444);
MODULE_PARM_DESC(refusals, "MEM_GOING_ONLINE events refused so far");

/* "A-B[,A-B...]" with numbers in any base kstrtoull accepts. */
static int tdxsim_parse_list(const char *s, struct tdxsim_list *ret)
{
	struct tdxsim_list l = { 0 };
	char *buf, *cur, *tok;
	int err = 0;

	buf = kstrdup(s, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;

	cur = strim(buf);
	while ((tok = strsep(&cur, ",")) != NULL) {
		char *dash;
		u64 a, b;

		tok = strim(tok);
		if (!*tok)
			continue;
		dash = strchr(tok, '-');
		if (!dash) {
			err = -EINVAL;
			break;
		}
		*dash = '\0';
		err = kstrtoull(strim(tok), 0, &a);
		if (!err)
			err = kstrtoull(strim(dash + 1), 0, &b);
		if (err)
			break;
		if (b <= a || l.n == TDXSIM_MAX_RANGES) {
			err = -EINVAL;
			break;
		}
		l.r[l.n].start = a;
		l.r[l.n].end = b;
		l.n++;
	}
	kfree(buf);
	if (!err)
		*ret = l;
	return err;
}

static int tdxsim_add_ram(struct resource *res, void *arg)
{
	struct tdxsim_list *l = arg;
	/* build_tdx_memlist(): the first 1 MiB is never TDX memory. */
	u64 start = max_t(u64, res->start, SZ_1M);
	u64 end = res->end + 1;

	if (start >= end)
		return 0;
	/* memblock merges adjacent regions; so does the snapshot. */
	if (l->n && l->r[l->n - 1].end == start) {
		l->r[l->n - 1].end = end;
		return 0;
	}
	if (l->n == TDXSIM_MAX_RANGES)
		return -ENOSPC;
	l->r[l->n].start = start;
	l->r[l->n].end = end;
	l->n++;
	return 0;
}

static int tdxsim_snapshot_ram(struct tdxsim_list *ret)
{
	struct tdxsim_list l = { 0 };
	int err;

	err = walk_iomem_res_desc(IORES_DESC_NONE,
				  IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, 0,
				  U64_MAX, &l, tdxsim_add_ram);
	if (err && err != -EINVAL) /* -EINVAL: no RAM found at all */
		return err;
	if (!l.n)
		return -ENODATA;
	*ret = l;
	return 0;
}

/* Is [start, end) inside one entry of @l? */
static bool tdxsim_inside_one(const struct tdxsim_list *l, u64 start, u64 end)
{
	unsigned int i;

	for (i = 0; i < l->n; i++)
		if (start >= l->r[i].start && end <= l->r[i].end)
			return true;
	return false;
}

/*
 * TDH.SYS.CONFIG refuses TDMRs that cover memory outside the CMRs.  With
 * no CMRs given the simulator has nothing to check against and accepts.
 */
static bool tdxsim_memlist_convertible(const struct tdxsim_list *ml)
{
	unsigned int i;

	if (!tdxsim_cmrs.n)
		return true;
	for (i = 0; i < ml->n; i++)
		if (!tdxsim_inside_one(&tdxsim_cmrs, ml->r[i].start,
				       ml->r[i].end))
			return false;
	return true;
}

#ifdef TDXSIM_HAVE_FAUX
static struct faux_device *tdxsim_host;

static ssize_t version_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", version);
}
static DEVICE_ATTR_RO(version);

static struct attribute *tdxsim_host_attrs[] = {
	&dev_attr_version.attr,
	NULL,
};
ATTRIBUTE_GROUPS(tdxsim_host);

static void tdxsim_host_create(void)
{
	tdxsim_host = faux_device_create_with_groups("tdx_host", NULL, NULL,
						     tdxsim_host_groups);
	if (!tdxsim_host)
		printk(KERN_ERR "tdxsim: cannot create faux tdx_host\n");
}

static void tdxsim_host_destroy(void)
{
	if (tdxsim_host)
		faux_device_destroy(tdxsim_host);
}
#else
static void tdxsim_host_create(void) { }
static void tdxsim_host_destroy(void) { }
#endif

static bool tdxsim_boot_timing(void)
{
	return !strcmp(timing, "boot");
}

static void tdxsim_print_failed(int err)
{
	if (tdxsim_boot_timing())
		pr_err("TDX-Module initialization failed (%d)\n", err);
	else
		pr_err("module initialization failed (%d)\n", err);
}

/* Called with tdxsim_lock held; mirrors __tdx_enable(). */
static void tdxsim_initialize(void)
{
	struct tdxsim_list ml;
	int err;

	if (*memlist)
		err = tdxsim_parse_list(memlist, &ml);
	else
		err = tdxsim_snapshot_ram(&ml);
	if (!err && !tdxsim_memlist_convertible(&ml))
		err = -EIO;
	if (err) {
		tdxsim_print_failed(err);
		tdxsim_state = TDXSIM_FAILED;
		return;
	}
	tdxsim_memlist = ml;
	if (tdxsim_boot_timing())
		pr_info("TDX-Module initialized\n");
	else
		pr_info("module initialized\n");
	tdxsim_state = TDXSIM_INITIALIZED;
	tdxsim_host_create();
}

static int tdxsim_state_set(const char *val, const struct kernel_param *kp)
{
	int want = sysfs_match_string(tdxsim_state_names, val);

	if (want < 0)
		return -EINVAL;

	if (!tdxsim_loaded) {
		/* Module load: remember the request; init happens later. */
		tdxsim_state = want;
		return 0;
	}

	/*
	 * At runtime only the BIOS -> initialized step exists, as on a real
	 * host: neither an initialized nor a failed module can be undone.
	 */
	mutex_lock(&tdxsim_lock);
	if (tdxsim_state == want) {
		mutex_unlock(&tdxsim_lock);
		return 0;
	}
	if (tdxsim_state != TDXSIM_BIOS || want != TDXSIM_INITIALIZED) {
		mutex_unlock(&tdxsim_lock);
		return -EBUSY;
	}
	tdxsim_initialize();
	mutex_unlock(&tdxsim_lock);
	return 0;
}

static int tdxsim_state_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", tdxsim_state_names[tdxsim_state]);
}

static const struct kernel_param_ops tdxsim_state_ops = {
	.set = tdxsim_state_set,
	.get = tdxsim_state_get,
};
module_param_cb(state, &tdxsim_state_ops, NULL, 0644);
MODULE_PARM_DESC(state, "bios | initialized | failed (write initialized to "
			"initialize late)");

static int tdxsim_memory_notifier(struct notifier_block *nb,
				  unsigned long action, void *v)
{
	struct memory_notify *mn = v;
	unsigned int ms = READ_ONCE(delay_ms);
	int ret = NOTIFY_OK;

	if (action != MEM_GOING_ONLINE)
		return NOTIFY_OK;

	/* One event per memory block: a test can act between two blocks. */
	if (ms)
		msleep(ms);

	mutex_lock(&tdxsim_lock);
	if (refuse_nth && --refuse_nth == 0) {
		WRITE_ONCE(refusals, refusals + 1);
		ret = NOTIFY_BAD;
	/* Empty list: TDX not initialized (or failed); allow everything. */
	} else if (tdxsim_memlist.n &&
	    !tdxsim_inside_one(&tdxsim_memlist, PFN_PHYS(mn->start_pfn),
			       PFN_PHYS(mn->start_pfn + mn->nr_pages))) {
		WRITE_ONCE(refusals, refusals + 1);
		/* The real kernel logs nothing here either. */
		pr_debug("tdxsim: refused [mem %#llx-%#llx]\n",
			 PFN_PHYS(mn->start_pfn),
			 PFN_PHYS(mn->start_pfn + mn->nr_pages) - 1);
		ret = NOTIFY_BAD;
	}
	mutex_unlock(&tdxsim_lock);
	return ret;
}

static struct notifier_block tdxsim_memory_nb = {
	.notifier_call = tdxsim_memory_notifier,
};

static int __init tdxsim_init(void)
{
	enum tdxsim_state want = tdxsim_state;
	unsigned int i;
	int err;

	if (strcmp(timing, "late") && strcmp(timing, "boot")) {
		printk(KERN_ERR "tdxsim: bad timing= \"%s\"\n", timing);
		return -EINVAL;
	}
	err = tdxsim_parse_list(cmrs, &tdxsim_cmrs);
	if (err) {
		printk(KERN_ERR "tdxsim: bad cmrs= \"%s\"\n", cmrs);
		return err;
	}
	if (*memlist) {
		struct tdxsim_list tmp;

		err = tdxsim_parse_list(memlist, &tmp);
		if (err) {
			printk(KERN_ERR "tdxsim: bad memlist= \"%s\"\n", memlist);
			return err;
		}
	}

	printk(KERN_INFO "tdxsim: simulating a TDX host, state=%s\n",
	       tdxsim_state_names[want]);

	pr_info("BIOS enabled: private KeyID range [%u, %u)\n",
		TDXSIM_KEYID_START, TDXSIM_KEYID_END);

	err = register_memory_notifier(&tdxsim_memory_nb);
	if (err)
		return err;

	for (i = 0; i < tdxsim_cmrs.n; i++)
		pr_info("CMR: [0x%llx, 0x%llx)\n", tdxsim_cmrs.r[i].start,
			tdxsim_cmrs.r[i].end);

	mutex_lock(&tdxsim_lock);
	tdxsim_state = TDXSIM_BIOS;
	if (want == TDXSIM_INITIALIZED) {
		tdxsim_initialize();
	} else if (want == TDXSIM_FAILED) {
		tdxsim_print_failed(-EIO);
		tdxsim_state = TDXSIM_FAILED;
	}
	tdxsim_loaded = true;
	mutex_unlock(&tdxsim_lock);
	return 0;
}

static void __exit tdxsim_exit(void)
{
	unregister_memory_notifier(&tdxsim_memory_nb);
	tdxsim_host_destroy();
}

module_init(tdxsim_init);
module_exit(tdxsim_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Simulated Intel TDX host memory rules for tdxmemd tests");
