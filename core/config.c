/*
 * Configuration loader: an INI file read with libinih, then environment
 * overrides, then checks that span keys. One option table drives parsing,
 * defaults, validation and the reference text.
 *
 * libinih is fed by our own reader, which counts lines (for messages),
 * refuses lines that do not fit instead of letting them be cut, strips
 * leading blanks (so an indented line is never a silent continuation of the
 * previous value) and sees every [section] line, even of empty sections.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ini.h>

#include "buf.h"
#include "config.h"
#include "util.h"
#include "xmalloc.h"

/*
 * Debian's libinih sizes its line buffer from this variable at run time;
 * other builds use a fixed size and have no such symbol. It is weak so that
 * both link; the reader copes with whatever size it is handed.
 */
extern int ini_max_line;
#pragma weak ini_max_line

#define CONFIG_FILE_MAX		(1024 * 1024)
#define SECRET_FILE_MAX		(64 * 1024)
#define PLAN_NAME_MAX		64
#define PLAN_PREFIX		"backup."

_Static_assert(sizeof (enum kafka_source) == sizeof (int), "enum size");
_Static_assert(sizeof (enum backup_schedule) == sizeof (int), "enum size");

enum opt_type {
	OPT_STRING,		/* non-empty text */
	OPT_PATH,		/* readable file, relative to the config file */
	OPT_URL,		/* http:// or https:// */
	OPT_URLS,		/* comma list into char ** and a count */
	OPT_SECRET,		/* secret written inline */
	OPT_SECRET_ENV,		/* name of a variable holding the secret */
	OPT_SECRET_FILE,	/* private file holding the secret */
	OPT_DURATION,		/* int64_t milliseconds */
	OPT_SIZE,		/* uint64_t bytes */
	OPT_INT,		/* int */
	OPT_NUMBER,		/* double */
	OPT_BOOL,
	OPT_CHOICE,		/* one of choices, stored as a string */
	OPT_ENUM,		/* one of choices, stored as its index */
	OPT_PREFIX,		/* object key prefix: "" or ends with '/' */
	OPT_TABLE,		/* db.table */
	OPT_COLUMN,		/* column name */
};

#define OPTF_REQUIRED	0x01	/* must be set in its section */
#define OPTF_EMPTY	0x02	/* an empty value means unset (NULL) */
#define OPTF_ONE	0x04	/* OPT_URLS: exactly one URL */
#define OPTF_ENV_UNSET	0x08	/* environment used only if the file is silent */
#define OPTF_WARN	0x10	/* true deserves a warning */

/* Options of which at most one may be set in a file. */
enum {
	GROUP_NONE,
	GROUP_CH_URL,
	GROUP_CH_PASSWORD,
	GROUP_S3_ACCESS,
	GROUP_S3_SECRET,
};

struct section {
	const char	*name;
	int		 plan;		/* [backup.NAME]: fields of a cfg_plan */
	const char	*help;
};

struct option {
	const char		*section;
	const char		*key;
	enum opt_type		 type;
	const char		*def;		/* as written in a file, or NULL */
	const char		*min;		/* numbers: range as written */
	const char		*max;
	const char *const	*choices;	/* NULL-terminated */
	size_t			 offset;	/* into struct config or cfg_plan */
	size_t			 count;		/* OPT_URLS: offset of the count */
	int			 group;
	int			 flags;
	const char		*env[2];	/* overrides; first set wins */
	const char		*help;
};

struct parse {
	const char		*name;		/* file name for messages or NULL */
	char			*dir;		/* its directory; NULL: current */
	int			 env_phase;	/* values come from the environment */
	const char		*text;
	size_t			 len;
	size_t			 pos;
	int			 line;
	struct config		*cfg;
	const struct section	*sect;		/* current section or NULL */
	char			*sect_name;	/* as written: backup.daily */
	struct cfg_plan		*plan;		/* current plan or NULL */
	int			 sect_line;
	int			*sect_seen;	/* line each section opened at */
	int			*seen;		/* line each option was set at */
	int			*plan_lines;	/* line each plan opened at */
	const struct option	*secret;	/* first inline secret */
	char			*cause;
	int			 cause_line;
};

typedef int (*opt_set_fn)(struct parse *, const struct option *, void *,
    const char *, char **);

static const char *const kafka_sources[] = { "exporter", "prometheus", NULL };
static const char *const schedules[] = { "daily", "weekly", NULL };
static const char *const engines[] = { "stream", "server", NULL };
static const char *const formats[] = { "native", "parquet", NULL };
static const char *const compressions[] = { "zstd", "gzip", "none", NULL };

static const struct section sections[] = {
	{ "clickhouse", 0, "ClickHouse HTTP interface." },
	{ "s3", 0, "S3-compatible storage for backups (path-style)." },
	{ "prometheus", 0, "Prometheus HTTP API (optional)." },
	{ "kafka", 0, "Where consumer lag comes from." },
	{ "ui", 0, "The console: refresh rates, theme and thresholds." },
	{ "backup", 1, "A backup plan; any number of [backup.NAME] sections." },
};

#define C(f)	offsetof(struct config, f)
#define P(f)	offsetof(struct cfg_plan, f)

static const struct option options[] = {
	/* [clickhouse] */
	{ .section = "clickhouse", .key = "url", .type = OPT_URLS,
	  .def = "http://127.0.0.1:8123", .offset = C(clickhouse.urls),
	  .count = C(clickhouse.n_urls), .group = GROUP_CH_URL,
	  .flags = OPTF_ONE,
	  .help = "One node. Not with urls." },
	{ .section = "clickhouse", .key = "urls", .type = OPT_URLS,
	  .offset = C(clickhouse.urls), .count = C(clickhouse.n_urls),
	  .group = GROUP_CH_URL, .env = { "CLICKHOUSE_URL" },
	  .help = "Several nodes: url, url, ... Not with url." },
	{ .section = "clickhouse", .key = "user", .type = OPT_STRING,
	  .def = "default", .offset = C(clickhouse.user),
	  .env = { "CLICKHOUSE_USER" },
	  .help = "User name." },
	{ .section = "clickhouse", .key = "password", .type = OPT_SECRET,
	  .def = "", .offset = C(clickhouse.password),
	  .group = GROUP_CH_PASSWORD, .env = { "CLICKHOUSE_PASSWORD" },
	  .help = "Password; the file must then be mode 600." },
	{ .section = "clickhouse", .key = "password_env",
	  .type = OPT_SECRET_ENV, .offset = C(clickhouse.password),
	  .group = GROUP_CH_PASSWORD,
	  .help = "Name of an environment variable holding the password." },
	{ .section = "clickhouse", .key = "password_file",
	  .type = OPT_SECRET_FILE, .offset = C(clickhouse.password),
	  .group = GROUP_CH_PASSWORD,
	  .help = "File (mode 600) holding the password." },
	{ .section = "clickhouse", .key = "timeout", .type = OPT_DURATION,
	  .def = "10s", .min = "100ms", .max = "1h",
	  .offset = C(clickhouse.timeout_ms),
	  .help = "Whole request, for health queries." },
	{ .section = "clickhouse", .key = "connect_timeout",
	  .type = OPT_DURATION, .def = "3s", .min = "100ms", .max = "5m",
	  .offset = C(clickhouse.connect_timeout_ms),
	  .help = "TCP and TLS connection setup." },
	{ .section = "clickhouse", .key = "ca_file", .type = OPT_PATH,
	  .offset = C(clickhouse.tls.ca_file), .flags = OPTF_EMPTY,
	  .help = "CA bundle (PEM); default: the system's." },
	{ .section = "clickhouse", .key = "insecure", .type = OPT_BOOL,
	  .def = "false", .offset = C(clickhouse.tls.insecure),
	  .flags = OPTF_WARN,
	  .help = "Skip TLS certificate checks (warned about)." },

	/* [s3] */
	{ .section = "s3", .key = "endpoint", .type = OPT_URL,
	  .def = "http://127.0.0.1:7480", .offset = C(s3.endpoint),
	  .env = { "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL" },
	  .help = "Service URL; buckets are addressed path-style." },
	{ .section = "s3", .key = "region", .type = OPT_STRING,
	  .def = "us-east-1", .offset = C(s3.region),
	  .env = { "AWS_REGION" },
	  .help = "Region used for request signing." },
	{ .section = "s3", .key = "bucket", .type = OPT_STRING,
	  .def = "otus-project", .offset = C(s3.bucket),
	  .help = "Bucket holding the backups." },
	{ .section = "s3", .key = "prefix", .type = OPT_PREFIX,
	  .def = "chops/", .offset = C(s3.prefix),
	  .help = "Key prefix; '/' is added at the end, empty for none." },
	{ .section = "s3", .key = "access_key", .type = OPT_SECRET,
	  .def = "", .offset = C(s3.access_key), .group = GROUP_S3_ACCESS,
	  .env = { "AWS_ACCESS_KEY_ID" },
	  .help = "Access key id; the file must then be mode 600." },
	{ .section = "s3", .key = "access_key_env", .type = OPT_SECRET_ENV,
	  .offset = C(s3.access_key), .group = GROUP_S3_ACCESS,
	  .help = "Name of an environment variable holding the access key." },
	{ .section = "s3", .key = "access_key_file", .type = OPT_SECRET_FILE,
	  .offset = C(s3.access_key), .group = GROUP_S3_ACCESS,
	  .help = "File (mode 600) holding the access key." },
	{ .section = "s3", .key = "secret_key", .type = OPT_SECRET,
	  .def = "", .offset = C(s3.secret_key), .group = GROUP_S3_SECRET,
	  .env = { "AWS_SECRET_ACCESS_KEY" },
	  .help = "Secret key; the file must then be mode 600." },
	{ .section = "s3", .key = "secret_key_env", .type = OPT_SECRET_ENV,
	  .offset = C(s3.secret_key), .group = GROUP_S3_SECRET,
	  .help = "Name of an environment variable holding the secret key." },
	{ .section = "s3", .key = "secret_key_file", .type = OPT_SECRET_FILE,
	  .offset = C(s3.secret_key), .group = GROUP_S3_SECRET,
	  .help = "File (mode 600) holding the secret key." },
	{ .section = "s3", .key = "timeout", .type = OPT_DURATION,
	  .def = "30s", .min = "100ms", .max = "1h",
	  .offset = C(s3.timeout_ms),
	  .help = "Per request, not per transfer." },
	{ .section = "s3", .key = "connect_timeout", .type = OPT_DURATION,
	  .def = "3s", .min = "100ms", .max = "5m",
	  .offset = C(s3.connect_timeout_ms),
	  .help = "TCP and TLS connection setup." },
	{ .section = "s3", .key = "part_size", .type = OPT_SIZE,
	  .def = "16MiB", .min = "5MiB", .max = "5GiB",
	  .offset = C(s3.part_size),
	  .help = "Multipart upload part size." },
	{ .section = "s3", .key = "parallel", .type = OPT_INT,
	  .def = "4", .min = "1", .max = "32", .offset = C(s3.parallel),
	  .help = "Parts in flight at once." },
	{ .section = "s3", .key = "ca_file", .type = OPT_PATH,
	  .offset = C(s3.tls.ca_file), .flags = OPTF_EMPTY | OPTF_ENV_UNSET,
	  .env = { "AWS_CA_BUNDLE" },
	  .help = "CA bundle (PEM); default: the system's." },
	{ .section = "s3", .key = "insecure", .type = OPT_BOOL,
	  .def = "false", .offset = C(s3.tls.insecure), .flags = OPTF_WARN,
	  .help = "Skip TLS certificate checks (warned about)." },

	/* [prometheus] */
	{ .section = "prometheus", .key = "url", .type = OPT_URL,
	  .offset = C(prometheus.url), .flags = OPTF_EMPTY,
	  .env = { "PROMETHEUS_URL" },
	  .help = "Base URL of the HTTP API; unset: not used." },
	{ .section = "prometheus", .key = "timeout", .type = OPT_DURATION,
	  .def = "5s", .min = "100ms", .max = "1h",
	  .offset = C(prometheus.timeout_ms),
	  .help = "Whole request." },
	{ .section = "prometheus", .key = "ca_file", .type = OPT_PATH,
	  .offset = C(prometheus.tls.ca_file), .flags = OPTF_EMPTY,
	  .help = "CA bundle (PEM); default: the system's." },
	{ .section = "prometheus", .key = "insecure", .type = OPT_BOOL,
	  .def = "false", .offset = C(prometheus.tls.insecure),
	  .flags = OPTF_WARN,
	  .help = "Skip TLS certificate checks (warned about)." },

	/* [kafka] */
	{ .section = "kafka", .key = "source", .type = OPT_ENUM,
	  .def = "exporter", .choices = kafka_sources,
	  .offset = C(kafka.source),
	  .help = "kafka_exporter metrics, or Prometheus (needs its url)." },
	{ .section = "kafka", .key = "exporter_url", .type = OPT_URL,
	  .def = "http://127.0.0.1:9308/metrics",
	  .offset = C(kafka.exporter_url), .env = { "KAFKA_EXPORTER_URL" },
	  .help = "kafka_exporter metrics page." },
	{ .section = "kafka", .key = "timeout", .type = OPT_DURATION,
	  .def = "5s", .min = "100ms", .max = "1h",
	  .offset = C(kafka.timeout_ms),
	  .help = "Whole request." },
	{ .section = "kafka", .key = "ca_file", .type = OPT_PATH,
	  .offset = C(kafka.tls.ca_file), .flags = OPTF_EMPTY,
	  .help = "CA bundle (PEM); default: the system's." },
	{ .section = "kafka", .key = "insecure", .type = OPT_BOOL,
	  .def = "false", .offset = C(kafka.tls.insecure),
	  .flags = OPTF_WARN,
	  .help = "Skip TLS certificate checks (warned about)." },

	/* [ui] */
	{ .section = "ui", .key = "refresh", .type = OPT_DURATION,
	  .def = "2s", .min = "100ms", .max = "1h",
	  .offset = C(ui.refresh_ms),
	  .help = "Health and lag refresh interval." },
	{ .section = "ui", .key = "s3_refresh", .type = OPT_DURATION,
	  .def = "60s", .min = "1s", .max = "24h",
	  .offset = C(ui.s3_refresh_ms),
	  .help = "Bucket listing refresh interval." },
	{ .section = "ui", .key = "theme", .type = OPT_STRING,
	  .def = "default", .offset = C(ui.theme),
	  .help = "Colour theme name." },
	{ .section = "ui", .key = "read_only", .type = OPT_BOOL,
	  .def = "false", .offset = C(ui.read_only),
	  .help = "Refuse every action that changes something." },
	{ .section = "ui", .key = "lag_warn", .type = OPT_NUMBER,
	  .def = "1000", .min = "0", .offset = C(ui.lag_warn),
	  .help = "Consumer lag (messages) shown as a warning." },
	{ .section = "ui", .key = "lag_crit", .type = OPT_NUMBER,
	  .def = "100000", .min = "0", .offset = C(ui.lag_crit),
	  .help = "Consumer lag (messages) shown as critical." },
	{ .section = "ui", .key = "lag_seconds_warn", .type = OPT_NUMBER,
	  .def = "60", .min = "0", .offset = C(ui.lag_seconds_warn),
	  .help = "Consumer lag (seconds) shown as a warning." },
	{ .section = "ui", .key = "lag_seconds_crit", .type = OPT_NUMBER,
	  .def = "600", .min = "0", .offset = C(ui.lag_seconds_crit),
	  .help = "Consumer lag (seconds) shown as critical." },
	{ .section = "ui", .key = "parts_warn_ratio", .type = OPT_NUMBER,
	  .def = "0.5", .min = "0", .max = "1",
	  .offset = C(ui.parts_warn_ratio),
	  .help = "Active parts over parts_to_delay_insert: warning." },
	{ .section = "ui", .key = "parts_crit_ratio", .type = OPT_NUMBER,
	  .def = "0.8", .min = "0", .max = "1",
	  .offset = C(ui.parts_crit_ratio),
	  .help = "Active parts over parts_to_delay_insert: critical." },
	{ .section = "ui", .key = "backup_age_warn", .type = OPT_DURATION,
	  .def = "26h", .min = "1m", .offset = C(ui.backup_age_warn_ms),
	  .help = "Age of the newest backup shown as a warning." },
	{ .section = "ui", .key = "backup_age_crit", .type = OPT_DURATION,
	  .def = "50h", .min = "1m", .offset = C(ui.backup_age_crit_ms),
	  .help = "Age of the newest backup shown as critical." },

	/* [backup.NAME] */
	{ .section = "backup", .key = "table", .type = OPT_TABLE,
	  .offset = P(table), .flags = OPTF_REQUIRED,
	  .help = "Table to back up: db.table." },
	{ .section = "backup", .key = "time_column", .type = OPT_COLUMN,
	  .offset = P(time_column), .flags = OPTF_REQUIRED,
	  .help = "Date or DateTime column that slices the data." },
	{ .section = "backup", .key = "schedule", .type = OPT_ENUM,
	  .def = "daily", .choices = schedules, .offset = P(schedule),
	  .help = "How often a backup is due." },
	{ .section = "backup", .key = "engine", .type = OPT_CHOICE,
	  .def = "stream", .choices = engines, .offset = P(engine),
	  .help = "stream: through chops; server: ClickHouse BACKUP to S3." },
	{ .section = "backup", .key = "format", .type = OPT_CHOICE,
	  .def = "native", .choices = formats, .offset = P(format),
	  .help = "Data format of stream backups." },
	{ .section = "backup", .key = "compression", .type = OPT_CHOICE,
	  .def = "zstd", .choices = compressions, .offset = P(compression),
	  .help = "Compression of stream backups." },
	{ .section = "backup", .key = "keep_days", .type = OPT_INT,
	  .def = "7", .min = "1", .max = "3650", .offset = P(keep_days),
	  .help = "Daily backups kept." },
	{ .section = "backup", .key = "keep_weeks", .type = OPT_INT,
	  .def = "4", .min = "0", .max = "520", .offset = P(keep_weeks),
	  .help = "Weekly backups kept." },
	{ .section = "backup", .key = "data_keep_days", .type = OPT_INT,
	  .def = "0", .min = "0", .max = "36500",
	  .offset = P(data_keep_days),
	  .help = "Drop table data older than this many days; 0: never." },
};

#undef C
#undef P

/* Thresholds where the first must not be above the second. */
static const struct {
	const char	*section;
	const char	*lo;
	const char	*hi;
} orders[] = {
	{ "ui", "lag_warn", "lag_crit" },
	{ "ui", "lag_seconds_warn", "lag_seconds_crit" },
	{ "ui", "parts_warn_ratio", "parts_crit_ratio" },
	{ "ui", "backup_age_warn", "backup_age_crit" },
};

static int	set_string(struct parse *, const struct option *, void *,
		    const char *, char **);
static int	set_path(struct parse *, const struct option *, void *,
		    const char *, char **);
static int	set_url(struct parse *, const struct option *, void *,
		    const char *, char **);
static int	set_urls(struct parse *, const struct option *, void *,
		    const char *, char **);
static int	set_secret(struct parse *, const struct option *, void *,
		    const char *, char **);
static int	set_secret_env(struct parse *, const struct option *, void *,
		    const char *, char **);
static int	set_secret_file(struct parse *, const struct option *, void *,
		    const char *, char **);
static int	set_number(struct parse *, const struct option *, void *,
		    const char *, char **);
static int	set_bool(struct parse *, const struct option *, void *,
		    const char *, char **);
static int	set_choice(struct parse *, const struct option *, void *,
		    const char *, char **);
static int	set_prefix(struct parse *, const struct option *, void *,
		    const char *, char **);
static int	set_table(struct parse *, const struct option *, void *,
		    const char *, char **);
static int	set_column(struct parse *, const struct option *, void *,
		    const char *, char **);

static const struct {
	const char	*name;		/* for the reference */
	opt_set_fn	 set;
} opt_types[] = {
	[OPT_STRING] = { "string", set_string },
	[OPT_PATH] = { "file", set_path },
	[OPT_URL] = { "URL", set_url },
	[OPT_URLS] = { "URL list", set_urls },
	[OPT_SECRET] = { "secret", set_secret },
	[OPT_SECRET_ENV] = { "variable name", set_secret_env },
	[OPT_SECRET_FILE] = { "file", set_secret_file },
	[OPT_DURATION] = { "duration", set_number },
	[OPT_SIZE] = { "size", set_number },
	[OPT_INT] = { "integer", set_number },
	[OPT_NUMBER] = { "number", set_number },
	[OPT_BOOL] = { "boolean", set_bool },
	[OPT_CHOICE] = { NULL, set_choice },
	[OPT_ENUM] = { NULL, set_choice },
	[OPT_PREFIX] = { "key prefix", set_prefix },
	[OPT_TABLE] = { "db.table", set_table },
	[OPT_COLUMN] = { "column", set_column },
};

/* ------------------------------------------------------------ helpers */

/* A mistake in the tables above: not something a user can cause. */
static void
table_bug(const struct option *o, const char *what)
{
	fprintf(stderr, "chops: option table: [%s] %s: bad %s\n", o->section,
	    o->key, what);
	abort();
}

static void *
field_of(void *base, size_t offset)
{
	return (char *)base + offset;
}

static int
is_ident(const char *s, size_t n)
{
	size_t	i;

	if (n == 0 || !(s[0] == '_' || (s[0] >= 'A' && s[0] <= 'Z') ||
	    (s[0] >= 'a' && s[0] <= 'z')))
		return 0;
	for (i = 1; i < n; i++) {
		if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
			return 0;
	}
	return 1;
}

/* Quotes a path for a shell command in a message when it needs it. */
static char *
shell_quote(const char *s)
{
	struct buf	 b = BUF_INIT;
	const char	*p;

	if (*s != '\0' && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_-./+,:@%=") == strlen(s))
		return xstrdup(s);
	buf_addc(&b, '\'');
	for (p = s; *p != '\0'; p++) {
		if (*p == '\'')
			buf_addstr(&b, "'\\''");
		else
			buf_addc(&b, *p);
	}
	buf_addc(&b, '\'');
	return buf_detach(&b);
}

/* "a, b or c" (sep ", ", last " or ") from a NULL-terminated list. */
static void
add_list(struct buf *b, const char *const *v, const char *sep,
    const char *last)
{
	size_t	i;

	for (i = 0; v[i] != NULL; i++) {
		if (i > 0)
			buf_addstr(b, v[i + 1] == NULL ? last : sep);
		buf_addstr(b, v[i]);
	}
}

static int
check_mode(const char *path, mode_t mode, const char *what, char **cause)
{
	char	*q;

	if ((mode & 077) == 0)
		return 0;
	q = shell_quote(path);
	*cause = xasprintf("%s: holds a secret%s%s%s but is %s by group or "
	    "others (mode %04o); run: chmod 600 %s", path,
	    what != NULL ? " (" : "", what != NULL ? what : "",
	    what != NULL ? ")" : "",
	    (mode & 044) != 0 ? "readable" : "accessible",
	    (unsigned)(mode & 07777), q);
	free(q);
	return -1;
}

int
config_check_private(const char *path, const char *what, char **cause)
{
	struct stat	st;

	if (stat(path, &st) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	return check_mode(path, st.st_mode, what, cause);
}

/* Reads a whole regular file of at most `max` bytes, NUL-terminated. */
static int
read_fd(int fd, const char *path, size_t max, struct stat *st, char **out,
    size_t *outlen, char **cause)
{
	char	*data;
	size_t	 size, got = 0;
	ssize_t	 n;

	if (fstat(fd, st) != 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		*cause = xasprintf("%s: is not a regular file", path);
		return -1;
	}
	if ((uintmax_t)st->st_size > max) {
		*cause = xasprintf("%s: is larger than %zu bytes", path, max);
		return -1;
	}
	size = (size_t)st->st_size;
	data = xmalloc(size + 1);
	/* one byte more than fstat said: a file that grew is refused */
	while ((n = read(fd, data + got, size + 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (got += (size_t)n) > size) {
			*cause = xasprintf("%s: %s", path, n < 0 ?
			    strerror(errno) : "changed while being read");
			explicit_bzero(data, size + 1);
			free(data);
			return -1;
		}
	}
	data[got] = '\0';
	*out = data;
	*outlen = got;
	return 0;
}

static int
read_file(const char *path, size_t max, struct stat *st, char **out,
    size_t *outlen, char **cause)
{
	int	fd, r;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	r = read_fd(fd, path, max, st, out, outlen, cause);
	close(fd);
	return r;
}

/* ------------------------------------------------------------ errors */

static void
parse_error(struct parse *p, int line, const char *fmt, ...)
	CHOPS_PRINTFLIKE(3, 4);

/* Records the first error: "FILE:LINE: message". */
static void
parse_error(struct parse *p, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (p->cause != NULL)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (p->name != NULL && line > 0)
		p->cause = xasprintf("%s:%d: %s", p->name, line, msg);
	else if (p->name != NULL)
		p->cause = xasprintf("%s: %s", p->name, msg);
	else
		p->cause = xstrdup(msg);
	p->cause_line = line;
	free(msg);
}

/* ------------------------------------------------------------ table */

static const struct option *
option_find(const char *section, const char *key)
{
	size_t	i;

	for (i = 0; i < nitems(options); i++) {
		if (strcmp(options[i].section, section) == 0 &&
		    strcmp(options[i].key, key) == 0)
			return &options[i];
	}
	return NULL;
}

static const struct section *
section_find(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(sections); i++) {
		if (strcmp(sections[i].name, name) == 0)
			return &sections[i];
	}
	return NULL;
}

static int
option_is_plan(const struct option *o)
{
	const struct section	*s = section_find(o->section);

	return s != NULL && s->plan;
}

static int
option_set(struct parse *p, const struct option *o, void *base,
    const char *value, char **cause)
{
	return opt_types[o->type].set(p, o, base, value, cause);
}

/* Applies the defaults of every option of one kind (plan or not). */
static void
apply_defaults(struct parse *p, void *base, int plan)
{
	const struct option	*o;
	char			*cause;
	size_t			 i;

	for (i = 0; i < nitems(options); i++) {
		o = &options[i];
		if (o->def == NULL || option_is_plan(o) != plan)
			continue;
		if (option_set(p, o, base, o->def, &cause) != 0)
			table_bug(o, "default");
	}
}

/* ------------------------------------------------------------ setters */

static void
store_string(void *field, char *value)
{
	char	**sp = field;

	free(*sp);
	*sp = value;
}

static void
store_secret(void *field, char *value)
{
	char	**sp = field;

	util_free_secret(*sp);
	*sp = value;
}

static char *
resolve_path(struct parse *p, const char *value)
{
	if (value[0] == '/' || p->dir == NULL || p->env_phase)
		return xstrdup(value);
	return xasprintf("%s/%s", p->dir, value);
}

static int
set_string(struct parse *p, const struct option *o, void *base,
    const char *value, char **cause)
{
	if (*value == '\0') {
		*cause = xstrdup("expected a value");
		return -1;
	}
	store_string(field_of(base, o->offset), xstrdup(value));
	return 0;
}

static int
set_path(struct parse *p, const struct option *o, void *base,
    const char *value, char **cause)
{
	char	*path;

	if (*value == '\0' && (o->flags & OPTF_EMPTY)) {
		store_string(field_of(base, o->offset), NULL);
		return 0;
	}
	if (*value == '\0') {
		*cause = xstrdup("expected a file name");
		return -1;
	}
	path = resolve_path(p, value);
	if (access(path, R_OK) != 0) {
		*cause = xasprintf("cannot read %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	store_string(field_of(base, o->offset), path);
	return 0;
}

/* http:// or https://, a host, no credentials, no blanks. */
static int
check_url(const char *s, char **cause)
{
	const char	*host = NULL;
	size_t		 n = 0;

	if (strncasecmp(s, "http://", 7) == 0)
		host = s + 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		host = s + 8;
	if (host != NULL)
		n = strcspn(host, "/?#");
	if (host != NULL && memchr(host, '@', n) != NULL) {
		*cause = xstrdup("a URL must not hold a user or password (use "
		    "the keys made for them)");
		return -1;
	}
	if (host != NULL && n > 0 && strpbrk(s, " \t") == NULL)
		return 0;
	/* Something with an '@' might be a credential: do not repeat it. */
	if (strchr(s, '@') != NULL)
		*cause = xstrdup("the value is not an http(s) URL (expected "
		    "http://HOST:PORT or https://HOST:PORT)");
	else
		*cause = xasprintf("'%s' is not an http(s) URL (expected "
		    "http://HOST:PORT or https://HOST:PORT)", s);
	return -1;
}

static int
set_url(struct parse *p, const struct option *o, void *base,
    const char *value, char **cause)
{
	if (*value == '\0' && (o->flags & OPTF_EMPTY)) {
		store_string(field_of(base, o->offset), NULL);
		return 0;
	}
	if (check_url(value, cause) != 0)
		return -1;
	store_string(field_of(base, o->offset), xstrdup(value));
	return 0;
}

static void
free_list(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Checks one item of a URL list and adds it. */
static int
add_url(char ***v, size_t *n, char *item, int last, char **cause)
{
	char	*u = util_trim(item);

	if (*u == '\0') {
		*cause = xstrdup(last && *n == 0 ? "expected a URL" :
		    "empty item in the list (expected URL, URL, ...)");
		return -1;
	}
	if (check_url(u, cause) != 0)
		return -1;
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = xstrdup(u);
	return 0;
}

/* Splits "url, url, ..." checking each; on error nothing is returned. */
static int
split_urls(const char *value, char ***out, size_t *outn, char **cause)
{
	char	*copy = xstrdup(value), *s = copy, *comma;
	char	**v = NULL;
	size_t	 n = 0;
	int	 r;

	for (;;) {
		if ((comma = strchr(s, ',')) != NULL)
			*comma = '\0';
		if ((r = add_url(&v, &n, s, comma == NULL, cause)) != 0 ||
		    comma == NULL)
			break;
		s = comma + 1;
	}
	free(copy);
	if (r != 0) {
		free_list(v, n);
		return -1;
	}
	*out = v;
	*outn = n;
	return 0;
}

static int
set_urls(struct parse *p, const struct option *o, void *base,
    const char *value, char **cause)
{
	char	***vp = field_of(base, o->offset), **v;
	size_t	 *np = field_of(base, o->count), n;

	if (split_urls(value, &v, &n, cause) != 0)
		return -1;
	if ((o->flags & OPTF_ONE) && n > 1) {
		free_list(v, n);
		*cause = xstrdup("expected one URL (use urls for several)");
		return -1;
	}
	free_list(*vp, *np);
	*vp = v;
	*np = n;
	return 0;
}

static int
set_secret(struct parse *p, const struct option *o, void *base,
    const char *value, char **cause)
{
	store_secret(field_of(base, o->offset), xstrdup(value));
	return 0;
}

static int
set_secret_env(struct parse *p, const struct option *o, void *base,
    const char *value, char **cause)
{
	const char	*v;

	/* Not repeated: a secret put here by mistake must not show. */
	if (!is_ident(value, strlen(value))) {
		*cause = xstrdup("expected the name of an environment "
		    "variable (letters, digits and _)");
		return -1;
	}
	if ((v = getenv(value)) == NULL) {
		*cause = xasprintf("environment variable %s is not set", value);
		return -1;
	}
	store_secret(field_of(base, o->offset), xstrdup(v));
	return 0;
}

static int
set_secret_file(struct parse *p, const struct option *o, void *base,
    const char *value, char **cause)
{
	struct stat	 st;
	char		*path, *data;
	size_t		 len;
	int		 r;

	if (*value == '\0') {
		*cause = xstrdup("expected a file name");
		return -1;
	}
	path = resolve_path(p, value);
	r = read_file(path, SECRET_FILE_MAX, &st, &data, &len, cause);
	if (r == 0 && (r = check_mode(path, st.st_mode, NULL, cause)) != 0)
		util_free_secret(data);
	free(path);
	if (r != 0)
		return -1;
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		data[--len] = '\0';
	store_secret(field_of(base, o->offset), data);
	return 0;
}

/* Reads a number of the option's type as a double. */
static int
number_parse(enum opt_type type, const char *s, double *v, char **cause)
{
	int64_t		ms;
	uint64_t	bytes;
	long long	ll;

	switch (type) {
	case OPT_DURATION:
		if (util_parse_duration(s, &ms, cause) != 0)
			return -1;
		*v = (double)ms;
		return 0;
	case OPT_SIZE:
		if (util_parse_size(s, &bytes, cause) != 0)
			return -1;
		*v = (double)bytes;
		return 0;
	case OPT_INT:
		if (util_strtoll(s, strlen(s), &ll) == 0) {
			*v = (double)ll;
			return 0;
		}
		*cause = xasprintf("'%s' is not a whole number", s);
		return -1;
	default:
		if (util_strtod(s, strlen(s), v) == 0 && isfinite(*v))
			return 0;
		*cause = xasprintf("'%s' is not a number", s);
		return -1;
	}
}

static double
range_bound(const struct option *o, const char *s)
{
	double	 v;
	char	*cause;

	if (number_parse(o->type, s, &v, &cause) != 0)
		table_bug(o, "range");
	return v;
}

static int
check_range(const struct option *o, const char *value, double v,
    char **cause)
{
	int	low = o->min != NULL && v < range_bound(o, o->min);
	int	high = o->max != NULL && v > range_bound(o, o->max);

	if (!low && !high)
		return 0;
	if (o->min != NULL && o->max != NULL)
		*cause = xasprintf("'%s' is out of range (expected %s to %s)",
		    value, o->min, o->max);
	else
		*cause = xasprintf("'%s' is out of range (expected %s %s)",
		    value, low ? "at least" : "at most", low ? o->min : o->max);
	return -1;
}

static void
number_store(enum opt_type type, void *field, double v)
{
	switch (type) {
	case OPT_DURATION:
		*(int64_t *)field = (int64_t)v;
		break;
	case OPT_SIZE:
		*(uint64_t *)field = (uint64_t)v;
		break;
	case OPT_INT:
		*(int *)field = (int)v;
		break;
	default:
		*(double *)field = v;
		break;
	}
}

static double
number_load(enum opt_type type, const void *field)
{
	switch (type) {
	case OPT_DURATION:
		return (double)*(const int64_t *)field;
	case OPT_SIZE:
		return (double)*(const uint64_t *)field;
	case OPT_INT:
		return *(const int *)field;
	default:
		return *(const double *)field;
	}
}

static int
set_number(struct parse *p, const struct option *o, void *base,
    const char *value, char **cause)
{
	double	v;

	if (o->type == OPT_INT && (o->min == NULL || o->max == NULL))
		table_bug(o, "range (integers need both bounds)");
	if (number_parse(o->type, value, &v, cause) != 0 ||
	    check_range(o, value, v, cause) != 0)
		return -1;
	number_store(o->type, field_of(base, o->offset), v);
	return 0;
}

static int
set_bool(struct parse *p, const struct option *o, void *base,
    const char *value, char **cause)
{
	return util_parse_bool(value, field_of(base, o->offset), cause);
}

static int
set_choice(struct parse *p, const struct option *o, void *base,
    const char *value, char **cause)
{
	struct buf	b = BUF_INIT;
	int		i;

	for (i = 0; o->choices[i] != NULL; i++) {
		if (strcmp(o->choices[i], value) != 0)
			continue;
		if (o->type == OPT_ENUM)
			*(int *)field_of(base, o->offset) = i;
		else
			store_string(field_of(base, o->offset),
			    xstrdup(o->choices[i]));
		return 0;
	}
	buf_printf(&b, "'%s' is not valid (expected ", value);
	add_list(&b, o->choices, ", ", " or ");
	buf_addc(&b, ')');
	*cause = buf_detach(&b);
	return -1;
}

static int
set_prefix(struct parse *p, const struct option *o, void *base,
    const char *value, char **cause)
{
	size_t	n;

	while (*value == '/')
		value++;
	n = strlen(value);
	if (strpbrk(value, " \t") != NULL) {
		*cause = xasprintf("'%s' is not a key prefix (expected no "
		    "blanks, e.g. chops/)", value);
		return -1;
	}
	if (n == 0 || value[n - 1] == '/')
		store_string(field_of(base, o->offset), xstrdup(value));
	else
		store_string(field_of(base, o->offset),
		    xasprintf("%s/", value));
	return 0;
}

static int
set_table(struct parse *p, const struct option *o, void *base,
    const char *value, char **cause)
{
	const char	*dot = strchr(value, '.');

	if (dot == NULL || !is_ident(value, (size_t)(dot - value)) ||
	    !is_ident(dot + 1, strlen(dot + 1))) {
		*cause = xasprintf("'%s' is not db.table (expected two names "
		    "of letters, digits and _, e.g. shop.orders)", value);
		return -1;
	}
	store_string(field_of(base, o->offset), xstrdup(value));
	return 0;
}

static int
set_column(struct parse *p, const struct option *o, void *base,
    const char *value, char **cause)
{
	if (!is_ident(value, strlen(value))) {
		*cause = xasprintf("'%s' is not a column name (expected "
		    "letters, digits and _, e.g. event_date)", value);
		return -1;
	}
	store_string(field_of(base, o->offset), xstrdup(value));
	return 0;
}

/* ------------------------------------------------------------ sections */

/* Checks a plan that has ended: every required key set. */
static int
section_end(struct parse *p)
{
	size_t	i;

	if (p->plan == NULL)
		return 0;
	for (i = 0; i < nitems(options); i++) {
		if (!(options[i].flags & OPTF_REQUIRED) || p->seen[i] != 0 ||
		    strcmp(options[i].section, p->sect->name) != 0)
			continue;
		parse_error(p, p->sect_line, "[%s] has no %s (required: %s = "
		    "%s)", p->sect_name, options[i].key, options[i].key,
		    opt_types[options[i].type].name);
		return -1;
	}
	p->plan = NULL;
	return 0;
}

static int
plan_begin(struct parse *p, const char *name)
{
	struct config	*cfg = p->cfg;
	size_t		 i, n = strlen(name), count;

	if (n == 0 || n > PLAN_NAME_MAX ||
	    strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_-") != n) {
		parse_error(p, p->line, "[%s]: bad plan name (expected "
		    "[backup.NAME], NAME of letters, digits, - and _)",
		    p->sect_name);
		return -1;
	}
	for (i = 0; i < cfg->n_plans; i++) {
		if (strcmp(cfg->plans[i].name, name) != 0)
			continue;
		parse_error(p, p->line, "duplicate plan [%s] (first at line "
		    "%d)", p->sect_name, p->plan_lines[i]);
		return -1;
	}
	count = cfg->n_plans + 1;
	cfg->plans = xreallocarray(cfg->plans, count, sizeof *cfg->plans);
	p->plan_lines = xreallocarray(p->plan_lines, count,
	    sizeof *p->plan_lines);
	p->plan_lines[cfg->n_plans] = p->line;
	p->plan = &cfg->plans[cfg->n_plans++];
	memset(p->plan, 0, sizeof *p->plan);
	p->plan->name = xstrdup(name);
	apply_defaults(p, p->plan, 1);
	for (i = 0; i < nitems(options); i++) {
		if (option_is_plan(&options[i]))
			p->seen[i] = 0;
	}
	return 0;
}

static int
section_begin(struct parse *p, char *name)
{
	const struct section	*s;
	size_t			 plen = strlen(PLAN_PREFIX), i;

	if (section_end(p) != 0) {
		free(name);
		return -1;
	}
	free(p->sect_name);
	p->sect_name = name;
	p->sect_line = p->line;
	if (strncmp(name, PLAN_PREFIX, plen) == 0) {
		p->sect = section_find("backup");
		return plan_begin(p, name + plen);
	}
	if ((s = section_find(name)) == NULL || s->plan) {
		parse_error(p, p->line, "unknown section [%s] (expected "
		    "clickhouse, s3, prometheus, kafka, ui or backup.NAME)",
		    name);
		return -1;
	}
	i = (size_t)(s - sections);
	if (p->sect_seen[i] != 0) {
		parse_error(p, p->line, "[%s] appears twice (first at line "
		    "%d)", name, p->sect_seen[i]);
		return -1;
	}
	p->sect_seen[i] = p->line;
	p->sect = s;
	return 0;
}

/* A "[name]" line: the name is trimmed. */
static int
section_line(struct parse *p, const char *line)
{
	const char	*start = line + 1, *end = strchr(start, ']');

	if (end == NULL) {
		parse_error(p, p->line, "no ']' (expected [section])");
		return -1;
	}
	while (start < end && (*start == ' ' || *start == '\t'))
		start++;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	return section_begin(p, xstrndup(start, (size_t)(end - start)));
}

/* ------------------------------------------------------------ reader */

static int
reader_limit(int num)
{
	/* libinih needs room for "\r\n" and the terminator */
	return num - 3 < CONFIG_LINE_MAX ? num - 3 : CONFIG_LINE_MAX;
}

/* fgets for libinih over the text, one whole line per call. */
static char *
parse_reader(char *str, int num, void *stream)
{
	struct parse	*p = stream;
	const char	*line = p->text + p->pos, *nl;
	size_t		 n, len;

	if (p->cause != NULL || p->pos >= p->len)
		return NULL;
	nl = memchr(line, '\n', p->len - p->pos);
	n = nl != NULL ? (size_t)(nl - line) + 1 : p->len - p->pos;
	p->pos += n;
	p->line++;
	len = n;
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > (size_t)reader_limit(num)) {
		parse_error(p, p->line, "line is longer than %d characters",
		    reader_limit(num));
		return NULL;
	}
	if (memchr(line, '\0', n) != NULL) {
		parse_error(p, p->line, "line holds a NUL byte (expected text)");
		return NULL;
	}
	if (p->line == 1 && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		line += 3;
		n -= 3;
	}
	for (; n > 0 && (*line == ' ' || *line == '\t'); n--)
		line++;
	memcpy(str, line, n);
	str[n] = '\0';
	if (*str == '[' && section_line(p, str) != 0)
		return NULL;
	return str;
}

/* ------------------------------------------------------------ handler */

static int
check_duplicate(struct parse *p, const struct option *o)
{
	int	first = p->seen[o - options];

	if (first == 0)
		return 0;
	parse_error(p, p->line, "[%s] %s: duplicate key (first at line %d)",
	    p->sect_name, o->key, first);
	return -1;
}

static int
check_exclusive(struct parse *p, const struct option *o)
{
	struct buf	b = BUF_INIT;
	const char	*sep = "";
	size_t		i, other = nitems(options);

	if (o->group == GROUP_NONE)
		return 0;
	for (i = 0; i < nitems(options); i++) {
		if (options[i].group != o->group)
			continue;
		if (&options[i] != o && p->seen[i] != 0)
			other = i;
		buf_printf(&b, "%s%s", sep, options[i].key);
		sep = ", ";
	}
	if (other != nitems(options))
		parse_error(p, p->line, "[%s] %s: %s is already set (line %d); "
		    "use only one of %s", p->sect_name, o->key,
		    options[other].key, p->seen[other], buf_str(&b));
	buf_free(&b);
	return other != nitems(options) ? -1 : 0;
}

static int
parse_key(struct parse *p, const char *key, const char *value)
{
	const struct option	*o;
	char			*cause;

	if (p->sect == NULL) {
		parse_error(p, p->line, "'%s' is outside any section "
		    "(expected a [section] line before it)", key);
		return -1;
	}
	if (*key == '\0') {
		parse_error(p, p->line, "expected key = value");
		return -1;
	}
	if ((o = option_find(p->sect->name, key)) == NULL) {
		parse_error(p, p->line, "[%s] unknown key '%s'", p->sect_name,
		    key);
		return -1;
	}
	if (check_duplicate(p, o) != 0 || check_exclusive(p, o) != 0)
		return -1;
	if (option_set(p, o, p->plan != NULL ? (void *)p->plan :
	    (void *)p->cfg, value, &cause) != 0) {
		parse_error(p, p->line, "[%s] %s: %s", p->sect_name, key,
		    cause);
		free(cause);
		return -1;
	}
	p->seen[o - options] = p->line;
	if (o->type == OPT_SECRET && *value != '\0' && p->secret == NULL)
		p->secret = o;
	return 0;
}

static int
parse_handler(void *user, const char *section, const char *key,
    const char *value)
{
	struct parse	*p = user;

	/* section is libinih's idea, cut at 50 bytes: ours is in p */
	if (p->cause != NULL)
		return 0;
	return parse_key(p, key, value) == 0;
}

/* ------------------------------------------------------------ passes */

static int
parse_run(struct parse *p)
{
	int	saved = 0, r;

	if (&ini_max_line != NULL) {
		saved = ini_max_line;
		ini_max_line = CONFIG_LINE_MAX + 3;
	}
	r = ini_parse_stream(parse_reader, p, parse_handler, p);
	if (&ini_max_line != NULL)
		ini_max_line = saved;
	if (r > 0 && (p->cause == NULL || r < p->cause_line)) {
		/* libinih's own complaint: a line it could not read */
		free(p->cause);
		p->cause = NULL;
		parse_error(p, r, "expected [section] or key = value");
	} else if (r < 0)
		parse_error(p, 0, "cannot parse (error %d)", r);
	if (p->cause == NULL)
		section_end(p);
	return p->cause != NULL ? -1 : 0;
}

/* Refuses inline secrets in a file others can read. */
static int
parse_check_mode(struct parse *p, const struct stat *st)
{
	char	*what;
	int	 r;

	if (st == NULL || p->secret == NULL)
		return 0;
	what = xasprintf("%s in [%s]", p->secret->key, p->secret->section);
	r = check_mode(p->name, st->st_mode, what, &p->cause);
	free(what);
	return r;
}

static const char *
env_value(const struct option *o, const char **var)
{
	const char	*v;
	size_t		 i;

	for (i = 0; i < nitems(o->env) && o->env[i] != NULL; i++) {
		if ((v = getenv(o->env[i])) != NULL && *v != '\0') {
			*var = o->env[i];
			return v;
		}
	}
	return NULL;
}

/* Environment overrides: applied after the file, through the same setters. */
static int
apply_env(struct parse *p)
{
	const struct option	*o;
	const char		*v, *var;
	char			*cause;
	size_t			 i;

	p->env_phase = 1;
	for (i = 0; i < nitems(options); i++) {
		o = &options[i];
		if ((v = env_value(o, &var)) == NULL)
			continue;
		if ((o->flags & OPTF_ENV_UNSET) && p->seen[i] != 0)
			continue;
		if (option_set(p, o, p->cfg, v, &cause) != 0) {
			p->cause = xasprintf("environment variable %s: %s",
			    var, cause);
			free(cause);
			return -1;
		}
	}
	return 0;
}

static size_t
option_index(const char *section, const char *key)
{
	const struct option	*o = option_find(section, key);

	if (o == NULL) {
		fprintf(stderr, "chops: no option [%s] %s\n", section, key);
		abort();
	}
	return (size_t)(o - options);
}

static int
check_orders(struct parse *p)
{
	size_t	i, lo, hi;
	int	line;

	for (i = 0; i < nitems(orders); i++) {
		lo = option_index(orders[i].section, orders[i].lo);
		hi = option_index(orders[i].section, orders[i].hi);
		if (number_load(options[lo].type, field_of(p->cfg,
		    options[lo].offset)) <= number_load(options[hi].type,
		    field_of(p->cfg, options[hi].offset)))
			continue;
		line = p->seen[lo] > p->seen[hi] ? p->seen[lo] : p->seen[hi];
		parse_error(p, line, "[%s] %s must not be above %s",
		    orders[i].section, orders[i].lo, orders[i].hi);
		return -1;
	}
	return 0;
}

/* The latest line any option of a group was set on, or 0. */
static int
group_line(struct parse *p, int group)
{
	size_t	i;
	int	line = 0;

	for (i = 0; i < nitems(options); i++) {
		if (options[i].group == group && p->seen[i] > line)
			line = p->seen[i];
	}
	return line;
}

static int
check_pairs(struct parse *p)
{
	struct cfg_s3	*s3 = &p->cfg->s3;
	int		 line;

	if ((*s3->access_key == '\0') == (*s3->secret_key == '\0'))
		return 0;
	line = group_line(p, GROUP_S3_ACCESS);
	if (group_line(p, GROUP_S3_SECRET) > line)
		line = group_line(p, GROUP_S3_SECRET);
	parse_error(p, line, "[s3] %s is set but %s is not (expected both, "
	    "or neither for anonymous access)", *s3->access_key != '\0' ?
	    "access_key" : "secret_key", *s3->access_key != '\0' ?
	    "secret_key" : "access_key");
	return -1;
}

static int
check_kafka(struct parse *p)
{
	if (p->cfg->kafka.source != KAFKA_SOURCE_PROMETHEUS ||
	    p->cfg->prometheus.url != NULL)
		return 0;
	parse_error(p, p->seen[option_index("kafka", "source")],
	    "[kafka] source = prometheus needs [prometheus] url (or "
	    "PROMETHEUS_URL)");
	return -1;
}

static void
add_warnings(struct config *cfg)
{
	const struct option	*o;
	size_t			 i;

	for (i = 0; i < nitems(options); i++) {
		o = &options[i];
		if (!(o->flags & OPTF_WARN) ||
		    !*(bool *)field_of(cfg, o->offset))
			continue;
		cfg->warnings = xreallocarray(cfg->warnings,
		    cfg->n_warnings + 1, sizeof *cfg->warnings);
		cfg->warnings[cfg->n_warnings++] = xasprintf("[%s] %s = true: "
		    "TLS certificates are not verified", o->section, o->key);
	}
}

static int
parse_finish(struct parse *p)
{
	if (check_orders(p) != 0 || check_pairs(p) != 0 || check_kafka(p) != 0)
		return -1;
	add_warnings(p->cfg);
	return 0;
}

static void
parse_init(struct parse *p, const char *text, size_t len, const char *name)
{
	const char	*slash;

	memset(p, 0, sizeof *p);
	p->name = name;
	if (name != NULL && (slash = strrchr(name, '/')) != NULL)
		p->dir = slash == name ? xstrdup("/") :
		    xstrndup(name, (size_t)(slash - name));
	p->text = text;
	p->len = len;
	p->seen = xcalloc(nitems(options), sizeof *p->seen);
	p->sect_seen = xcalloc(nitems(sections), sizeof *p->sect_seen);
	p->cfg = xcalloc(1, sizeof *p->cfg);
	p->cfg->path = name != NULL ? xstrdup(name) : NULL;
	apply_defaults(p, p->cfg, 0);
}

static void
parse_done(struct parse *p)
{
	config_free(p->cfg);
	free(p->cause);
	free(p->dir);
	free(p->sect_name);
	free(p->seen);
	free(p->sect_seen);
	free(p->plan_lines);
}

/* Parses text (from `name`; st: the file's, for the mode check). */
static int
load_text(const char *text, size_t len, const char *name,
    const struct stat *st, struct config **out, char **cause)
{
	struct parse	p;
	int		r;

	parse_init(&p, text, len, name);
	r = parse_run(&p);
	if (r == 0)
		r = parse_check_mode(&p, st);
	if (r == 0)
		r = apply_env(&p);
	if (r == 0)
		r = parse_finish(&p);
	if (r == 0) {
		*out = p.cfg;
		p.cfg = NULL;
	} else {
		*cause = p.cause;
		p.cause = NULL;
	}
	parse_done(&p);
	return r;
}

/* ------------------------------------------------------------ search */

/* Opens a file: 1 opened, 0 absent and optional, -1 error. */
static int
open_config(const char *path, const char *named_by, int optional, int *fd,
    char **cause)
{
	if ((*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) != -1)
		return 1;
	if (optional && (errno == ENOENT || errno == ENOTDIR))
		return 0;
	if (named_by != NULL)
		*cause = xasprintf("%s: %s (named by %s)", path,
		    strerror(errno), named_by);
	else
		*cause = xasprintf("%s: %s", path, strerror(errno));
	return -1;
}

/* $XDG_CONFIG_HOME/chops/chops.ini or ~/.config/chops/chops.ini. */
static char *
user_config_path(void)
{
	const char	*xdg = getenv("XDG_CONFIG_HOME");
	const char	*home = getenv("HOME");

	/* the XDG spec says relative paths are to be ignored */
	if (xdg != NULL && xdg[0] == '/')
		return xasprintf("%s/chops/chops.ini", xdg);
	if (home != NULL && *home != '\0')
		return xasprintf("%s/.config/chops/chops.ini", home);
	return NULL;
}

/* Finds and opens the configuration file; 0 (and *found NULL): none. */
static int
find_config(const char *path, int *fd, char **found, char **cause)
{
	const char	*env = getenv("CHOPS_CONFIG");
	char		*user;
	int		 r = 0;

	*found = NULL;
	if (path != NULL)
		r = open_config(path, NULL, 0, fd, cause);
	else if (env != NULL && *env != '\0')
		r = open_config(path = env, "CHOPS_CONFIG", 0, fd, cause);
	else if ((user = user_config_path()) != NULL) {
		if ((r = open_config(user, NULL, 1, fd, cause)) == 1)
			*found = user;
		else
			free(user);
	}
	if (r == 0)
		r = open_config(path = CONFIG_SYSTEM_PATH, NULL, 1, fd, cause);
	if (r == 1 && *found == NULL)
		*found = xstrdup(path);
	return r;
}

/* ------------------------------------------------------------ public */

int
config_load(const char *path, struct config **out, char **cause)
{
	struct stat	 st;
	char		*found, *text;
	size_t		 len;
	int		 fd, r;

	if ((r = find_config(path, &fd, &found, cause)) == -1)
		return -1;
	if (r == 0)
		return load_text("", 0, NULL, NULL, out, cause);
	r = read_fd(fd, found, CONFIG_FILE_MAX, &st, &text, &len, cause);
	close(fd);
	if (r == 0) {
		r = load_text(text, len, found, &st, out, cause);
		explicit_bzero(text, len);
		free(text);
	}
	free(found);
	return r;
}

int
config_load_string(const char *text, const char *name, struct config **out,
    char **cause)
{
	return load_text(text, strlen(text), name != NULL ? name : "config",
	    NULL, out, cause);
}

static void
free_tls(struct cfg_tls *tls)
{
	free(tls->ca_file);
}

static void
free_plan(struct cfg_plan *plan)
{
	free(plan->name);
	free(plan->table);
	free(plan->time_column);
	free(plan->engine);
	free(plan->format);
	free(plan->compression);
}

void
config_free(struct config *cfg)
{
	size_t	i;

	if (cfg == NULL)
		return;
	free(cfg->path);
	free_list(cfg->clickhouse.urls, cfg->clickhouse.n_urls);
	free(cfg->clickhouse.user);
	util_free_secret(cfg->clickhouse.password);
	free_tls(&cfg->clickhouse.tls);
	free(cfg->s3.endpoint);
	free(cfg->s3.region);
	free(cfg->s3.bucket);
	free(cfg->s3.prefix);
	util_free_secret(cfg->s3.access_key);
	util_free_secret(cfg->s3.secret_key);
	free_tls(&cfg->s3.tls);
	free(cfg->prometheus.url);
	free_tls(&cfg->prometheus.tls);
	free(cfg->kafka.exporter_url);
	free_tls(&cfg->kafka.tls);
	free(cfg->ui.theme);
	for (i = 0; i < cfg->n_plans; i++)
		free_plan(&cfg->plans[i]);
	free(cfg->plans);
	free_list(cfg->warnings, cfg->n_warnings);
	free(cfg);
}

const struct cfg_plan *
config_find_plan(const struct config *cfg, const char *name)
{
	size_t	i;

	for (i = 0; i < cfg->n_plans; i++) {
		if (strcmp(cfg->plans[i].name, name) == 0)
			return &cfg->plans[i];
	}
	return NULL;
}

/* ------------------------------------------------------------ reference */

static void
reference_option(struct buf *b, const struct option *o)
{
	const char	*sep = "; ";

	buf_printf(b, "  %s = ", o->key);
	if (o->choices != NULL) {
		add_list(b, o->choices, " | ", " | ");
		buf_addstr(b, "\n      ");
	} else if (o->flags & OPTF_ONE)
		buf_addstr(b, "URL\n      ");
	else
		buf_printf(b, "%s\n      ", opt_types[o->type].name);
	if (o->flags & OPTF_REQUIRED)
		buf_addstr(b, "required");
	else if (o->def != NULL)
		buf_printf(b, "default: %s", *o->def != '\0' ? o->def : "none");
	else
		buf_addstr(b, "default: none");
	if (o->min != NULL && o->max != NULL)
		buf_printf(b, "%srange: %s to %s", sep, o->min, o->max);
	else if (o->min != NULL)
		buf_printf(b, "%sat least %s", sep, o->min);
	if (o->env[0] != NULL)
		buf_printf(b, "%s%s: %s%s%s", sep, (o->flags & OPTF_ENV_UNSET) ?
		    "if unset, environment" : "environment", o->env[0],
		    o->env[1] != NULL ? ", else " : "",
		    o->env[1] != NULL ? o->env[1] : "");
	buf_printf(b, "\n      %s\n", o->help);
}

void
config_reference(struct buf *b)
{
	size_t	i, j;

	buf_printf(b, "chops configuration: an INI file. Lines are\n"
	    "'key = value'; a line starting with ';' or '#' is a comment, and\n"
	    "' ;' (blank, then ';') starts a comment after a value. Lines\n"
	    "longer than %d characters, unknown sections or keys and keys\n"
	    "given twice are errors. Durations: 500ms, 10s, 2m, 1h. Sizes:\n"
	    "65536, 64KiB, 16MiB, 1GiB. Booleans: true or false.\n"
	    "Environment variables override the file.\n", CONFIG_LINE_MAX);
	for (i = 0; i < nitems(sections); i++) {
		buf_printf(b, "\n[%s%s]\n  %s\n\n", sections[i].name,
		    sections[i].plan ? ".NAME" : "", sections[i].help);
		for (j = 0; j < nitems(options); j++) {
			if (strcmp(options[j].section, sections[i].name) == 0)
				reference_option(b, &options[j]);
		}
	}
}
