/* The `since` filter's time formats, shared by netoopsctl list and netoopsd's HTTP API. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"

int64_t nx_store_parse_since(const char *s, int64_t now_ms)
{
	static const struct { char unit; long long ms; } units[] = {
		{ 's', 1000 }, { 'm', 60000 }, { 'h', 3600000 }, { 'd', 86400000 },
	};
	const char *digits = s[0] == '@' ? s + 1 : s;
	struct tm tm = { 0 };
	char *end;
	long long v;

	errno = 0;
	v = strtoll(digits, &end, 10);
	/* The bound keeps v * 1000 from overflowing. */
	if (!errno && end != digits && v >= 0 && v < 1000000000000LL) {
		if (s[0] == '@' && !*end)
			return v * 1000;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (end[0] == units[i].unit && !end[1])	/* further back than 1970: 1970 */
				return v > now_ms / units[i].ms ? 0 : now_ms - v * units[i].ms;
	}
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end && (*end == 'T' || *end == ' '))
		end = strptime(end + 1, "%H:%M", &tm);
	if (end && *end == ':')
		end = strptime(end + 1, "%S", &tm);
	if (!end || (*end && strcmp(end, "Z") != 0))
		return -1;
	return (int64_t)timegm(&tm) * 1000;
}
