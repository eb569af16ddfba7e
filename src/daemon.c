// SPDX-License-Identifier: GPL-2.0-or-later
#include "daemon.h"

#include "log.h"
#include "macro.h"
#include "message-ids.h"
#include "name-list.h"
#include "path.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libudev.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

/*
 * Creating one CXL region sends a burst of uevents within milliseconds
 * (region, dax_region, dax device, driver binds, one per memory block;
 * docs/platform-notes.md, section 3). A pass waits until the burst has been
 * quiet this long. It need not wait for the whole burst: the events that
 * come after a pass for what it read are echoes (below), checked against
 * what it left, and cost no pass. tdxmemd binds every device itself while
 * it holds the dax bus (dax-bus.h), so no driver load needs waiting for.
 */
#define SETTLE_USEC (50 * 1000)
/*
 * sd-event's default accuracy for a timer is 250 ms (it coalesces wakeups):
 * the quiet period would end up to that much late, after every change.
 */
#define SETTLE_ACCURACY_USEC (1 * 1000)
/*
 * A device someone else changed (an administrator's daxctl, a udev rule)
 * is put back only once that agent's uevents have been quiet this long:
 * daxctl reconfigure-device offlines every block, then unbinds kmem, then
 * binds device_dax, and a pass in between would fight it mid-way.
 */
#define OUTSIDE_SETTLE_USEC (500 * 1000)

#define AUTO_ONLINE_PATH "/sys/devices/system/memory/auto_online_blocks"

struct daemon {
	struct manager *manager;
	sd_event *event;
	struct udev *udev;
	struct udev_monitor *monitor;
	sd_event_source *settle;
	int kmsg_fd; /* /dev/kmsg, followed from the first read on (kernel-log.h) */

	/* The last outlook for TDX initialization, to record when it turns bad. */
	struct tdx_init_check init;

	/* What the next pass decides: every device, or only those named. */
	bool pending_all;
	struct name_list pending;
	/* Someone else changed a device: the pass waits OUTSIDE_SETTLE_USEC of quiet. */
	bool outside;

	/*
	 * The devices the last pass changed, and those of them uevents came
	 * for since. tdxmemd's own binds and block changes send uevents: they
	 * cost a pass only when the device is no longer as the pass left it.
	 */
	struct name_list acted;
	struct name_list echoes;
	/*
	 * The devices the last pass decided for (its inventory has every
	 * device, but a pass for some decides only those): an event of one of
	 * them is an echo. Cleared when any device goes away.
	 */
	struct name_list decided;
};

static void pending_clear(struct daemon *d)
{
	name_list_clear(&d->pending);
	d->pending_all = false;
}

static void pending_add(struct daemon *d, const char *name)
{
	if (name_list_add(&d->pending, name) < 0)
		d->pending_all = true; /* deciding for all is always right */
}

static void echo_add(struct daemon *d, const char *name)
{
	if (name_list_add(&d->echoes, name) < 0)
		d->pending_all = true;
}

/* After a pass: the devices it changed (their records say so). */
static void note_acted(struct daemon *d)
{
	const struct manager *m = d->manager;

	name_list_clear(&d->acted);
	name_list_clear(&d->echoes);
	for (size_t i = 0; i < m->record_count; i++) {
		enum outcome outcome = m->records[i].result.outcome;
		if (outcome == OUTCOME_APPLIED || outcome == OUTCOME_ROLLED_BACK ||
		    outcome == OUTCOME_FAILED)
			(void)name_list_add(&d->acted, m->records[i].device->name);
	}
}

/* The device the last pass changed that memory block memoryN belongs to, if any. */
static const char *acted_device_of_block(struct daemon *d, const char *block)
{
	const struct inventory *inventory = &d->manager->inventory;
	uint64_t index;

	if (d->acted.count == 0 || strncmp(block, "memory", 6) != 0 ||
	    parse_u64(block + 6, 10, &index) < 0)
		return NULL;
	struct range the_block = {index * inventory->block_size,
				  (index + 1) * inventory->block_size};
	for (size_t i = 0; i < inventory->count; i++) {
		const struct dax_device *device = &inventory->devices[i];
		if (!name_list_contains(&d->acted, device->name))
			continue;
		for (size_t j = 0; j < device->pluggable.count; j++)
			if (device->pluggable.items[j].start <= the_block.start &&
			    the_block.end <= device->pluggable.items[j].end)
				return device->name;
	}
	return NULL;
}

/* The last pass decided for @name, and no device went away since. */
static bool decided_by_last_pass(struct daemon *d, const char *name)
{
	return name_list_contains(&d->decided, name);
}

/* Before the pending set is cleared: what the pass just run decided for. */
static void note_decided(struct daemon *d)
{
	const struct inventory *inventory = &d->manager->inventory;

	name_list_clear(&d->decided);
	for (size_t i = 0; i < inventory->count; i++) {
		const char *name = inventory->devices[i].name;
		if ((d->pending_all || name_list_contains(&d->pending, name)) &&
		    name_list_add(&d->decided, name) < 0) {
			/* without the list, no event is an echo: every one decides */
			name_list_clear(&d->decided);
			return;
		}
	}
}

/*
 * A CXL region's bind, unbind or remove: an echo for each dax device of
 * the region the last pass decided for. False when there is none.
 */
static bool echo_region(struct daemon *d, const char *name)
{
	const struct inventory *inventory = &d->manager->inventory;
	/* cxl_dax_region "dax_regionN" is the dax side of region "regionN" */
	const char *region = strncmp(name, "dax_", 4) == 0 ? name + 4 : name;
	bool any = false;

	for (size_t i = 0; i < inventory->count; i++) {
		const struct dax_device *device = &inventory->devices[i];
		if (device->cxl_region && streq(device->cxl_region, region) &&
		    decided_by_last_pass(d, device->name)) {
			echo_add(d, device->name);
			any = true;
		}
	}
	return any;
}

/*
 * An echo needs no pass, unless the device is not as the last pass left
 * it: someone else changed it meanwhile.
 */
static void resolve_echoes(struct daemon *d)
{
	struct inventory *inventory = &d->manager->inventory;

	for (size_t i = 0; i < d->echoes.count; i++) {
		const char *name = d->echoes.names[i];
		const struct dax_device *device =
		    decided_by_last_pass(d, name) ? inventory_find(inventory, name) : NULL;
		if (!device || !inventory_device_as_read(inventory, device)) {
			d->outside |= device != NULL;
			pending_add(d, name);
		} else
			log_debug("%s: uevents after the pass that decided it, device as left: "
				  "no pass.",
				  name);
	}
	name_list_clear(&d->echoes);
}

static void notify_status(struct daemon *d)
{
	size_t online = 0, devdax = 0;
	const struct inventory *inventory = &d->manager->inventory;

	for (size_t i = 0; i < inventory->count; i++) {
		online += inventory->devices[i].managed &&
			  inventory->devices[i].mode == DAX_MODE_SYSTEM_RAM;
		devdax +=
		    inventory->devices[i].managed && inventory->devices[i].mode == DAX_MODE_DEVDAX;
	}
	sd_notifyf(0, "STATUS=TDX %s; %zu online, %zu devdax",
		   tdx_state_to_string(d->manager->tdx_state), online, devdax);
}

/*
 * One record when TDX initialization would start to fail (or fail for
 * another range): what an administrator must know before initializing TDX.
 */
static void watch_tdx_init(struct daemon *d)
{
	struct tdx_init_check now = manager_tdx_init_check(d->manager);
	bool same =
	    now.outlook == d->init.outlook &&
	    (now.outlook != TDX_INIT_WOULD_FAIL || (now.blocking.start == d->init.blocking.start &&
						    now.blocking.end == d->init.blocking.end));

	if (!same && now.outlook == TDX_INIT_WOULD_FAIL) {
		char range[64];
		snprintf(range, sizeof(range), "%#" PRIx64 "-%#" PRIx64, now.blocking.start,
			 now.blocking.end);
		sd_journal_send("MESSAGE=TDX initialization would fail now: %s is present and "
				"outside the CMRs.",
				range, "MESSAGE_ID=" MESSAGE_ID_TDX_INIT_AT_RISK, "PRIORITY=%d",
				LOG_WARNING, "SYSLOG_IDENTIFIER=tdxmemd", "TDXMEMD_UNCOVERED=%s",
				range, "TDXMEMD_TDX_STATE=%s",
				tdx_state_to_string(d->manager->tdx_state), NULL);
	} else if (!same && d->init.outlook == TDX_INIT_WOULD_FAIL &&
		   now.outlook == TDX_INIT_WOULD_SUCCEED) {
		log_info("TDX initialization would succeed again: all present memory is "
			 "convertible.");
	}
	d->init = now;
}

static void daemon_pass(struct daemon *d)
{
	/* NULL means every device to manager_pass(): only when asked for */
	if (!d->pending_all && d->pending.count == 0)
		return;

	struct timespec start, end;
	clock_gettime(CLOCK_MONOTONIC, &start);
	int r = manager_pass(d->manager, d->pending_all ? NULL : d->pending.names, NULL);
	if (r < 0)
		log_error("Deciding failed: %s; waiting for the next change.", strerror(-r));
	clock_gettime(CLOCK_MONOTONIC, &end);
	/* one line per pass, total last: bench/guest.sh and report.py count and time these */
	log_debug("Pass for %s%s: %zu device(s), %zu read (the blocks of %zu) in %.1f ms, %zu "
		  "recorded, %.1f ms.",
		  d->pending_all ? "every device" : d->pending.names[0],
		  !d->pending_all && d->pending.count > 1 ? " and more" : "",
		  d->manager->inventory.count, d->manager->inventory.devices_read,
		  d->manager->inventory.blocks_read, (double)d->manager->read_usec / 1e3,
		  d->manager->record_count,
		  (double)(end.tv_sec - start.tv_sec) * 1e3 +
		      (double)(end.tv_nsec - start.tv_nsec) / 1e6);
	/* a pass that failed decided nothing: no event after it is an echo */
	if (r < 0)
		name_list_clear(&d->decided);
	else
		note_decided(d);
	pending_clear(d);
	note_acted(d);
	notify_status(d);
	watch_tdx_init(d);
	/* between passes the service only waits: give back what this one grew */
	malloc_trim(0);
}

static void settle_later(struct daemon *d);

static int on_settle(sd_event_source *source, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;
	bool outside = d->outside;

	resolve_echoes(d);
	/* first time someone else's change is seen: its longer quiet starts now */
	if (d->outside && !outside) {
		settle_later(d);
		return 0;
	}
	d->outside = false;
	daemon_pass(d);
	return 0;
}

/* (Re)starts the quiet period; the pass runs when it ends. */
static void settle_later(struct daemon *d)
{
	uint64_t quiet = d->outside ? OUTSIDE_SETTLE_USEC : SETTLE_USEC;

	if (sd_event_source_set_time_relative(d->settle, quiet) < 0 ||
	    sd_event_source_set_enabled(d->settle, SD_EVENT_ONESHOT) < 0) {
		/* No timer: decide now rather than never. */
		resolve_echoes(d);
		daemon_pass(d);
	}
}

/* A dax device's event; false for the dax bus's other devices (dax regions). */
static bool dax_uevent(struct daemon *d, const char *action, const char *name)
{
	if (strncmp(name, "dax", 3) != 0 || !strchr(name, '.'))
		return false;
	if (streq(action, "remove")) {
		/* a device that comes back is a new device: record it anew */
		manager_forget_device(d->manager, name);
		name_list_clear(&d->acted);
		name_list_clear(&d->decided);
		/* no pass of its own, but the next one reads its dax region anew */
		pending_add(d, name);
		return false;
	}
	/*
	 * Binds and unbinds may be tdxmemd's own, and a pass may have found a
	 * device in sysfs before its add was read: for a device the last pass
	 * decided for, each is an echo. A change is never tdxmemd's (udevadm
	 * trigger sends one): it decides.
	 */
	if (!streq(action, "change") && decided_by_last_pass(d, name))
		echo_add(d, name);
	else
		pending_add(d, name);
	return true;
}

/*
 * A CXL region's event. Its dax device has uevents of its own: its add
 * decides it, and comes before or after the region's binds (dax_cxl may
 * still be loading when the region binds). So a region's event is only an
 * echo for its dax devices the last pass decided; a change (udevadm
 * trigger) decides anew.
 */
static bool cxl_uevent(struct daemon *d, const char *action, const char *name, const char *devtype)
{
	if (!devtype || (!streq(devtype, "cxl_region") && !streq(devtype, "cxl_dax_region")))
		return false;
	manager_cxl_changed(d->manager);
	if (streq(action, "change")) {
		d->pending_all = true;
		return true;
	}
	return !streq(action, "add") && echo_region(d, name);
}

static void handle_uevent(struct daemon *d, struct udev_device *device)
{
	const char *subsystem = udev_device_get_subsystem(device);
	const char *action = udev_device_get_action(device);
	const char *name = udev_device_get_sysname(device);
	bool marked = false;

	if (!subsystem || !action || !name)
		return;
	/* of the modules only these tell of TDX: no debug line for the rest */
	bool module = streq(subsystem, "module") || streq(subsystem, "faux");
	bool tdx_module = module && (streq(name, "kvm_intel") || streq(name, "tdx_host"));
	if (!module || tdx_module)
		log_debug("uevent: %s %s %s", action, subsystem, name);

	if (streq(subsystem, "dax")) {
		marked = dax_uevent(d, action, name);
	} else if (streq(subsystem, "cxl")) {
		marked = cxl_uevent(d, action, name, udev_device_get_devtype(device));
	} else if (streq(subsystem, "memory")) {
		const char *acted = acted_device_of_block(d, name);
		if (acted)
			echo_add(d, acted);
		else /* a block onlined or offlined by hand: its device is checked */
			d->pending_all = d->outside = true;
		marked = true;
	} else if (module) {
		/*
		 * The TDX state may have changed: kvm_intel (tdx=1) initializes
		 * the TDX module on 6.16-7.1 kernels, and the faux device
		 * tdx_host appears once it is initialized (tdx.h).
		 */
		marked = tdx_module;
		d->pending_all |= marked;
	}
	if (marked)
		settle_later(d);
}

/*
 * New kernel messages: a "virt/tdx: " line means the TDX state may have
 * changed (initialized, or failed), which no uevent tells. The lines are
 * added to the manager's log, which passes then read instead of the log.
 */
static int on_kmsg(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	struct daemon *d = userdata;
	size_t added = 0;
	bool lost = false;

	int r = kernel_log_read_new(fd, &d->manager->kernel_log, &added, &lost);
	if (r < 0 || lost) {
		/* records overwritten before they were read: the journal kept them */
		log_debug("Kernel log records lost (%s): reading the log anew.",
			  r < 0 ? strerror(-r) : "ring buffer overwrote them");
		(void)manager_read_kernel_log(d->manager);
	}
	if (added > 0 || lost || r < 0) {
		log_debug("New virt/tdx kernel messages: deciding again.");
		d->pending_all = true;
		settle_later(d);
	}
	return 0;
}

/*
 * Opened before the first full read of the log, so that nothing falls
 * between the two. Without /dev/kmsg every pass reads the log itself.
 */
static void open_kmsg(struct daemon *d)
{
	d->kmsg_fd = kernel_log_follow(d->manager->options.sysroot);
	if (d->kmsg_fd < 0)
		log_warning("Cannot follow /dev/kmsg (%s): every pass reads the kernel log, and a "
			    "change of the TDX state that only the log shows waits for the next "
			    "device event.",
			    strerror(-d->kmsg_fd));
	d->manager->kernel_log_followed = d->kmsg_fd >= 0;
}

static int setup_kmsg(struct daemon *d)
{
	if (d->kmsg_fd < 0)
		return 0;
	return sd_event_add_io(d->event, NULL, d->kmsg_fd, EPOLLIN, on_kmsg, d);
}

static int on_uevent(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	struct daemon *d = userdata;
	struct udev_device *device;

	while ((device = udev_monitor_receive_device(d->monitor))) {
		handle_uevent(d, device);
		udev_device_unref(device);
	}
	return 0;
}

static int on_terminate(sd_event_source *source, const struct signalfd_siginfo *si, void *userdata)
{
	struct daemon *d = userdata;

	/*
	 * Signals arrive through the event loop, never during an action: the
	 * device being worked on is finished (or rolled back) first.
	 */
	sd_notify(0, "STOPPING=1");
	sd_event_exit(d->event, 0);
	return 0;
}

static int on_reload(sd_event_source *source, const struct signalfd_siginfo *si, void *userdata)
{
	struct daemon *d = userdata;

	sd_notify(0, "RELOADING=1");
	if (manager_reload(d->manager) < 0)
		log_error("Reload failed: keeping the previous configuration and CMRs.");
	else
		log_info("Reloaded configuration and CMRs.");
	pending_clear(d);
	d->pending_all = true;
	daemon_pass(d);
	sd_notify(0, "READY=1");
	return 0;
}

/*
 * With auto_online_blocks other than "offline", the kernel onlines CXL
 * memory (ZONE_NORMAL on Debian's kernels) the moment kmem binds, before
 * tdxmemd sees the dax device (docs/platform-notes.md, section 2). The daemon owns that race.
 */
static void take_over_auto_online(struct daemon *d)
{
	const char *sysroot = d->manager->options.sysroot;
	_cleanup_free_ char *path = path_join_root(sysroot, AUTO_ONLINE_PATH);
	_cleanup_free_ char *previous = NULL;

	if (!path || read_root_file(sysroot, AUTO_ONLINE_PATH, 64, &previous) < 0)
		return; /* no memory hotplug: nothing can race */
	if (streq(previous, "offline"))
		return;

	if (!d->manager->config.take_over_auto_online) {
		log_warning(
		    "%s is \"%s\": the kernel onlines new memory itself before tdxmemd "
		    "decides (TakeOverAutoOnline=no). Boot with memhp_default_state=offline.",
		    AUTO_ONLINE_PATH, previous);
		return;
	}

	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "offline", 7) != 7) {
		log_error("Cannot set %s to offline: %m. The kernel keeps onlining new memory "
			  "itself; tdxmemd returns what must not be online to devdax.",
			  AUTO_ONLINE_PATH);
		return;
	}
	sd_journal_send("MESSAGE=Set %s from \"%s\" to \"offline\": new memory now waits for "
			"tdxmemd's decision.",
			AUTO_ONLINE_PATH, previous, "MESSAGE_ID=" MESSAGE_ID_AUTO_ONLINE,
			"PRIORITY=%d", LOG_NOTICE, "SYSLOG_IDENTIFIER=tdxmemd",
			"TDXMEMD_AUTO_ONLINE_WAS=%s", previous, NULL);
}

static int setup_monitor(struct daemon *d)
{
	static const char *const subsystems[] = {"dax", "cxl", "memory", "module", "faux"};
	int r;

	d->udev = udev_new();
	if (!d->udev)
		return -ENOMEM;
	/*
	 * The kernel's own uevents, not udevd's: those come only after udevd
	 * ran its rules for the device, under load 100-300 ms after the
	 * kernel's, and a pass needs nothing udevd does. It reads sysfs, and
	 * while it holds the dax bus (dax-bus.h) it binds every device itself,
	 * and the /dev/daxX.Y of a device_dax bind is there when the bind
	 * returns (devtmpfs_create_node() waits for the node).
	 */
	d->monitor = udev_monitor_new_from_netlink(d->udev, "kernel");
	if (!d->monitor)
		return -errno ? -errno : -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(subsystems); i++) {
		r = udev_monitor_filter_add_match_subsystem_devtype(d->monitor, subsystems[i],
								    NULL);
		if (r < 0)
			return r;
	}
	/* a 32-block region sends dozens of events at once */
	(void)udev_monitor_set_receive_buffer_size(d->monitor, 4 * 1024 * 1024);
	r = udev_monitor_enable_receiving(d->monitor);
	if (r < 0)
		return r;
	return sd_event_add_io(d->event, NULL, udev_monitor_get_fd(d->monitor), EPOLLIN, on_uevent,
			       d);
}

static int setup_event(struct daemon *d)
{
	sigset_t mask;
	int r;

	/* sd-event reads these through a signalfd: they must be blocked */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;

	r = sd_event_default(&d->event);
	if (r < 0)
		return r;
	if ((r = sd_event_add_signal(d->event, NULL, SIGTERM, on_terminate, d)) < 0 ||
	    (r = sd_event_add_signal(d->event, NULL, SIGINT, on_terminate, d)) < 0 ||
	    (r = sd_event_add_signal(d->event, NULL, SIGHUP, on_reload, d)) < 0)
		return r;
	r = sd_event_add_time_relative(d->event, &d->settle, CLOCK_MONOTONIC, SETTLE_USEC,
				       SETTLE_ACCURACY_USEC, on_settle, d);
	if (r < 0)
		return r;
	r = sd_event_source_set_enabled(d->settle, SD_EVENT_OFF);
	if (r < 0)
		return r;
	/* WatchdogSec= in the unit; a no-op without it */
	return sd_event_set_watchdog(d->event, true);
}

static void daemon_done(struct daemon *d)
{
	pending_clear(d);
	name_list_clear(&d->acted);
	name_list_clear(&d->echoes);
	name_list_clear(&d->decided);
	sd_event_source_unref(d->settle);
	sd_event_unref(d->event);
	if (d->kmsg_fd >= 0)
		close(d->kmsg_fd);
	udev_monitor_unref(d->monitor);
	udev_unref(d->udev);
}

int daemon_run(struct manager *manager)
{
	_cleanup_(daemon_done) struct daemon d = {.manager = manager, .kmsg_fd = -1};
	int r;

	if (mkdir(TDXMEMD_RUNTIME_DIR, 0755) < 0 && errno != EEXIST) {
		log_error("Cannot create %s: %m", TDXMEMD_RUNTIME_DIR);
		return EXIT_INPUT_ERROR;
	}

	open_kmsg(&d);
	r = manager_load_cmrs(manager);
	if (r < 0) {
		manager_keep_safe(&manager->options);
		return EXIT_INPUT_ERROR;
	}

	/* Listen before the first look, so no device can slip between the two. */
	r = setup_event(&d);
	if (r >= 0)
		r = setup_monitor(&d);
	if (r >= 0)
		r = setup_kmsg(&d);
	if (r < 0) {
		log_error("Cannot set up the event loop: %s", strerror(-r));
		return EXIT_INPUT_ERROR;
	}

	/* Last before the first pass: a start that fails leaves the kernel's setting. */
	manager_recover_auto_online(manager->options.sysroot);
	take_over_auto_online(&d);

	d.pending_all = true;
	daemon_pass(&d);
	sd_notify(0, "READY=1");

	r = sd_event_loop(d.event);
	if (r < 0) {
		log_error("Event loop failed: %s", strerror(-r));
		return EXIT_INPUT_ERROR;
	}
	return EXIT_ALL_DECIDED;
}
