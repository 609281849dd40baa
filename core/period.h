/*
 * Backup periods: a day (2026-11-28), an ISO week (2026-W48) or an adhoc
 * range, and the half-open time range [from, to) each one covers.
 *
 * Calendar arithmetic (dates, ISO weeks, week 53, leap days) is done here on
 * the proleptic Gregorian calendar, without any timezone. A day or a week is
 * first expressed in local wall-clock time ("2026-11-28 00:00:00" to
 * "2026-11-29 00:00:00"); turning those into instants takes a timezone. The
 * backup engine asks the ClickHouse server to do that conversion
 * (toUnixTimestamp(toDateTime('...', 'TZ'))), so that the rules are the ones
 * the server uses to partition and show the data; period_local_to_epoch()
 * does the same with the system's tzcode, for tests and tools that work
 * without a server. The two agree wherever the tz databases do.
 */
#ifndef CHOPS_PERIOD_H
#define CHOPS_PERIOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum period_kind {
	PERIOD_DAILY,
	PERIOD_WEEKLY,
	PERIOD_ADHOC,
};

/* Which period a plan means, relative to "today" in the backup timezone. */
enum period_rel {
	PERIOD_FIXED,		/* the period in the spec */
	PERIOD_YESTERDAY,	/* daily plans */
	PERIOD_LAST_WEEK,	/* weekly plans: the previous ISO week */
};

struct period_date {
	int	year, month, day;
};

/* Wall-clock time, no timezone attached. */
struct period_civil {
	int	year, month, day, hour, min, sec;
};

/* A bound of an adhoc range: local time, or an instant (Z, +03:00, @N). */
struct period_time {
	bool			absolute;
	int64_t			epoch;		/* when absolute */
	struct period_civil	civil;		/* when not */
};

/* What was asked for, before any timezone is applied. */
struct period_spec {
	enum period_kind	kind;
	enum period_rel		rel;
	struct period_date	day;		/* daily */
	int			iso_year;	/* weekly */
	int			iso_week;
	struct period_time	from;		/* adhoc */
	struct period_time	to;
};

/* Longest period id: "YYYYMMDDTHHMMSSZ_YYYYMMDDTHHMMSSZ" plus slack. */
#define PERIOD_ID_MAX	48

/* A resolved period: what a backup covers. */
struct period {
	enum period_kind	kind;
	char			id[PERIOD_ID_MAX];
	int64_t			from;		/* epoch seconds, inclusive */
	int64_t			to;		/* epoch seconds, exclusive */
};

const char	*period_kind_name(enum period_kind);	/* daily weekly adhoc */
int		 period_kind_parse(const char *, enum period_kind *);

/* --day YYYY-MM-DD */
int		 period_parse_day(const char *, struct period_spec *,
		     char **cause);
/* --week YYYY-Www (ISO 8601 week; W53 only in years that have one) */
int		 period_parse_week(const char *, struct period_spec *,
		     char **cause);
/*
 * A timestamp: "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" or with 'T' between,
 * in local time of the backup timezone; with "Z" or "+HH:MM" / "-HH:MM"
 * appended, or "@EPOCH", an instant.
 */
int		 period_parse_time(const char *, struct period_time *,
		     char **cause);
/* --from TS --to TS */
int		 period_parse_range(const char *from, const char *to,
		     struct period_spec *, char **cause);
/*
 * A period id as it appears in keys and backup ids, for the given kind.
 * Adhoc ids give absolute bounds.
 */
int		 period_parse_id(enum period_kind, const char *,
		     struct period_spec *, char **cause);

/* Turns a relative spec (plans) into a fixed one, given today's date. */
void		 period_apply_rel(struct period_spec *,
		     const struct period_date *today);
/* The bounds of a fixed spec in local time (or absolute for adhoc). */
void		 period_bounds(const struct period_spec *,
		     struct period_time *from, struct period_time *to);
/*
 * Completes a period from its spec and the bounds as instants: checks
 * from < to and writes the id. Returns 0, or -1 with *cause.
 */
int		 period_resolve(const struct period_spec *, int64_t from,
		     int64_t to, struct period *, char **cause);

/* ---------------------------------------------------------------- calendar */

bool		 period_date_valid(int year, int month, int day);
/* Days since 1970-01-01 (negative before). */
int64_t		 period_days_from_date(const struct period_date *);
void		 period_date_from_days(int64_t, struct period_date *);
void		 period_date_add(struct period_date *, int days);
/* 1 = Monday ... 7 = Sunday */
int		 period_weekday(const struct period_date *);
/* 52 or 53 */
int		 period_iso_weeks(int iso_year);
void		 period_iso_week(const struct period_date *, int *iso_year,
		     int *iso_week);
/* The Monday of an ISO week. */
void		 period_iso_monday(int iso_year, int iso_week,
		     struct period_date *);
int		 period_date_cmp(const struct period_date *,
		     const struct period_date *);

/* "YYYY-MM-DD" and "YYYY-Www" into buffers of at least 16 bytes. */
void		 period_fmt_date(char *, size_t, const struct period_date *);
void		 period_fmt_week(char *, size_t, int iso_year, int iso_week);
/* "2026-11-28 00:00:00", the form toDateTime() reads. */
void		 period_fmt_civil(char *, size_t, const struct period_civil *);
/* "20261127T210000Z" (key-safe) and "2026-11-27T21:00:00Z". */
void		 period_fmt_compact(char *, size_t, int64_t epoch);
void		 period_fmt_iso(char *, size_t, int64_t epoch);
/* Parse what period_fmt_iso and period_fmt_compact write; 0 or -1. */
int		 period_parse_iso(const char *, int64_t *epoch);
int		 period_parse_compact(const char *, int64_t *epoch);

/* ---------------------------------------------------------------- tzcode */

/*
 * A timezone name chops accepts: "UTC" or an IANA name of letters, digits
 * and "/_+-" (no "..", not absolute) that exists in the system's zoneinfo.
 * Returns 0, or -1 with *cause.
 */
int		 period_tz_check(const char *, char **cause);
/*
 * Local wall-clock time in `tz` to an instant, with the system tzcode (TZ
 * set for the call, then restored: not thread-safe). A time that does not
 * exist (a DST gap) is read with the offset in force before the gap, the
 * way ClickHouse does.
 */
int		 period_local_to_epoch(const char *tz,
		     const struct period_civil *, int64_t *, char **cause);
/* The date in `tz` at the instant `epoch`. */
int		 period_epoch_to_date(const char *tz, int64_t epoch,
		     struct period_date *, char **cause);

#endif
