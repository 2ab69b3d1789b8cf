/* Re-analysing stored dumps: which need it, and replacing a dump's reports and group counts. */
#include "store/store_int.h"

static const char *const analysis_names[] = {
	[NX_ANALYSIS_OK] = "ok", [NX_ANALYSIS_FAILED] = "failed", [NX_ANALYSIS_NONE] = "none",
};

const char *nx_analysis_name(enum nx_analysis_state state)
{
	return (unsigned)state < sizeof(analysis_names) / sizeof(analysis_names[0]) ?
	       analysis_names[state] : "none";
}
