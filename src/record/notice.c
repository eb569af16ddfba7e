// SPDX-License-Identifier: GPL-2.0-or-later
#include "notice.h"

#include "message-ids.h"

#include <inttypes.h>
#include <stdio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

int notice_tdx_init_at_risk(const struct tdx_init_check *check, enum tdx_state tdx_state)
{
	char range[64];

	snprintf(range, sizeof(range), "%#" PRIx64 "-%#" PRIx64, check->blocking.start,
		 check->blocking.end);
	return sd_journal_send("MESSAGE=TDX initialization would fail now: %s is present and "
			       "outside the CMRs.",
			       range, "MESSAGE_ID=" MESSAGE_ID_TDX_INIT_AT_RISK, "PRIORITY=%d",
			       LOG_WARNING, "SYSLOG_IDENTIFIER=tdxmemd", "TDXMEMD_UNCOVERED=%s",
			       range, "TDXMEMD_TDX_STATE=%s", tdx_state_to_string(tdx_state), NULL);
}

int notice_auto_online_taken(const char *path, const char *previous)
{
	return sd_journal_send("MESSAGE=Set %s from \"%s\" to \"offline\": new memory now waits "
			       "for tdxmemd's decision.",
			       path, previous, "MESSAGE_ID=" MESSAGE_ID_AUTO_ONLINE, "PRIORITY=%d",
			       LOG_NOTICE, "SYSLOG_IDENTIFIER=tdxmemd",
			       "TDXMEMD_AUTO_ONLINE_WAS=%s", previous, NULL);
}
