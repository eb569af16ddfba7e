// SPDX-License-Identifier: GPL-2.0-or-later
#include "daemon.h"

#include "log.h"
#include "macro.h"
#include "notice.h"
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

struct daemon {
	struct manager *manager;
	sd_event *event;
	struct udev *udev;
	struct udev_monitor *monitor;
	sd_event_source *settle;
	int kmsg_fd; /* /dev/kmsg, followed from the first read on (kernel-log.h) */

	/* The last outlook for TDX initialization, to record when it turns bad. */
	struct tdx_init_check init;

	/* What changed since the last pass, and what its uevents echo (changes.h). */
	struct change_tracker changes;
};

static void notify_status(const struct pass_report *report)
{
	sd_notifyf(0, "STATUS=TDX %s; %zu online, %zu devdax",
		   tdx_state_to_string(report->tdx_state), report->online, report->devdax);
}

/*
 * One record when TDX initialization would start to fail (or fail for
 * another range): what an administrator must know before initializing TDX.
 */
static void watch_tdx_init(struct daemon *d, const struct pass_report *report)
{
	struct tdx_init_check now = report->init;
	bool same =
	    now.outlook == d->init.outlook &&
	    (now.outlook != TDX_INIT_WOULD_FAIL || (now.blocking.start == d->init.blocking.start &&
						    now.blocking.end == d->init.blocking.end));

	if (!same && now.outlook == TDX_INIT_WOULD_FAIL)
		(void)notice_tdx_init_at_risk(&now, report->tdx_state);
	else if (!same && d->init.outlook == TDX_INIT_WOULD_FAIL &&
		 now.outlook == TDX_INIT_WOULD_SUCCEED)
		log_info("TDX initialization would succeed again: all present memory is "
			 "convertible.");
	d->init = now;
}

static void daemon_pass(struct daemon *d)
{
	struct pass_report report;
	struct change_set changes;

	if (!change_tracker_next(&d->changes, &changes))
		return;
	int r = manager_pass(d->manager, &changes, &report);
	if (r < 0)
		log_error("Deciding failed: %s; waiting for the next change.", strerror(-r));
	/* one line per pass, total last: bench/guest.sh and report.py count and time these */
	log_debug("Pass for %s%s: %zu device(s), %zu read (the blocks of %zu) in %.1f ms, %zu "
		  "recorded, %.1f ms.",
		  changes.changed ? changes.changed[0] : "every device",
		  changes.changed && changes.changed[1] ? " and more" : "", report.inventory->count,
		  report.devices_read, report.blocks_read, (double)report.read_usec / 1e3,
		  report.recorded, (double)report.total_usec / 1e3);
	change_tracker_pass_done(&d->changes, report.inventory, &report.acted, r < 0);
	notify_status(&report);
	watch_tdx_init(d, &report);
	pass_report_clear(&report);
	/* between passes the service only waits: give back what this one grew */
	malloc_trim(0);
}

static void settle_later(struct daemon *d);

static int on_settle(sd_event_source *source, uint64_t usec, void *userdata)
{
	struct daemon *d = userdata;
	bool outside = d->changes.outside;

	change_tracker_resolve_echoes(&d->changes);
	/* first time someone else's change is seen: its longer quiet starts now */
	if (d->changes.outside && !outside) {
		settle_later(d);
		return 0;
	}
	d->changes.outside = false;
	daemon_pass(d);
	return 0;
}

/* (Re)starts the quiet period; the pass runs when it ends. */
static void settle_later(struct daemon *d)
{
	uint64_t quiet = d->changes.outside ? OUTSIDE_SETTLE_USEC : SETTLE_USEC;

	if (sd_event_source_set_time_relative(d->settle, quiet) < 0 ||
	    sd_event_source_set_enabled(d->settle, SD_EVENT_ONESHOT) < 0) {
		/* No timer: decide now rather than never. */
		change_tracker_resolve_echoes(&d->changes);
		daemon_pass(d);
	}
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
		/* a device that comes back is a new device: record it anew */
		if (streq(action, "remove") && change_names_dax_device(name))
			manager_forget_device(d->manager, name);
		marked = change_tracker_dax_event(&d->changes, action, name);
	} else if (streq(subsystem, "cxl")) {
		const char *devtype = udev_device_get_devtype(device);
		if (devtype && (streq(devtype, "cxl_region") || streq(devtype, "cxl_dax_region"))) {
			manager_cxl_changed(d->manager);
			marked = change_tracker_cxl_event(&d->changes, action, name);
		}
	} else if (streq(subsystem, "memory")) {
		change_tracker_block_event(&d->changes, name);
		marked = true;
	} else if (module) {
		/*
		 * The TDX state may have changed: kvm_intel (tdx=1) initializes
		 * the TDX module on 6.16-7.1 kernels, and the faux device
		 * tdx_host appears once it is initialized (tdx.h).
		 */
		marked = tdx_module;
		d->changes.all |= marked;
	}
	if (marked)
		settle_later(d);
}

/*
 * New kernel messages: a "virt/tdx: " line means the TDX state may have
 * changed (initialized, or failed), which no uevent tells.
 */
static int on_kmsg(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	struct daemon *d = userdata;

	if (manager_kernel_log_new(d->manager, fd)) {
		log_debug("New virt/tdx kernel messages: deciding again.");
		d->changes.all = true;
		settle_later(d);
	}
	return 0;
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
	name_list_clear(&d->changes.pending);
	d->changes.all = true;
	daemon_pass(d);
	sd_notify(0, "READY=1");
	return 0;
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
	change_tracker_done(&d->changes);
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

	/* Opened before the first full read of the log, so that nothing falls between the two. */
	d.kmsg_fd = manager_follow_kernel_log(manager);
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
	manager_take_over_auto_online(manager);

	d.changes.all = true;
	daemon_pass(&d);
	sd_notify(0, "READY=1");

	r = sd_event_loop(d.event);
	if (r < 0) {
		log_error("Event loop failed: %s", strerror(-r));
		return EXIT_INPUT_ERROR;
	}
	return EXIT_ALL_DECIDED;
}
