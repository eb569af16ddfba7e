/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Would TDX initialization succeed with the memory present now?
 *
 * The TDX module is configured with every memory range memblock holds when
 * it initializes (arch/x86/virt/vmx/tdx/tdx.c build_tdx_memlist(), which
 * skips the first 1 MiB), and TDH.SYS.CONFIG fails if one is not inside the
 * CMRs. On x86 memblock keeps hot-added memory from the moment it is added,
 * online or not (mm/memory_hotplug.c add_memory_resource(),
 * ARCH_KEEP_MEMBLOCK). What is present: boot RAM (the firmware memory map,
 * boot-ram.h) and every block kmem added.
 */
#pragma once

#include "macro.h"

#include "range.h"
#include "tdx.h"

enum tdx_init_outlook {
	TDX_INIT_NOT_PENDING, /* TDX disabled, or initialized already */
	TDX_INIT_UNKNOWN,     /* CMRs unknown, or boot RAM unreadable */
	TDX_INIT_WOULD_SUCCEED,
	TDX_INIT_WOULD_FAIL,
	TDX_INIT_MAX, /* the number of values: sizes the name table */
};

DECLARE_STRING_TABLE(tdx_init_outlook, enum tdx_init_outlook);

struct tdx_init_check {
	enum tdx_init_outlook outlook;
	struct range blocking; /* WOULD_FAIL: the first present range outside the CMRs */
};

/*
 * Pure. @present: boot RAM and added memory, NULL when it could not be
 * read; @cmrs NULL when unknown. Below 1 MiB nothing counts.
 */
struct tdx_init_check tdx_init_check(enum tdx_state state, const struct range_set *cmrs,
				     const struct range_set *present);
