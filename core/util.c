#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "util.h"
#include "xmalloc.h"

#include <ctype.h>
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int64_t
util_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
util_wall_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Splits "12.5ms" into a number and a unit suffix. */
static int
split_number_unit(const char *s, double *num, const char **unit)
{
	const char	*p = s;
	size_t		 n;

	while (isdigit((unsigned char)*p) || *p == '.')
		p++;
	n = (size_t)(p - s);
	if (n == 0 || util_strtod(s, n, num) != 0)
		return -1;
	*unit = p;
	return 0;
}

int
util_parse_duration(const char *s, int64_t *ms, char **cause)
{
	static const struct { const char *unit; double ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "", 1000 }, { "m", 60000 },
		{ "h", 3600000 },
	};
	double		 num;
	const char	*unit;
	size_t		 i;

	if (split_number_unit(s, &num, &unit) == 0) {
		for (i = 0; i < nitems(units); i++) {
			if (strcmp(unit, units[i].unit) == 0 &&
			    num * units[i].ms < 1e12) {
				*ms = (int64_t)(num * units[i].ms + 0.5);
				return 0;
			}
		}
	}
	*cause = xasprintf("'%s' is not a duration (expected e.g. 500ms, "
	    "10s, 2m, 1h)", s);
	return -1;
}

int
util_parse_size(const char *s, uint64_t *bytes, char **cause)
{
	static const struct { const char *unit; double mult; } units[] = {
		{ "", 1 }, { "B", 1 }, { "KiB", 1024.0 }, { "MiB", 1048576.0 },
		{ "GiB", 1073741824.0 }, { "KB", 1e3 }, { "MB", 1e6 },
		{ "GB", 1e9 }, { "K", 1024.0 }, { "M", 1048576.0 },
		{ "G", 1073741824.0 },
	};
	double		 num;
	const char	*unit;
	size_t		 i;

	if (split_number_unit(s, &num, &unit) == 0) {
		for (i = 0; i < nitems(units); i++) {
			if (strcmp(unit, units[i].unit) == 0 &&
			    num * units[i].mult < 1.8e19) {
				*bytes = (uint64_t)(num * units[i].mult);
				return 0;
			}
		}
	}
	*cause = xasprintf("'%s' is not a size (expected e.g. 65536, 64KiB, "
	    "8MiB, 1GiB)", s);
	return -1;
}

int
util_parse_bool(const char *s, bool *out, char **cause)
{
	static const char *yes[] = { "true", "yes", "on", "1" };
	static const char *no[] = { "false", "no", "off", "0" };
	size_t	i;

	for (i = 0; i < nitems(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	*cause = xasprintf("'%s' is not a boolean (expected true or false)", s);
	return -1;
}

static locale_t
c_locale(void)
{
	static locale_t	loc;

	/* Created once and kept for the life of the process. */
	if (loc == (locale_t)0)
		loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	return loc;
}

int
util_strtod(const char *s, size_t len, double *out)
{
	char	 tmp[64];
	char	*end;

	if (len == 0 || len >= sizeof tmp)
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (isspace((unsigned char)tmp[0]))
		return -1;
	/* strtod also takes hex floats and "infinity"; the formats we read don't */
	if (strchr(tmp, 'x') != NULL || strchr(tmp, 'X') != NULL)
		return -1;
	errno = 0;
	*out = strtod_l(tmp, &end, c_locale());
	if (*end != '\0')
		return -1;
	if (errno == ERANGE && !isinf(*out) && *out != 0)
		return -1;
	return 0;
}

int
util_strtoll(const char *s, size_t len, long long *out)
{
	char	 tmp[32];
	char	*end;

	if (len == 0 || len >= sizeof tmp ||
	    !(isdigit((unsigned char)s[0]) || s[0] == '-'))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	errno = 0;
	*out = strtoll(tmp, &end, 10);
	return (*end != '\0' || errno != 0) ? -1 : 0;
}

int
util_strtoull(const char *s, size_t len, unsigned long long *out)
{
	char	 tmp[32];
	char	*end;

	if (len == 0 || len >= sizeof tmp || !isdigit((unsigned char)s[0]))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	errno = 0;
	*out = strtoull(tmp, &end, 10);
	return (*end != '\0' || errno != 0) ? -1 : 0;
}

void
util_fmt_bytes(char *out, size_t size, double bytes)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	size_t	i = 0;

	if (isnan(bytes)) {
		snprintf(out, size, "?");
		return;
	}
	while (fabs(bytes) >= 1024 && i + 1 < nitems(units)) {
		bytes /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(out, size, "%.0f %s", bytes, units[i]);
	else
		snprintf(out, size, "%.*f %s", fabs(bytes) < 10 ? 1 : 0, bytes,
		    units[i]);
}

void
util_fmt_duration(char *out, size_t size, int64_t ms)
{
	int64_t	s = ms / 1000;

	if (ms < 0)
		snprintf(out, size, "?");
	else if (ms < 1000)
		snprintf(out, size, "%lldms", (long long)ms);
	else if (s < 60)
		snprintf(out, size, "%.1fs", (double)ms / 1000);
	else if (s < 3600)
		snprintf(out, size, "%lldm %02llds", (long long)(s / 60),
		    (long long)(s % 60));
	else if (s < 86400)
		snprintf(out, size, "%lldh %02lldm", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	else
		snprintf(out, size, "%lldd %02lldh", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
}

void
util_fmt_count(char *out, size_t size, double n)
{
	static const char *units[] = { "", "k", "M", "G", "T" };
	size_t	i = 0;

	if (isnan(n)) {
		snprintf(out, size, "?");
		return;
	}
	while (fabs(n) >= 1000 && i + 1 < nitems(units)) {
		n /= 1000;
		i++;
	}
	if (i == 0)
		snprintf(out, size, "%.0f", n);
	else
		snprintf(out, size, "%.*f%s", fabs(n) < 10 ? 1 : 0, n, units[i]);
}

void
util_fmt_iso8601(char *out, size_t size, int64_t wall_ms)
{
	time_t		t = (time_t)(wall_ms / 1000);
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

char *
util_trim(char *s)
{
	char	*end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

void
util_free_secret(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

char *
util_user_at_host(void)
{
	char		 host[256];
	const char	*user = getenv("USER");
	struct passwd	*pw;

	if (user == NULL || *user == '\0') {
		pw = getpwuid(getuid());
		user = pw != NULL ? pw->pw_name : "unknown";
	}
	if (gethostname(host, sizeof host) != 0)
		strcpy(host, "unknown");
	host[sizeof host - 1] = '\0';
	return xasprintf("%s@%s", user, host);
}
