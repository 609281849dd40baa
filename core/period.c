#include "period.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "xmalloc.h"

static const char *period_kind_names[] = { "daily", "weekly", "adhoc" };

const char *
period_kind_name(enum period_kind kind)
{
	if ((size_t)kind >= sizeof period_kind_names /
	    sizeof *period_kind_names)
		return "?";
	return period_kind_names[kind];
}

int
period_kind_parse(const char *s, enum period_kind *kind)
{
	size_t	i;

	for (i = 0; i < sizeof period_kind_names / sizeof *period_kind_names;
	    i++) {
		if (strcmp(s, period_kind_names[i]) == 0) {
			*kind = (enum period_kind)i;
			return 0;
		}
	}
	return -1;
}

/* ---------------------------------------------------------------- calendar */

static bool
period_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
period_mdays(int y, int m)
{
	static const int	days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
				    31, 30, 31 };

	return m == 2 && period_leap(y) ? 29 : days[m - 1];
}

bool
period_date_valid(int year, int month, int day)
{
	if (year < 1 || year > 9999 || month < 1 || month > 12)
		return false;
	return day >= 1 && day <= period_mdays(year, month);
}

/* Howard Hinnant's days_from_civil. */
int64_t
period_days_from_date(const struct period_date *d)
{
	int64_t	y = d->year - (d->month <= 2);
	int64_t	era = (y >= 0 ? y : y - 399) / 400;
	int64_t	yoe = y - era * 400;
	int64_t	m = d->month, doy, doe;

	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d->day - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
period_date_from_days(int64_t z, struct period_date *d)
{
	int64_t	era, doe, yoe, y, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	d->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	d->year = (int)(y + (d->month <= 2));
}

void
period_date_add(struct period_date *d, int days)
{
	period_date_from_days(period_days_from_date(d) + days, d);
}

int
period_weekday(const struct period_date *d)
{
	int64_t	z = period_days_from_date(d);	/* 1970-01-01 was a Thursday */
	int64_t	w = (z + 3) % 7;

	if (w < 0)
		w += 7;
	return (int)w + 1;
}

int
period_date_cmp(const struct period_date *a, const struct period_date *b)
{
	int64_t	x = period_days_from_date(a), y = period_days_from_date(b);

	return x < y ? -1 : x > y;
}

/* The Monday of ISO week 1: the week that holds January 4th. */
static int64_t
period_week1_monday(int iso_year)
{
	struct period_date	jan4 = { iso_year, 1, 4 };

	return period_days_from_date(&jan4) - (period_weekday(&jan4) - 1);
}

int
period_iso_weeks(int iso_year)
{
	struct period_date	dec28 = { iso_year, 12, 28 };
	int			y, w;

	period_iso_week(&dec28, &y, &w);
	return w;
}

void
period_iso_week(const struct period_date *d, int *iso_year, int *iso_week)
{
	int64_t	z = period_days_from_date(d), start;
	int	y = d->year;

	start = period_week1_monday(y + 1);
	if (z >= start)
		y++;
	else {
		start = period_week1_monday(y);
		if (z < start) {
			y--;
			start = period_week1_monday(y);
		}
	}
	*iso_year = y;
	*iso_week = (int)((z - start) / 7) + 1;
}

void
period_iso_monday(int iso_year, int iso_week, struct period_date *d)
{
	period_date_from_days(period_week1_monday(iso_year) +
	    (int64_t)(iso_week - 1) * 7, d);
}

/* ---------------------------------------------------------------- format */

void
period_fmt_date(char *s, size_t len, const struct period_date *d)
{
	snprintf(s, len, "%04d-%02d-%02d", d->year, d->month, d->day);
}

void
period_fmt_week(char *s, size_t len, int iso_year, int iso_week)
{
	snprintf(s, len, "%04d-W%02d", iso_year, iso_week);
}

void
period_fmt_civil(char *s, size_t len, const struct period_civil *c)
{
	snprintf(s, len, "%04d-%02d-%02d %02d:%02d:%02d", c->year, c->month,
	    c->day, c->hour, c->min, c->sec);
}

static void
period_split_epoch(int64_t epoch, struct period_civil *c)
{
	struct period_date	d;
	int64_t			days, secs;

	days = epoch / 86400;
	secs = epoch % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	period_date_from_days(days, &d);
	c->year = d.year;
	c->month = d.month;
	c->day = d.day;
	c->hour = (int)(secs / 3600);
	c->min = (int)(secs / 60 % 60);
	c->sec = (int)(secs % 60);
}

static int64_t
period_civil_secs(const struct period_civil *c)
{
	struct period_date	d = { c->year, c->month, c->day };

	return period_days_from_date(&d) * 86400 + c->hour * 3600 +
	    c->min * 60 + c->sec;
}

void
period_fmt_compact(char *s, size_t len, int64_t epoch)
{
	struct period_civil	c;

	period_split_epoch(epoch, &c);
	snprintf(s, len, "%04d%02d%02dT%02d%02d%02dZ", c.year, c.month, c.day,
	    c.hour, c.min, c.sec);
}

void
period_fmt_iso(char *s, size_t len, int64_t epoch)
{
	struct period_civil	c;

	period_split_epoch(epoch, &c);
	snprintf(s, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month,
	    c.day, c.hour, c.min, c.sec);
}

/* ---------------------------------------------------------------- parsing */

/* Reads exactly n digits at *s; advances. */
static bool
period_digits(const char **s, int n, int *out)
{
	int	v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return false;
		v = v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	*out = v;
	return true;
}

static bool
period_char(const char **s, char c)
{
	if (**s != c)
		return false;
	(*s)++;
	return true;
}

static bool
period_scan_date(const char **s, struct period_date *d)
{
	return period_digits(s, 4, &d->year) && period_char(s, '-') &&
	    period_digits(s, 2, &d->month) && period_char(s, '-') &&
	    period_digits(s, 2, &d->day) &&
	    period_date_valid(d->year, d->month, d->day);
}

int
period_parse_day(const char *s, struct period_spec *spec, char **cause)
{
	const char	*p = s;

	memset(spec, 0, sizeof *spec);
	spec->kind = PERIOD_DAILY;
	if (!period_scan_date(&p, &spec->day) || *p != '\0') {
		*cause = xasprintf("'%s' is not a day (expected YYYY-MM-DD, "
		    "e.g. 2026-11-28)", s);
		return -1;
	}
	return 0;
}

int
period_parse_week(const char *s, struct period_spec *spec, char **cause)
{
	const char	*p = s;
	int		 y, w;

	memset(spec, 0, sizeof *spec);
	spec->kind = PERIOD_WEEKLY;
	if (!period_digits(&p, 4, &y) || !period_char(&p, '-') ||
	    !period_char(&p, 'W') || !period_digits(&p, 2, &w) ||
	    *p != '\0' || y < 1 || y > 9998) {
		*cause = xasprintf("'%s' is not an ISO week (expected "
		    "YYYY-Www, e.g. 2026-W48)", s);
		return -1;
	}
	if (w < 1 || w > period_iso_weeks(y)) {
		*cause = xasprintf("'%s': ISO year %d has weeks 01 to %d", s, y,
		    period_iso_weeks(y));
		return -1;
	}
	spec->iso_year = y;
	spec->iso_week = w;
	return 0;
}

/* "Z", "+HH:MM", "-HH:MM", "+HHMM", "+HH": the offset in seconds. */
static bool
period_scan_zone(const char **s, int *offset)
{
	int	sign, h, m = 0;

	if (period_char(s, 'Z')) {
		*offset = 0;
		return true;
	}
	if (**s != '+' && **s != '-')
		return false;
	sign = **s == '-' ? -1 : 1;
	(*s)++;
	if (!period_digits(s, 2, &h))
		return false;
	if (**s != '\0') {
		period_char(s, ':');
		if (!period_digits(s, 2, &m))
			return false;
	}
	if (h > 23 || m > 59)
		return false;
	*offset = sign * (h * 3600 + m * 60);
	return true;
}

static bool
period_scan_clock(const char **s, struct period_civil *c)
{
	if (!period_digits(s, 2, &c->hour) || !period_char(s, ':') ||
	    !period_digits(s, 2, &c->min))
		return false;
	if (period_char(s, ':') && !period_digits(s, 2, &c->sec))
		return false;
	return c->hour <= 23 && c->min <= 59 && c->sec <= 59;
}

static bool
period_scan_time(const char *s, struct period_time *t)
{
	struct period_date	d;
	long long		v;
	char			*end;
	int			offset;

	memset(t, 0, sizeof *t);
	if (*s == '@') {
		if (!isdigit((unsigned char)s[s[1] == '-' ? 2 : 1]))
			return false;
		errno = 0;
		v = strtoll(s + 1, &end, 10);
		if (errno != 0 || *end != '\0')
			return false;
		t->absolute = true;
		t->epoch = v;
		return true;
	}
	if (!period_scan_date(&s, &d))
		return false;
	t->civil.year = d.year;
	t->civil.month = d.month;
	t->civil.day = d.day;
	if ((*s == 'T' || *s == ' ') && isdigit((unsigned char)s[1])) {
		s++;
		if (!period_scan_clock(&s, &t->civil))
			return false;
	}
	if (*s == '\0')
		return true;
	if (!period_scan_zone(&s, &offset) || *s != '\0')
		return false;
	t->absolute = true;
	t->epoch = period_civil_secs(&t->civil) - offset;
	return true;
}

int
period_parse_time(const char *s, struct period_time *t, char **cause)
{
	if (period_scan_time(s, t))
		return 0;
	*cause = xasprintf("'%s' is not a timestamp (expected YYYY-MM-DD"
	    "[ HH:MM[:SS]] in the backup timezone, the same with Z or "
	    "+HH:MM, or @EPOCH_SECONDS)", s);
	return -1;
}

int
period_parse_range(const char *from, const char *to,
    struct period_spec *spec, char **cause)
{
	memset(spec, 0, sizeof *spec);
	spec->kind = PERIOD_ADHOC;
	if (period_parse_time(from, &spec->from, cause) != 0 ||
	    period_parse_time(to, &spec->to, cause) != 0)
		return -1;
	if (spec->from.absolute == spec->to.absolute &&
	    (spec->from.absolute ? spec->from.epoch >= spec->to.epoch :
	    period_civil_secs(&spec->from.civil) >=
	    period_civil_secs(&spec->to.civil))) {
		*cause = xasprintf("empty range: --from %s is not before "
		    "--to %s", from, to);
		return -1;
	}
	return 0;
}

/* "YYYYMMDDTHHMMSSZ" */
static bool
period_scan_compact(const char **s, int64_t *epoch)
{
	struct period_civil	c;

	memset(&c, 0, sizeof c);
	if (!period_digits(s, 4, &c.year) || !period_digits(s, 2, &c.month) ||
	    !period_digits(s, 2, &c.day) || !period_char(s, 'T') ||
	    !period_digits(s, 2, &c.hour) || !period_digits(s, 2, &c.min) ||
	    !period_digits(s, 2, &c.sec) || !period_char(s, 'Z'))
		return false;
	if (!period_date_valid(c.year, c.month, c.day) || c.hour > 23 ||
	    c.min > 59 || c.sec > 59)
		return false;
	*epoch = period_civil_secs(&c);
	return true;
}

static int
period_parse_adhoc_id(const char *s, struct period_spec *spec, char **cause)
{
	const char	*p = s;

	memset(spec, 0, sizeof *spec);
	spec->kind = PERIOD_ADHOC;
	spec->from.absolute = spec->to.absolute = true;
	if (!period_scan_compact(&p, &spec->from.epoch) ||
	    !period_char(&p, '_') ||
	    !period_scan_compact(&p, &spec->to.epoch) ||
	    *p != '\0' || spec->from.epoch >= spec->to.epoch) {
		*cause = xasprintf("'%s' is not an adhoc period (expected "
		    "YYYYMMDDTHHMMSSZ_YYYYMMDDTHHMMSSZ, from before to)", s);
		return -1;
	}
	return 0;
}

int
period_parse_id(enum period_kind kind, const char *s,
    struct period_spec *spec, char **cause)
{
	switch (kind) {
	case PERIOD_DAILY:
		return period_parse_day(s, spec, cause);
	case PERIOD_WEEKLY:
		return period_parse_week(s, spec, cause);
	case PERIOD_ADHOC:
		return period_parse_adhoc_id(s, spec, cause);
	}
	*cause = xstrdup("unknown period kind");
	return -1;
}

int
period_parse_compact(const char *s, int64_t *epoch)
{
	return period_scan_compact(&s, epoch) && *s == '\0' ? 0 : -1;
}

int
period_parse_iso(const char *s, int64_t *epoch)
{
	struct period_time	t;

	if (strlen(s) != 20 || s[10] != 'T' || s[19] != 'Z' ||
	    !period_scan_time(s, &t) || !t.absolute)
		return -1;
	*epoch = t.epoch;
	return 0;
}

/* ---------------------------------------------------------------- periods */

void
period_apply_rel(struct period_spec *spec, const struct period_date *today)
{
	struct period_date	d = *today;

	switch (spec->rel) {
	case PERIOD_FIXED:
		return;
	case PERIOD_YESTERDAY:
		period_date_add(&d, -1);
		spec->kind = PERIOD_DAILY;
		spec->day = d;
		break;
	case PERIOD_LAST_WEEK:
		period_date_add(&d, -7);
		spec->kind = PERIOD_WEEKLY;
		period_iso_week(&d, &spec->iso_year, &spec->iso_week);
		break;
	}
	spec->rel = PERIOD_FIXED;
}

static void
period_midnight(struct period_time *t, const struct period_date *d)
{
	memset(t, 0, sizeof *t);
	t->civil.year = d->year;
	t->civil.month = d->month;
	t->civil.day = d->day;
}

void
period_bounds(const struct period_spec *spec, struct period_time *from,
    struct period_time *to)
{
	struct period_date	d;

	switch (spec->kind) {
	case PERIOD_DAILY:
		d = spec->day;
		period_midnight(from, &d);
		period_date_add(&d, 1);
		period_midnight(to, &d);
		break;
	case PERIOD_WEEKLY:
		period_iso_monday(spec->iso_year, spec->iso_week, &d);
		period_midnight(from, &d);
		period_date_add(&d, 7);
		period_midnight(to, &d);
		break;
	case PERIOD_ADHOC:
		*from = spec->from;
		*to = spec->to;
		break;
	}
}

int
period_resolve(const struct period_spec *spec, int64_t from, int64_t to,
    struct period *p, char **cause)
{
	char	a[24], b[24];

	memset(p, 0, sizeof *p);
	if (from >= to) {
		period_fmt_iso(a, sizeof a, from);
		period_fmt_iso(b, sizeof b, to);
		*cause = xasprintf("empty range: %s is not before %s", a, b);
		return -1;
	}
	p->kind = spec->kind;
	p->from = from;
	p->to = to;
	switch (spec->kind) {
	case PERIOD_DAILY:
		period_fmt_date(p->id, sizeof p->id, &spec->day);
		break;
	case PERIOD_WEEKLY:
		period_fmt_week(p->id, sizeof p->id, spec->iso_year,
		    spec->iso_week);
		break;
	case PERIOD_ADHOC:
		period_fmt_compact(a, sizeof a, from);
		period_fmt_compact(b, sizeof b, to);
		snprintf(p->id, sizeof p->id, "%s_%s", a, b);
		break;
	}
	return 0;
}

/* ---------------------------------------------------------------- tzcode */

static bool
period_tz_name_ok(const char *tz)
{
	const char	*p;

	if (*tz == '\0' || *tz == '/' || strlen(tz) > 64 ||
	    strstr(tz, "..") != NULL)
		return false;
	for (p = tz; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr("/_+-", *p) == NULL)
			return false;
	}
	return true;
}

int
period_tz_check(const char *tz, char **cause)
{
	const char	*dir = getenv("TZDIR");
	struct stat	 st;
	char		*path;
	int		 found;

	if (tz != NULL && strcmp(tz, "UTC") == 0)
		return 0;
	if (tz == NULL || !period_tz_name_ok(tz)) {
		*cause = xasprintf("'%s' is not a timezone name (expected an "
		    "IANA name such as Europe/Moscow, or UTC)",
		    tz != NULL ? tz : "");
		return -1;
	}
	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	path = xasprintf("%s/%s", dir, tz);
	found = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	free(path);
	if (!found) {
		*cause = xasprintf("unknown timezone '%s' (not in %s)", tz,
		    dir);
		return -1;
	}
	return 0;
}

/* Sets TZ for a computation; returns the old value to restore (or NULL). */
static char *
period_tz_push(const char *tz)
{
	const char	*old = getenv("TZ");
	char		*saved = old != NULL ? xstrdup(old) : NULL;

	setenv("TZ", tz, 1);
	tzset();
	return saved;
}

static void
period_tz_pop(char *saved)
{
	if (saved != NULL)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

/* Local wall-clock seconds (as if UTC) at instant t, under the current TZ. */
static int64_t
period_local_at(int64_t t)
{
	time_t		tt = (time_t)t;
	struct tm	tm;

	if (localtime_r(&tt, &tm) == NULL)
		return t;
	return t + tm.tm_gmtoff;
}

/*
 * The earliest instant whose local time is at least L: the instant itself
 * when L exists, the first occurrence when it happens twice (clocks turned
 * back), the end of the gap when it does not exist (clocks turned forward).
 */
static int64_t
period_solve_local(int64_t L)
{
	int64_t	offs[3], t, best = INT64_MAX, lo, hi, mid;
	int	i;

	offs[0] = period_local_at(L - 86400) - (L - 86400);
	offs[1] = period_local_at(L) - L;
	offs[2] = period_local_at(L + 86400) - (L + 86400);
	for (i = 0; i < 3; i++) {
		t = L - offs[i];
		if (period_local_at(t) == L && t < best)
			best = t;
	}
	if (best != INT64_MAX)
		return best;
	lo = hi = L - offs[0];
	for (i = 0; i < 3; i++) {
		if (L - offs[i] < lo)
			lo = L - offs[i];
		if (L - offs[i] > hi)
			hi = L - offs[i];
	}
	while (lo < hi) {		/* first t with local(t) >= L */
		mid = lo + (hi - lo) / 2;
		if (period_local_at(mid) >= L)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

int
period_local_to_epoch(const char *tz, const struct period_civil *c,
    int64_t *epoch, char **cause)
{
	char	*saved;

	if (period_tz_check(tz, cause) != 0)
		return -1;
	saved = period_tz_push(tz);
	*epoch = period_solve_local(period_civil_secs(c));
	period_tz_pop(saved);
	return 0;
}

int
period_epoch_to_date(const char *tz, int64_t epoch, struct period_date *d,
    char **cause)
{
	struct period_civil	c;
	char			*saved;

	if (period_tz_check(tz, cause) != 0)
		return -1;
	saved = period_tz_push(tz);
	period_split_epoch(period_local_at(epoch), &c);
	period_tz_pop(saved);
	d->year = c.year;
	d->month = c.month;
	d->day = c.day;
	return 0;
}
