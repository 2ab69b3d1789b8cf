/* Why a dump was taken, guessed from its text when the format does not say (legacy, netconsole). */
#include "core/reasm/reasm_int.h"

#include <string.h>

static bool has(const char *text, size_t len, const char *needle)
{
	return memmem(text, len, needle, strlen(needle)) != NULL;
}

const char *nx_reason_from_text(const char *text, size_t len)
{
	static const char *const oops[] = {
		"Oops", "BUG: ", "kernel BUG at", "general protection fault", "WARNING: ",
		"divide error", "invalid opcode", "Call Trace:", "---[ end trace",
		"Unable to handle kernel", "watchdog: BUG: soft lockup", "rcu_sched detected stall",
		"blocked for more than",
	};

	if (has(text, len, "Kernel panic - not syncing"))
		return "panic";
	for (size_t i = 0; i < sizeof(oops) / sizeof(oops[0]); i++)
		if (has(text, len, oops[i]))
			return "oops";
	if (has(text, len, "invoked oom-killer") || has(text, len, "Out of memory"))
		return "oom";
	return "unknown";
}
