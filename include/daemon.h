/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tdxmemd as a service: the manager's passes driven by uevents.
 */
#pragma once

#include "manager.h"

/*
 * Takes over the kernel's auto-online, reconciles every device, then decides
 * again whenever a dax device, a CXL region or a memory block changes, until
 * SIGTERM. SIGHUP reloads configuration and CMRs. Returns an EXIT_* code.
 */
int daemon_run(struct manager *manager);
