/* Periods: parsing, ISO weeks, ranges and timezone boundaries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "period.h"

static void
test_calendar_roundtrip(void **state)
{
	struct period_date	d, e;
	int64_t			z;

	for (z = -800000; z <= 800000; z += 37) {
		period_date_from_days(z, &d);
		assert_true(period_date_valid(d.year, d.month, d.day) ||
		    d.year < 1);
		assert_int_equal(period_days_from_date(&d), z);
	}
	d = (struct period_date){ 1970, 1, 1 };
	assert_int_equal(period_days_from_date(&d), 0);
	assert_int_equal(period_weekday(&d), 4);	/* Thursday */
	d = (struct period_date){ 2024, 2, 28 };
	period_date_add(&d, 1);
	e = (struct period_date){ 2024, 2, 29 };
	assert_int_equal(period_date_cmp(&d, &e), 0);
	period_date_add(&d, 1);
	assert_int_equal(d.month, 3);
	assert_int_equal(d.day, 1);
	assert_false(period_date_valid(2026, 2, 29));
	assert_true(period_date_valid(2000, 2, 29));
	assert_false(period_date_valid(1900, 2, 29));
}

static const struct {
	int	y, m, d;	/* date */
	int	iy, iw;		/* its ISO week */
} iso_cases[] = {
	{ 2026, 11, 28, 2026, 48 },
	{ 2026, 11, 23, 2026, 48 },	/* Monday */
	{ 2026, 11, 29, 2026, 48 },	/* Sunday */
	{ 2005, 1, 1, 2004, 53 },	/* belongs to the previous year */
	{ 2005, 1, 2, 2004, 53 },
	{ 2005, 12, 31, 2005, 52 },
	{ 2007, 1, 1, 2007, 1 },
	{ 2007, 12, 30, 2007, 52 },
	{ 2007, 12, 31, 2008, 1 },	/* belongs to the next year */
	{ 2008, 12, 29, 2009, 1 },
	{ 2009, 12, 31, 2009, 53 },
	{ 2010, 1, 3, 2009, 53 },
	{ 2010, 1, 4, 2010, 1 },
	{ 2020, 12, 31, 2020, 53 },
	{ 2021, 1, 3, 2020, 53 },
	{ 2026, 12, 31, 2026, 53 },
	{ 2027, 1, 3, 2026, 53 },
	{ 2027, 1, 4, 2027, 1 },
	{ 2024, 2, 29, 2024, 9 },	/* leap day */
};

static void
test_iso_week(void **state)
{
	struct period_date	d, mon;
	size_t			i;
	int			y, w;

	for (i = 0; i < sizeof iso_cases / sizeof *iso_cases; i++) {
		d = (struct period_date){ iso_cases[i].y, iso_cases[i].m,
		    iso_cases[i].d };
		period_iso_week(&d, &y, &w);
		if (y != iso_cases[i].iy || w != iso_cases[i].iw)
			fail_msg("%d-%02d-%02d: got %d-W%02d", d.year, d.month,
			    d.day, y, w);
		period_iso_monday(y, w, &mon);
		assert_int_equal(period_weekday(&mon), 1);
		assert_true(period_days_from_date(&d) -
		    period_days_from_date(&mon) < 7);
		assert_true(period_days_from_date(&d) >=
		    period_days_from_date(&mon));
	}
	assert_int_equal(period_iso_weeks(2026), 53);
	assert_int_equal(period_iso_weeks(2025), 52);
	assert_int_equal(period_iso_weeks(2020), 53);
	assert_int_equal(period_iso_weeks(2004), 53);
	assert_int_equal(period_iso_weeks(2015), 53);
	assert_int_equal(period_iso_weeks(2016), 52);
}

static const struct {
	const char	*in;
	bool		 ok;
} day_cases[] = {
	{ "2026-11-28", true },
	{ "2024-02-29", true },
	{ "2026-02-29", false },
	{ "2026-13-01", false },
	{ "2026-11-31", false },
	{ "2026-1-28", false },
	{ "2026-11-28 ", false },
	{ "20261128", false },
	{ "", false },
	{ "2026-11-28x", false },
};

static void
test_parse_day(void **state)
{
	struct period_spec	spec;
	char			*cause = NULL;
	size_t			i;
	int			rc;

	for (i = 0; i < sizeof day_cases / sizeof *day_cases; i++) {
		rc = period_parse_day(day_cases[i].in, &spec, &cause);
		if ((rc == 0) != day_cases[i].ok)
			fail_msg("'%s': rc %d", day_cases[i].in, rc);
		if (rc != 0) {
			assert_non_null(strstr(cause, "YYYY-MM-DD"));
			free(cause);
			cause = NULL;
		} else
			assert_int_equal(spec.kind, PERIOD_DAILY);
	}
}

static const struct {
	const char	*in;
	int		 y, w;		/* 0: invalid */
} week_cases[] = {
	{ "2026-W48", 2026, 48 },
	{ "2026-W53", 2026, 53 },
	{ "2025-W53", 0, 0 },
	{ "2020-W53", 2020, 53 },
	{ "2026-W01", 2026, 1 },
	{ "2026-W00", 0, 0 },
	{ "2026-W54", 0, 0 },
	{ "2026-W1", 0, 0 },
	{ "2026W48", 0, 0 },
	{ "2026-w48", 0, 0 },
	{ "2026-48", 0, 0 },
};

static void
test_parse_week(void **state)
{
	struct period_spec	spec;
	char			*cause = NULL;
	size_t			i;
	int			rc;

	for (i = 0; i < sizeof week_cases / sizeof *week_cases; i++) {
		rc = period_parse_week(week_cases[i].in, &spec, &cause);
		if ((rc == 0) != (week_cases[i].y != 0))
			fail_msg("'%s': rc %d", week_cases[i].in, rc);
		if (rc != 0) {
			free(cause);
			cause = NULL;
			continue;
		}
		assert_int_equal(spec.iso_year, week_cases[i].y);
		assert_int_equal(spec.iso_week, week_cases[i].w);
	}
	assert_int_equal(period_parse_week("2025-W53", &spec, &cause), -1);
	assert_non_null(strstr(cause, "weeks 01 to 52"));
	free(cause);
}

static const struct {
	const char	*in;
	bool		 ok, absolute;
	int64_t		 epoch;		/* when absolute */
	int		 y, mo, d, h, mi, s;	/* when local */
} time_cases[] = {
	{ "2026-11-28", true, false, 0, 2026, 11, 28, 0, 0, 0 },
	{ "2026-11-28 12:30", true, false, 0, 2026, 11, 28, 12, 30, 0 },
	{ "2026-11-28T12:30:15", true, false, 0, 2026, 11, 28, 12, 30, 15 },
	{ "2026-11-28T00:00:00Z", true, true, 1795824000, 0, 0, 0, 0, 0, 0 },
	{ "2026-11-28 03:00:00+03:00", true, true, 1795824000, 0, 0, 0, 0, 0,
	  0 },
	{ "2026-11-27T19:00-0500", true, true, 1795824000, 0, 0, 0, 0, 0, 0 },
	{ "@1795824000", true, true, 1795824000, 0, 0, 0, 0, 0, 0 },
	{ "@-1", true, true, -1, 0, 0, 0, 0, 0, 0 },
	{ "@", false, false, 0, 0, 0, 0, 0, 0, 0 },
	{ "@12x", false, false, 0, 0, 0, 0, 0, 0, 0 },
	{ "2026-11-28 24:00", false, false, 0, 0, 0, 0, 0, 0, 0 },
	{ "2026-11-28 12", false, false, 0, 0, 0, 0, 0, 0, 0 },
	{ "2026-11-28T12:00:00+3", false, false, 0, 0, 0, 0, 0, 0, 0 },
	{ "2026-11-28 12:00 UTC", false, false, 0, 0, 0, 0, 0, 0, 0 },
	{ "yesterday", false, false, 0, 0, 0, 0, 0, 0, 0 },
};

static void
test_parse_time(void **state)
{
	struct period_time	t;
	char			*cause = NULL;
	size_t			i;
	int			rc;

	for (i = 0; i < sizeof time_cases / sizeof *time_cases; i++) {
		rc = period_parse_time(time_cases[i].in, &t, &cause);
		if ((rc == 0) != time_cases[i].ok)
			fail_msg("'%s': rc %d", time_cases[i].in, rc);
		if (rc != 0) {
			free(cause);
			cause = NULL;
			continue;
		}
		assert_int_equal(t.absolute, time_cases[i].absolute);
		if (t.absolute) {
			assert_int_equal(t.epoch, time_cases[i].epoch);
			continue;
		}
		assert_int_equal(t.civil.year, time_cases[i].y);
		assert_int_equal(t.civil.month, time_cases[i].mo);
		assert_int_equal(t.civil.day, time_cases[i].d);
		assert_int_equal(t.civil.hour, time_cases[i].h);
		assert_int_equal(t.civil.min, time_cases[i].mi);
		assert_int_equal(t.civil.sec, time_cases[i].s);
	}
}

static void
test_parse_range(void **state)
{
	struct period_spec	spec;
	struct period		p;
	char			*cause = NULL;

	assert_int_equal(period_parse_range("2026-11-28T00:00:00Z",
	    "@1795910400", &spec, &cause), 0);
	assert_int_equal(spec.kind, PERIOD_ADHOC);
	assert_int_equal(period_resolve(&spec, spec.from.epoch, spec.to.epoch,
	    &p, &cause), 0);
	assert_string_equal(p.id, "20261128T000000Z_20261129T000000Z");

	assert_int_equal(period_parse_range("2026-11-29", "2026-11-28", &spec,
	    &cause), -1);
	assert_non_null(strstr(cause, "empty range"));
	free(cause);
	assert_int_equal(period_parse_range("@5", "@5", &spec, &cause), -1);
	free(cause);
	assert_int_equal(period_parse_range("2026-11-28", "nope", &spec,
	    &cause), -1);
	assert_non_null(strstr(cause, "'nope'"));
	free(cause);
	assert_int_equal(period_resolve(&spec, 10, 10, &p, &cause), -1);
	free(cause);
}

static const struct {
	enum period_kind kind;
	const char	*id;
	bool		 ok;
} id_cases[] = {
	{ PERIOD_DAILY, "2026-11-28", true },
	{ PERIOD_DAILY, "2026-W48", false },
	{ PERIOD_WEEKLY, "2026-W48", true },
	{ PERIOD_WEEKLY, "2026-11-28", false },
	{ PERIOD_ADHOC, "20261128T000000Z_20261129T000000Z", true },
	{ PERIOD_ADHOC, "20261129T000000Z_20261128T000000Z", false },
	{ PERIOD_ADHOC, "20261128T000000Z-20261129T000000Z", false },
	{ PERIOD_ADHOC, "20261128T000000_20261129T000000", false },
	{ PERIOD_ADHOC, "20261128T250000Z_20261129T000000Z", false },
	{ PERIOD_ADHOC, "20261128T000000Z_20261129T000000Zx", false },
};

static void
test_parse_id(void **state)
{
	struct period_spec	spec;
	struct period		p;
	struct period_time	from, to;
	char			*cause = NULL;
	size_t			i;
	int			rc;

	for (i = 0; i < sizeof id_cases / sizeof *id_cases; i++) {
		rc = period_parse_id(id_cases[i].kind, id_cases[i].id, &spec,
		    &cause);
		if ((rc == 0) != id_cases[i].ok)
			fail_msg("%s '%s': rc %d",
			    period_kind_name(id_cases[i].kind), id_cases[i].id,
			    rc);
		if (rc != 0) {
			free(cause);
			cause = NULL;
			continue;
		}
		/* ids round-trip (adhoc ones carry their instants) */
		period_bounds(&spec, &from, &to);
		rc = period_resolve(&spec, from.absolute ? from.epoch : 0,
		    to.absolute ? to.epoch : 1, &p, &cause);
		assert_int_equal(rc, 0);
		assert_string_equal(p.id, id_cases[i].id);
	}
}

static void
test_relative(void **state)
{
	static const struct {
		struct period_date today;
		enum period_rel rel;
		const char	*id;
	} cases[] = {
		{ { 2026, 11, 29 }, PERIOD_YESTERDAY, "2026-11-28" },
		{ { 2026, 3, 1 }, PERIOD_YESTERDAY, "2026-02-28" },
		{ { 2024, 3, 1 }, PERIOD_YESTERDAY, "2024-02-29" },
		{ { 2027, 1, 1 }, PERIOD_YESTERDAY, "2026-12-31" },
		{ { 2026, 11, 30 }, PERIOD_LAST_WEEK, "2026-W48" }, /* Mon */
		{ { 2026, 11, 29 }, PERIOD_LAST_WEEK, "2026-W47" }, /* Sun */
		{ { 2027, 1, 4 }, PERIOD_LAST_WEEK, "2026-W53" },
		{ { 2027, 1, 10 }, PERIOD_LAST_WEEK, "2026-W53" },
		{ { 2027, 1, 11 }, PERIOD_LAST_WEEK, "2027-W01" },
		{ { 2021, 1, 6 }, PERIOD_LAST_WEEK, "2020-W53" },
	};
	struct period_spec	spec;
	struct period		p;
	char			*cause = NULL;
	size_t			i;

	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		memset(&spec, 0, sizeof spec);
		spec.rel = cases[i].rel;
		period_apply_rel(&spec, &cases[i].today);
		assert_int_equal(spec.rel, PERIOD_FIXED);
		assert_int_equal(period_resolve(&spec, 0, 1, &p, &cause), 0);
		assert_string_equal(p.id, cases[i].id);
	}
}

/* Day and week lengths, through the system tzcode. */
static const struct {
	const char	*tz;
	const char	*period;	/* day or week */
	int64_t		 from;
	int64_t		 hours;		/* length of [from, to), rounded down */
} tz_cases[] = {
	{ "UTC", "2026-11-28", 1795824000, 24 },
	{ "Europe/Moscow", "2026-11-28", 1795813200, 24 },
	{ "Europe/Berlin", "2026-03-29", 1774738800, 23 },	/* spring */
	{ "Europe/Berlin", "2026-10-25", 1792879200, 25 },	/* autumn */
	{ "America/New_York", "2026-03-08", 1772946000, 23 },
	{ "America/New_York", "2026-11-01", 1793505600, 25 },
	/* midnight does not exist: the day starts at 01:00 -03 */
	{ "America/Santiago", "2026-09-06", 1788667200, 23 },
	{ "Australia/Lord_Howe", "2026-10-04", 1791034200, 23 }, /* 23.5 */
	{ "Asia/Kolkata", "2024-02-29", 1709145000, 24 },	/* leap day */
	{ "Europe/Berlin", "2026-W13", 1774220400, 7 * 24 - 1 },
	{ "UTC", "2026-W53", 1798416000, 7 * 24 },
	{ "Pacific/Kiritimati", "2026-11-28", 1795773600, 24 },
};

static void
test_tz_bounds(void **state)
{
	struct period_spec	spec;
	struct period_time	from, to;
	int64_t			a, b;
	char			*cause = NULL;
	size_t			i;

	for (i = 0; i < sizeof tz_cases / sizeof *tz_cases; i++) {
		if (strchr(tz_cases[i].period, 'W') != NULL)
			assert_int_equal(period_parse_week(tz_cases[i].period,
			    &spec, &cause), 0);
		else
			assert_int_equal(period_parse_day(tz_cases[i].period,
			    &spec, &cause), 0);
		period_bounds(&spec, &from, &to);
		assert_int_equal(period_local_to_epoch(tz_cases[i].tz,
		    &from.civil, &a, &cause), 0);
		assert_int_equal(period_local_to_epoch(tz_cases[i].tz,
		    &to.civil, &b, &cause), 0);
		if (a != tz_cases[i].from ||
		    (b - a) / 3600 != tz_cases[i].hours)
			fail_msg("%s %s: [%lld, %lld) (%lld h)", tz_cases[i].tz,
			    tz_cases[i].period, (long long)a, (long long)b,
			    (long long)(b - a) / 3600);
	}
}

static void
test_tz_check(void **state)
{
	struct period_date	d;
	struct period_civil	c = { 2026, 11, 28, 0, 0, 0 };
	int64_t			t;
	char			*cause = NULL;

	assert_int_equal(period_tz_check("UTC", &cause), 0);
	assert_int_equal(period_tz_check("Europe/Moscow", &cause), 0);
	assert_int_equal(period_tz_check("Nope/Zone", &cause), -1);
	assert_non_null(strstr(cause, "unknown timezone"));
	free(cause);
	assert_int_equal(period_tz_check("../../etc/passwd", &cause), -1);
	free(cause);
	assert_int_equal(period_tz_check("/etc/localtime", &cause), -1);
	free(cause);
	assert_int_equal(period_local_to_epoch("Bad Zone", &c, &t, &cause), -1);
	free(cause);
	/* TZ is restored afterwards */
	setenv("TZ", "Asia/Tokyo", 1);
	assert_int_equal(period_epoch_to_date("America/Los_Angeles",
	    1795824000, &d, &cause), 0);
	assert_string_equal(getenv("TZ"), "Asia/Tokyo");
	assert_int_equal(d.day, 27);
	unsetenv("TZ");
	assert_int_equal(period_epoch_to_date("Asia/Tokyo", 1795824000, &d,
	    &cause), 0);
	assert_null(getenv("TZ"));
	assert_int_equal(d.day, 28);
}

static void
test_format(void **state)
{
	char	s[32];
	int64_t	t;

	period_fmt_iso(s, sizeof s, 1795824000);
	assert_string_equal(s, "2026-11-28T00:00:00Z");
	assert_int_equal(period_parse_iso(s, &t), 0);
	assert_int_equal(t, 1795824000);
	period_fmt_iso(s, sizeof s, -1);
	assert_string_equal(s, "1969-12-31T23:59:59Z");
	period_fmt_compact(s, sizeof s, 1795813200);
	assert_string_equal(s, "20261127T210000Z");
	assert_int_equal(period_parse_iso("2026-11-28 00:00:00Z", &t), -1);
	assert_int_equal(period_parse_iso("2026-11-28T00:00:00+01:00", &t), -1);
	assert_string_equal(period_kind_name(PERIOD_WEEKLY), "weekly");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_calendar_roundtrip),
		cmocka_unit_test(test_iso_week),
		cmocka_unit_test(test_parse_day),
		cmocka_unit_test(test_parse_week),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_parse_range),
		cmocka_unit_test(test_parse_id),
		cmocka_unit_test(test_relative),
		cmocka_unit_test(test_tz_bounds),
		cmocka_unit_test(test_tz_check),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
