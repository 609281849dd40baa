#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "util.h"
#include "xmalloc.h"

/* Must never show up in any message. Not an identifier on purpose. */
#define SECRET		"Zq9-hunter2-s3cr3t"

/* Stands for "not touched" in *out. */
static struct config	 sentinel;
#define UNTOUCHED	(&sentinel)

static const char *const env_vars[] = {
	"CHOPS_CONFIG", "XDG_CONFIG_HOME", "CLICKHOUSE_URL", "CLICKHOUSE_USER",
	"CLICKHOUSE_PASSWORD", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
	"AWS_REGION", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL",
	"AWS_CA_BUNDLE", "PROMETHEUS_URL", "KAFKA_EXPORTER_URL",
	"CHOPS_TEST_PASSWORD", "CHOPS_TEST_UNSET_VAR",
};

static char	*saved_home;

/* The machine's environment must not leak into the tests. */
static int
env_setup(void **state)
{
	const char	*home = getenv("HOME");
	size_t		 i;

	for (i = 0; i < nitems(env_vars); i++)
		unsetenv(env_vars[i]);
	saved_home = home != NULL ? xstrdup(home) : NULL;
	return 0;
}

static int
env_teardown(void **state)
{
	size_t	i;

	for (i = 0; i < nitems(env_vars); i++)
		unsetenv(env_vars[i]);
	if (saved_home != NULL)
		setenv("HOME", saved_home, 1);
	else
		unsetenv("HOME");
	free(saved_home);
	saved_home = NULL;
	return 0;
}

static struct config *
load_ok(const char *text)
{
	struct config	*cfg = NULL;
	char		*cause = NULL;

	if (config_load_string(text, "t.ini", &cfg, &cause) != 0)
		fail_msg("unexpected error: %s", cause);
	assert_null(cause);
	assert_non_null(cfg);
	return cfg;
}

/* Loads text that must fail; returns the cause after the common checks. */
static char *
load_err(const char *text)
{
	struct config	*cfg = UNTOUCHED;
	char		*cause = NULL;

	assert_int_equal(config_load_string(text, "t.ini", &cfg, &cause), -1);
	assert_ptr_equal(cfg, UNTOUCHED);
	assert_non_null(cause);
	if (strstr(cause, SECRET) != NULL)
		fail_msg("secret leaked: %s", cause);
	return cause;
}

static void
assert_contains(const char *s, const char *want)
{
	if (strstr(s, want) == NULL)
		fail_msg("'%s' does not contain '%s'", s, want);
}

/* ------------------------------------------------------------ files */

static char *
tmp_dir(void)
{
	const char	*base = getenv("TMPDIR");
	char		*dir;

	dir = xasprintf("%s/chops-test-XXXXXX", base != NULL && *base != '\0' ?
	    base : "/tmp");
	assert_non_null(mkdtemp(dir));
	return dir;
}

static char *
write_file(const char *dir, const char *name, const char *text, mode_t mode)
{
	char	*path = xasprintf("%s/%s", dir, name);
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static char *
make_dir(const char *dir, const char *name)
{
	char	*path = xasprintf("%s/%s", dir, name);

	assert_int_equal(mkdir(path, 0700), 0);
	return path;
}

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
rm_tree(char *dir)
{
	assert_int_equal(nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	free(dir);
}

/* ------------------------------------------------------------ defaults */

static void
test_defaults(void **state)
{
	struct config	*cfg = load_ok("");

	assert_string_equal(cfg->path, "t.ini");
	assert_int_equal(cfg->clickhouse.n_urls, 1);
	assert_string_equal(cfg->clickhouse.urls[0], "http://127.0.0.1:8123");
	assert_string_equal(cfg->clickhouse.user, "default");
	assert_string_equal(cfg->clickhouse.password, "");
	assert_int_equal(cfg->clickhouse.timeout_ms, 10000);
	assert_int_equal(cfg->clickhouse.connect_timeout_ms, 3000);
	assert_null(cfg->clickhouse.tls.ca_file);
	assert_false(cfg->clickhouse.tls.insecure);
	assert_string_equal(cfg->s3.endpoint, "http://127.0.0.1:7480");
	assert_string_equal(cfg->s3.region, "us-east-1");
	assert_string_equal(cfg->s3.bucket, "otus-project");
	assert_string_equal(cfg->s3.prefix, "chops/");
	assert_string_equal(cfg->s3.access_key, "");
	assert_string_equal(cfg->s3.secret_key, "");
	assert_int_equal(cfg->s3.timeout_ms, 30000);
	assert_int_equal(cfg->s3.connect_timeout_ms, 3000);
	assert_int_equal(cfg->s3.part_size, 16 * 1048576);
	assert_int_equal(cfg->s3.parallel, 4);
	assert_null(cfg->s3.tls.ca_file);
	assert_false(cfg->s3.tls.insecure);
	assert_null(cfg->prometheus.url);
	assert_int_equal(cfg->prometheus.timeout_ms, 5000);
	assert_int_equal(cfg->kafka.source, KAFKA_SOURCE_EXPORTER);
	assert_string_equal(cfg->kafka.exporter_url,
	    "http://127.0.0.1:9308/metrics");
	assert_int_equal(cfg->kafka.timeout_ms, 5000);
	assert_int_equal(cfg->ui.refresh_ms, 2000);
	assert_int_equal(cfg->ui.s3_refresh_ms, 60000);
	assert_string_equal(cfg->ui.theme, "default");
	assert_false(cfg->ui.read_only);
	assert_true(cfg->ui.lag_warn == 1000 && cfg->ui.lag_crit == 100000);
	assert_true(cfg->ui.lag_seconds_warn == 60);
	assert_true(cfg->ui.lag_seconds_crit == 600);
	assert_true(cfg->ui.parts_warn_ratio == 0.5);
	assert_true(cfg->ui.parts_crit_ratio == 0.8);
	assert_int_equal(cfg->ui.backup_age_warn_ms, 26 * 3600000LL);
	assert_int_equal(cfg->ui.backup_age_crit_ms, 50 * 3600000LL);
	assert_int_equal(cfg->n_plans, 0);
	assert_int_equal(cfg->n_warnings, 0);
	config_free(cfg);
}

/* ------------------------------------------------------------ sections */

static void
test_clickhouse(void **state)
{
	struct config	*cfg;

	setenv("CHOPS_TEST_PASSWORD", "from-env", 1);
	cfg = load_ok("[clickhouse]\n"
	    "url = https://ch.example:8443\n"
	    "user = ops\n"
	    "password_env = CHOPS_TEST_PASSWORD\n"
	    "timeout = 1500ms\n"
	    "connect_timeout = 2s\n");
	assert_int_equal(cfg->clickhouse.n_urls, 1);
	assert_string_equal(cfg->clickhouse.urls[0], "https://ch.example:8443");
	assert_string_equal(cfg->clickhouse.user, "ops");
	assert_string_equal(cfg->clickhouse.password, "from-env");
	assert_int_equal(cfg->clickhouse.timeout_ms, 1500);
	assert_int_equal(cfg->clickhouse.connect_timeout_ms, 2000);
	config_free(cfg);

	cfg = load_ok("[clickhouse]\npassword = pw\n");
	assert_string_equal(cfg->clickhouse.password, "pw");
	config_free(cfg);
}

static void
test_urls_list(void **state)
{
	struct config	*cfg;

	cfg = load_ok("[clickhouse]\n"
	    "urls = http://a:8123, https://b:8443 ,http://c/\n");
	assert_int_equal(cfg->clickhouse.n_urls, 3);
	assert_string_equal(cfg->clickhouse.urls[0], "http://a:8123");
	assert_string_equal(cfg->clickhouse.urls[1], "https://b:8443");
	assert_string_equal(cfg->clickhouse.urls[2], "http://c/");
	config_free(cfg);

	cfg = load_ok("[clickhouse]\nurls = http://only\n");
	assert_int_equal(cfg->clickhouse.n_urls, 1);
	config_free(cfg);
}

static void
test_s3(void **state)
{
	struct config	*cfg;

	cfg = load_ok("[s3]\n"
	    "endpoint = https://s3.example\n"
	    "region = eu-west-1\n"
	    "bucket = b1\n"
	    "prefix = backups\n"
	    "access_key = AK\n"
	    "secret_key = SK\n"
	    "timeout = 2m\n"
	    "connect_timeout = 1s\n"
	    "part_size = 5MiB\n"
	    "parallel = 32\n");
	assert_string_equal(cfg->s3.endpoint, "https://s3.example");
	assert_string_equal(cfg->s3.region, "eu-west-1");
	assert_string_equal(cfg->s3.bucket, "b1");
	assert_string_equal(cfg->s3.prefix, "backups/");
	assert_string_equal(cfg->s3.access_key, "AK");
	assert_string_equal(cfg->s3.secret_key, "SK");
	assert_int_equal(cfg->s3.timeout_ms, 120000);
	assert_int_equal(cfg->s3.connect_timeout_ms, 1000);
	assert_int_equal(cfg->s3.part_size, 5 * 1048576);
	assert_int_equal(cfg->s3.parallel, 32);
	config_free(cfg);

	cfg = load_ok("[s3]\npart_size = 5GiB\nparallel = 1\n");
	assert_int_equal(cfg->s3.part_size, 5ULL * 1073741824);
	assert_int_equal(cfg->s3.parallel, 1);
	config_free(cfg);
}

static void
test_prefix(void **state)
{
	static const struct { const char *in, *out; } t[] = {
		{ "chops", "chops/" }, { "chops/", "chops/" }, { "", "" },
		{ "/a/b", "a/b/" }, { "a/b/", "a/b/" }, { "/", "" },
	};
	struct config	*cfg;
	char		*text;
	size_t		 i;

	for (i = 0; i < nitems(t); i++) {
		text = xasprintf("[s3]\nprefix = %s\n", t[i].in);
		cfg = load_ok(text);
		assert_string_equal(cfg->s3.prefix, t[i].out);
		config_free(cfg);
		free(text);
	}
}

static void
test_prometheus_kafka(void **state)
{
	struct config	*cfg;

	cfg = load_ok("[prometheus]\n"
	    "url = http://prom:9090\n"
	    "timeout = 7s\n"
	    "[kafka]\n"
	    "source = prometheus\n"
	    "exporter_url = https://exp:9308/metrics\n"
	    "timeout = 3s\n");
	assert_string_equal(cfg->prometheus.url, "http://prom:9090");
	assert_int_equal(cfg->prometheus.timeout_ms, 7000);
	assert_int_equal(cfg->kafka.source, KAFKA_SOURCE_PROMETHEUS);
	assert_string_equal(cfg->kafka.exporter_url, "https://exp:9308/metrics");
	assert_int_equal(cfg->kafka.timeout_ms, 3000);
	config_free(cfg);

	/* Prometheus given by the environment is enough */
	setenv("PROMETHEUS_URL", "http://p:9090", 1);
	cfg = load_ok("[kafka]\nsource = prometheus\n");
	assert_string_equal(cfg->prometheus.url, "http://p:9090");
	config_free(cfg);
}

static void
test_ui(void **state)
{
	struct config	*cfg;

	cfg = load_ok("[ui]\n"
	    "refresh = 500ms\n"
	    "s3_refresh = 5m\n"
	    "theme = dark\n"
	    "read_only = yes\n"
	    "lag_warn = 10\n"
	    "lag_crit = 1e6\n"
	    "lag_seconds_warn = 5\n"
	    "lag_seconds_crit = 50\n"
	    "parts_warn_ratio = 0.25\n"
	    "parts_crit_ratio = 1\n"
	    "backup_age_warn = 1h\n"
	    "backup_age_crit = 2h\n");
	assert_int_equal(cfg->ui.refresh_ms, 500);
	assert_int_equal(cfg->ui.s3_refresh_ms, 300000);
	assert_string_equal(cfg->ui.theme, "dark");
	assert_true(cfg->ui.read_only);
	assert_true(cfg->ui.lag_warn == 10 && cfg->ui.lag_crit == 1e6);
	assert_true(cfg->ui.lag_seconds_warn == 5);
	assert_true(cfg->ui.lag_seconds_crit == 50);
	assert_true(cfg->ui.parts_warn_ratio == 0.25);
	assert_true(cfg->ui.parts_crit_ratio == 1);
	assert_int_equal(cfg->ui.backup_age_warn_ms, 3600000);
	assert_int_equal(cfg->ui.backup_age_crit_ms, 7200000);
	config_free(cfg);
}

static void
test_plans(void **state)
{
	const struct cfg_plan	*p;
	struct config		*cfg;

	cfg = load_ok("[backup.orders]\n"
	    "table = shop.orders\n"
	    "time_column = created_at\n"
	    "[backup.events-2]\n"
	    "table = _db.T_1\n"
	    "time_column = d\n"
	    "schedule = weekly\n"
	    "engine = server\n"
	    "format = parquet\n"
	    "compression = none\n"
	    "keep_days = 14\n"
	    "keep_weeks = 0\n"
	    "data_keep_days = 90\n"
	    "[backup.empty_ok]\n"
	    "time_column = d\n"
	    "table = a.b\n");
	assert_int_equal(cfg->n_plans, 3);
	p = config_find_plan(cfg, "orders");
	assert_non_null(p);
	assert_string_equal(p->table, "shop.orders");
	assert_string_equal(p->time_column, "created_at");
	assert_int_equal(p->schedule, BACKUP_DAILY);
	assert_string_equal(p->engine, "stream");
	assert_string_equal(p->format, "native");
	assert_string_equal(p->compression, "zstd");
	assert_int_equal(p->keep_days, 7);
	assert_int_equal(p->keep_weeks, 4);
	assert_int_equal(p->data_keep_days, 0);
	p = config_find_plan(cfg, "events-2");
	assert_non_null(p);
	assert_string_equal(p->table, "_db.T_1");
	assert_int_equal(p->schedule, BACKUP_WEEKLY);
	assert_string_equal(p->engine, "server");
	assert_string_equal(p->format, "parquet");
	assert_string_equal(p->compression, "none");
	assert_int_equal(p->keep_days, 14);
	assert_int_equal(p->keep_weeks, 0);
	assert_int_equal(p->data_keep_days, 90);
	assert_non_null(config_find_plan(cfg, "empty_ok"));
	assert_null(config_find_plan(cfg, "nope"));
	config_free(cfg);
}

static void
test_warnings(void **state)
{
	struct config	*cfg;

	cfg = load_ok("[clickhouse]\ninsecure = true\n"
	    "[s3]\ninsecure = on\n[kafka]\ninsecure = false\n");
	assert_int_equal(cfg->n_warnings, 2);
	assert_true(cfg->clickhouse.tls.insecure && cfg->s3.tls.insecure);
	assert_contains(cfg->warnings[0], "[clickhouse]");
	assert_contains(cfg->warnings[0], "insecure");
	assert_contains(cfg->warnings[1], "[s3]");
	config_free(cfg);
}

/* ------------------------------------------------------------ syntax */

/* What Debian's inih 55 does, relied upon and documented. */
static void
test_syntax(void **state)
{
	struct config	*cfg;

	cfg = load_ok("[ui]\ntheme = dark ; a comment\n");
	assert_string_equal(cfg->ui.theme, "dark");
	config_free(cfg);
	cfg = load_ok("[ui]\ntheme = dark;light\n");
	assert_string_equal(cfg->ui.theme, "dark;light");
	config_free(cfg);
	cfg = load_ok("[ui]\ntheme = dark # not a comment\n");
	assert_string_equal(cfg->ui.theme, "dark # not a comment");
	config_free(cfg);
	cfg = load_ok("; comment\n# comment\n\n  [ ui ]  \n"
	    "    theme : indented\n\t; indented comment\n");
	assert_string_equal(cfg->ui.theme, "indented");
	config_free(cfg);
	cfg = load_ok("\xef\xbb\xbf[ui]\r\ntheme = crlf\r\n");
	assert_string_equal(cfg->ui.theme, "crlf");
	config_free(cfg);
	cfg = load_ok("[ui]\ntheme = no-newline-at-end");
	assert_string_equal(cfg->ui.theme, "no-newline-at-end");
	config_free(cfg);
	/* sections without keys are still checked */
	cfg = load_ok("[clickhouse]\n[s3]\n[prometheus]\n[kafka]\n[ui]\n");
	config_free(cfg);
}

static void
test_empty_values(void **state)
{
	struct config	*cfg;

	cfg = load_ok("[clickhouse]\nca_file =\npassword =\n"
	    "[prometheus]\nurl =\n[s3]\nprefix =\n");
	assert_null(cfg->clickhouse.tls.ca_file);
	assert_string_equal(cfg->clickhouse.password, "");
	assert_null(cfg->prometheus.url);
	assert_string_equal(cfg->s3.prefix, "");
	config_free(cfg);
}

static void
test_bad_input(void **state)
{
	static const struct {
		const char	*text;
		int		 line;	/* 0: no line in the message */
		const char	*want;
	} t[] = {
		{ "[clickhouse]\ntimeout = 10x\n", 2,
		  "[clickhouse] timeout: '10x' is not a duration (expected "
		  "e.g. 500ms, 10s, 2m, 1h)" },
		{ "[s3]\nconnect_timeout = -1s\n", 2, "is not a duration" },
		{ "[ui]\nrefresh = 10ms\n", 2,
		  "'10ms' is out of range (expected 100ms to 1h)" },
		{ "[clickhouse]\ninsecure = maybe\n", 2,
		  "[clickhouse] insecure: 'maybe' is not a boolean" },
		{ "[ui]\nread_only = 2\n", 2, "is not a boolean" },
		{ "[nosuch]\n", 1, "unknown section [nosuch]" },
		{ "[ui]\ntheme = x\n\n[nosuch]\ntheme = y\n", 4,
		  "unknown section [nosuch]" },
		{ "[clickhouse]\nfoo = 1\n", 2, "[clickhouse] unknown key 'foo'" },
		{ "[backup.x]\ntable = a.b\nfoo = 1\n", 3,
		  "[backup.x] unknown key 'foo'" },
		{ "[clickhouse]\nuser = a\nuser = b\n", 3,
		  "[clickhouse] user: duplicate key (first at line 2)" },
		{ "[clickhouse]\n[clickhouse]\n", 2,
		  "[clickhouse] appears twice (first at line 1)" },
		{ "[clickhouse]\nurl = ftp://h\n", 2,
		  "[clickhouse] url: 'ftp://h' is not an http(s) URL" },
		{ "[clickhouse]\nurl = h:8123\n", 2, "is not an http(s) URL" },
		{ "[clickhouse]\nurl = http://\n", 2, "is not an http(s) URL" },
		{ "[s3]\nendpoint = 127.0.0.1:7480\n", 2,
		  "[s3] endpoint: '127.0.0.1:7480' is not an http(s) URL" },
		{ "[prometheus]\nurl = prom:9090\n", 2,
		  "[prometheus] url: 'prom:9090' is not an http(s) URL" },
		{ "[kafka]\nexporter_url = exp/metrics\n", 2,
		  "[kafka] exporter_url: 'exp/metrics' is not" },
		{ "[clickhouse]\nurls = http://a,,http://b\n", 2,
		  "empty item in the list" },
		{ "[clickhouse]\nurls = http://a,\n", 2, "empty item" },
		{ "[clickhouse]\nurls =\n", 2, "expected a URL" },
		{ "[clickhouse]\nurl = http://a, http://b\n", 2,
		  "expected one URL (use urls for several)" },
		{ "[clickhouse]\nurl = http://a\nurls = http://b\n", 3,
		  "[clickhouse] urls: url is already set (line 2); use only "
		  "one of url, urls" },
		{ "[clickhouse]\npassword = x\npassword_env = V\n", 3,
		  "password is already set (line 2); use only one of "
		  "password, password_env, password_file" },
		{ "[s3]\naccess_key = x\naccess_key_env = V\n", 3,
		  "use only one of access_key, access_key_env, "
		  "access_key_file" },
		{ "[clickhouse]\npassword_env = CHOPS_TEST_UNSET_VAR\n", 2,
		  "[clickhouse] password_env: environment variable "
		  "CHOPS_TEST_UNSET_VAR is not set" },
		{ "[s3]\nsecret_key_env = CHOPS_TEST_UNSET_VAR\n", 2,
		  "[s3] secret_key_env: environment variable "
		  "CHOPS_TEST_UNSET_VAR is not set" },
		{ "[clickhouse]\npassword_env = not a name\n", 2,
		  "expected the name of an environment variable" },
		{ "[clickhouse]\npassword_file = no/such/file\n", 2,
		  "[clickhouse] password_file: no/such/file: No such file" },
		{ "[clickhouse]\nca_file = no/such/ca.pem\n", 2,
		  "[clickhouse] ca_file: cannot read no/such/ca.pem" },
		{ "[s3]\npart_size = 4MiB\n", 2,
		  "[s3] part_size: '4MiB' is out of range (expected 5MiB to "
		  "5GiB)" },
		{ "[s3]\npart_size = 6GiB\n", 2, "out of range" },
		{ "[s3]\npart_size = big\n", 2, "'big' is not a size" },
		{ "[s3]\nparallel = 0\n", 2,
		  "[s3] parallel: '0' is out of range (expected 1 to 32)" },
		{ "[s3]\nparallel = 33\n", 2, "out of range (expected 1 to 32)" },
		{ "[s3]\nparallel = 2.5\n", 2, "'2.5' is not a whole number" },
		{ "[s3]\nprefix = a b\n", 2, "is not a key prefix" },
		{ "[s3]\nregion =\n", 2, "[s3] region: expected a value" },
		{ "[s3]\naccess_key = AK\n", 2,
		  "[s3] access_key is set but secret_key is not" },
		{ "[backup.x]\ntable = nodot\ntime_column = d\n", 2,
		  "[backup.x] table: 'nodot' is not db.table" },
		{ "[backup.x]\ntable = a.b.c\n", 2, "is not db.table" },
		{ "[backup.x]\ntable = 1db.t\n", 2, "is not db.table" },
		{ "[backup.x]\ntable = db.t-x\n", 2, "is not db.table" },
		{ "[backup.x]\ntable = db.\n", 2, "is not db.table" },
		{ "[backup.x]\ntable = a.b\ntime_column = 1d\n", 3,
		  "[backup.x] time_column: '1d' is not a column name" },
		{ "[backup.x]\ntime_column = d\n", 1,
		  "[backup.x] has no table (required: table = db.table)" },
		{ "[backup.x]\ntable = a.b\n[ui]\n", 1, "has no time_column" },
		{ "[backup.x]\ntable = a.b\ntime_column = d\n[backup.x]\n", 4,
		  "duplicate plan [backup.x] (first at line 1)" },
		{ "[backup.x]\ntable=a.b\ntime_column=d\nschedule = hourly\n", 4,
		  "'hourly' is not valid (expected daily or weekly)" },
		{ "[backup.x]\ntable=a.b\ntime_column=d\ncompression = lz4\n", 4,
		  "expected zstd, gzip or none" },
		{ "[backup.x]\ntable=a.b\ntime_column=d\nengine = x\n", 4,
		  "expected stream or server" },
		{ "[backup.x]\ntable=a.b\ntime_column=d\nkeep_days = 0\n", 4,
		  "[backup.x] keep_days: '0' is out of range" },
		{ "[backup]\n", 1, "unknown section [backup] (expected "
		  "clickhouse, s3, prometheus, kafka, ui or backup.NAME)" },
		{ "[backup.]\n", 1, "bad plan name" },
		{ "[backup.a b]\n", 1, "bad plan name" },
		{ "[clickhouse\nuser = a\n", 1, "no ']' (expected [section])" },
		{ "[clickhouse]\njust words\n", 2,
		  "expected [section] or key = value" },
		{ "[clickhouse]\nuser = a\n  continued\n", 3,
		  "expected [section] or key = value" },
		{ "user = a\n", 1, "'user' is outside any section" },
		{ "[clickhouse]\n= x\n", 2, "expected key = value" },
		{ "[kafka]\nsource = kafka\n", 2,
		  "'kafka' is not valid (expected exporter or prometheus)" },
		{ "[kafka]\nsource = prometheus\n", 2,
		  "[kafka] source = prometheus needs [prometheus] url" },
		{ "[ui]\nlag_warn = 200000\n", 2,
		  "[ui] lag_warn must not be above lag_crit" },
		{ "[ui]\nbackup_age_crit = 1h\n", 2,
		  "backup_age_warn must not be above backup_age_crit" },
		{ "[ui]\nparts_crit_ratio = 1.5\n", 2,
		  "out of range (expected 0 to 1)" },
		{ "[ui]\nlag_warn = nan\n", 2, "'nan' is not a number" },
		{ "[ui]\nlag_warn = -1\n", 2, "out of range (expected at least 0)" },
	};
	char	*cause, *prefix;
	size_t	 i;

	for (i = 0; i < nitems(t); i++) {
		cause = load_err(t[i].text);
		prefix = xasprintf("t.ini:%d: ", t[i].line);
		if (strncmp(cause, prefix, strlen(prefix)) != 0 ||
		    strstr(cause, t[i].want) == NULL)
			fail_msg("case %zu: got '%s', want '%s...%s'", i, cause,
			    prefix, t[i].want);
		free(prefix);
		free(cause);
	}
}

/* Builds "[ui]\ntheme = xxx...": line 2 exactly `len` long, then `end`. */
static char *
long_line(size_t len, const char *key, const char *end)
{
	struct buf	b = BUF_INIT;
	size_t		n;

	buf_printf(&b, "[ui]\n%s = ", key);
	for (n = strlen(key) + 3; n < len; n++)
		buf_addc(&b, 'x');
	buf_addstr(&b, end);
	return buf_detach(&b);
}

static void
test_line_too_long(void **state)
{
	struct config	*cfg;
	char		*text, *cause;

	text = long_line(CONFIG_LINE_MAX, "theme", "\n");
	cfg = load_ok(text);
	assert_int_equal(strlen(cfg->ui.theme), CONFIG_LINE_MAX - 8);
	config_free(cfg);
	free(text);

	text = long_line(CONFIG_LINE_MAX, "theme", "\r\n");
	cfg = load_ok(text);
	config_free(cfg);
	free(text);

	text = long_line(CONFIG_LINE_MAX + 1, "theme", "\n[ui]\n");
	cause = load_err(text);
	assert_string_equal(cause, "t.ini:2: line is longer than 4096 "
	    "characters");
	free(cause);
	free(text);

	/* the last line, without a newline, is no exception */
	text = long_line(CONFIG_LINE_MAX + 1, "theme", "");
	cause = load_err(text);
	assert_contains(cause, "t.ini:2: line is longer than 4096");
	free(cause);
	free(text);

	text = long_line(3 * CONFIG_LINE_MAX, "theme", "\n");
	cause = load_err(text);
	assert_contains(cause, "t.ini:2: line is longer than 4096");
	free(cause);
	free(text);
}

/* ------------------------------------------------------------ environment */

static void
test_env_overrides(void **state)
{
	static const char	*file =
	    "[clickhouse]\nurl = http://file:8123\nuser = fileuser\n"
	    "password = filepw\n"
	    "[s3]\nendpoint = http://file:7480\nregion = file-region\n"
	    "access_key = FAK\nsecret_key = FSK\n"
	    "[prometheus]\nurl = http://file:9090\n"
	    "[kafka]\nexporter_url = http://file:9308/metrics\n";
	struct config	*cfg;

	setenv("CLICKHOUSE_URL", "http://e1:8123,https://e2:8443", 1);
	setenv("CLICKHOUSE_USER", "envuser", 1);
	setenv("CLICKHOUSE_PASSWORD", "envpw", 1);
	setenv("AWS_ACCESS_KEY_ID", "EAK", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "ESK", 1);
	setenv("AWS_REGION", "env-region", 1);
	setenv("AWS_ENDPOINT_URL", "http://generic:1", 1);
	setenv("AWS_ENDPOINT_URL_S3", "http://s3only:2", 1);
	setenv("PROMETHEUS_URL", "http://envprom:9090", 1);
	setenv("KAFKA_EXPORTER_URL", "http://envexp:9308/metrics", 1);
	cfg = load_ok(file);
	assert_int_equal(cfg->clickhouse.n_urls, 2);
	assert_string_equal(cfg->clickhouse.urls[0], "http://e1:8123");
	assert_string_equal(cfg->clickhouse.urls[1], "https://e2:8443");
	assert_string_equal(cfg->clickhouse.user, "envuser");
	assert_string_equal(cfg->clickhouse.password, "envpw");
	assert_string_equal(cfg->s3.access_key, "EAK");
	assert_string_equal(cfg->s3.secret_key, "ESK");
	assert_string_equal(cfg->s3.region, "env-region");
	assert_string_equal(cfg->s3.endpoint, "http://s3only:2");
	assert_string_equal(cfg->prometheus.url, "http://envprom:9090");
	assert_string_equal(cfg->kafka.exporter_url,
	    "http://envexp:9308/metrics");
	config_free(cfg);

	/* AWS_ENDPOINT_URL when there is no S3-specific one */
	unsetenv("AWS_ENDPOINT_URL_S3");
	cfg = load_ok(file);
	assert_string_equal(cfg->s3.endpoint, "http://generic:1");
	config_free(cfg);

	/* empty variables count as unset */
	setenv("CLICKHOUSE_USER", "", 1);
	cfg = load_ok(file);
	assert_string_equal(cfg->clickhouse.user, "fileuser");
	config_free(cfg);
}

static void
test_env_bad(void **state)
{
	char	*cause;

	setenv("CLICKHOUSE_URL", "http://a, ftp://b", 1);
	cause = load_err("");
	assert_string_equal(cause, "environment variable CLICKHOUSE_URL: "
	    "'ftp://b' is not an http(s) URL (expected http://HOST:PORT or "
	    "https://HOST:PORT)");
	free(cause);
	unsetenv("CLICKHOUSE_URL");

	setenv("AWS_ACCESS_KEY_ID", "AK", 1);
	cause = load_err("");
	assert_contains(cause, "access_key is set but secret_key is not");
	free(cause);
}

static void
test_ca_bundle(void **state)
{
	char		*dir = tmp_dir(), *bundle, *own, *text;
	struct config	*cfg;

	bundle = write_file(dir, "bundle.pem", "pem\n", 0644);
	own = write_file(dir, "own.pem", "pem\n", 0644);
	setenv("AWS_CA_BUNDLE", bundle, 1);
	cfg = load_ok("");
	assert_string_equal(cfg->s3.tls.ca_file, bundle);
	assert_null(cfg->clickhouse.tls.ca_file);
	config_free(cfg);

	text = xasprintf("[s3]\nca_file = %s\n", own);
	cfg = load_ok(text);
	assert_string_equal(cfg->s3.tls.ca_file, own);
	config_free(cfg);
	free(text);

	setenv("AWS_CA_BUNDLE", "no/such/bundle.pem", 1);
	text = load_err("");
	assert_contains(text, "environment variable AWS_CA_BUNDLE: cannot read");
	free(text);
	free(bundle);
	free(own);
	rm_tree(dir);
}

/* ------------------------------------------------------------ secrets */

static void
test_check_private(void **state)
{
	static const struct {
		mode_t		 mode;
		int		 ok;
		const char	*want;
	} t[] = {
		{ 0600, 1, NULL }, { 0400, 1, NULL }, { 0700, 1, NULL },
		{ 0640, 0, "readable by group or others (mode 0640)" },
		{ 0604, 0, "(mode 0604)" },
		{ 0620, 0, "accessible by group or others (mode 0620)" },
		{ 0601, 0, "(mode 0601)" },
	};
	char	*dir = tmp_dir(), *path, *cause, *hint;
	size_t	 i;
	int	 fd;

	path = xasprintf("%s/private-XXXXXX", dir);
	assert_true((fd = mkstemp(path)) != -1);
	close(fd);
	hint = xasprintf("; run: chmod 600 %s", path);
	for (i = 0; i < nitems(t); i++) {
		assert_int_equal(chmod(path, t[i].mode), 0);
		cause = NULL;
		assert_int_equal(config_check_private(path, "password in "
		    "[clickhouse]", &cause), t[i].ok ? 0 : -1);
		if (t[i].ok) {
			assert_null(cause);
			continue;
		}
		assert_true(strncmp(cause, path, strlen(path)) == 0);
		assert_contains(cause, "holds a secret (password in "
		    "[clickhouse])");
		assert_contains(cause, t[i].want);
		assert_contains(cause, hint);
		free(cause);
	}
	free(hint);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(config_check_private(path, NULL, &cause), -1);
	assert_contains(cause, "No such file");
	free(cause);
	free(path);
	rm_tree(dir);
}

static void
test_file_permissions(void **state)
{
	char		*dir = tmp_dir(), *path, *want, *cause;
	struct config	*cfg;

	path = write_file(dir, "chops.ini", "[clickhouse]\npassword = "
	    SECRET "\n", 0644);
	cfg = UNTOUCHED;
	assert_int_equal(config_load(path, &cfg, &cause), -1);
	assert_ptr_equal(cfg, UNTOUCHED);
	want = xasprintf("%s: holds a secret (password in [clickhouse]) but "
	    "is readable by group or others (mode 0644); run: chmod 600 %s",
	    path, path);
	assert_string_equal(cause, want);
	free(want);
	free(cause);

	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(config_load(path, &cfg, &cause), 0);
	assert_string_equal(cfg->clickhouse.password, SECRET);
	assert_string_equal(cfg->path, path);
	config_free(cfg);
	free(path);

	/* no inline secret, or an empty one: any mode will do */
	setenv("CHOPS_TEST_PASSWORD", "x", 1);
	path = write_file(dir, "open.ini", "[clickhouse]\npassword_env = "
	    "CHOPS_TEST_PASSWORD\n[s3]\naccess_key_env = CHOPS_TEST_PASSWORD\n"
	    "secret_key_env = CHOPS_TEST_PASSWORD\n", 0644);
	assert_int_equal(config_load(path, &cfg, &cause), 0);
	assert_string_equal(cfg->s3.secret_key, "x");
	config_free(cfg);
	free(path);
	path = write_file(dir, "open2.ini", "[clickhouse]\npassword =\n"
	    "user = x\n", 0644);
	assert_int_equal(config_load(path, &cfg, &cause), 0);
	config_free(cfg);
	free(path);

	/* s3 secrets count too */
	path = write_file(dir, "s3.ini", "[s3]\naccess_key = AK\n"
	    "secret_key = " SECRET "\n", 0640);
	assert_int_equal(config_load(path, &cfg, &cause), -1);
	assert_contains(cause, "holds a secret (access_key in [s3])");
	assert_null(strstr(cause, SECRET));
	free(cause);
	free(path);
	rm_tree(dir);
}

static void
test_password_file(void **state)
{
	char		*dir = tmp_dir(), *path, *pw, *cause;
	struct config	*cfg;

	pw = write_file(dir, "pw", SECRET "\n", 0600);
	/* relative to the configuration file's directory */
	path = write_file(dir, "chops.ini", "[clickhouse]\npassword_file = pw\n"
	    "[s3]\naccess_key_file = pw\nsecret_key_file = pw\n", 0644);
	assert_int_equal(config_load(path, &cfg, &cause), 0);
	assert_string_equal(cfg->clickhouse.password, SECRET);
	assert_string_equal(cfg->s3.access_key, SECRET);
	assert_string_equal(cfg->s3.secret_key, SECRET);
	config_free(cfg);
	free(pw);

	pw = write_file(dir, "pw", SECRET "\r\n\n", 0600);
	assert_int_equal(config_load(path, &cfg, &cause), 0);
	assert_string_equal(cfg->clickhouse.password, SECRET);
	config_free(cfg);

	assert_int_equal(chmod(pw, 0644), 0);
	assert_int_equal(config_load(path, &cfg, &cause), -1);
	assert_contains(cause, ":2: [clickhouse] password_file: ");
	assert_contains(cause, "(mode 0644); run: chmod 600 ");
	assert_contains(cause, pw);
	assert_null(strstr(cause, SECRET));
	free(cause);
	free(pw);
	free(path);
	rm_tree(dir);
}

/* A distinctive secret in bad configurations never reaches the message. */
static void
test_secret_never_leaks(void **state)
{
	static const char *t[] = {
		"[clickhouse]\npassword = " SECRET "\npassword = " SECRET "\n",
		"[clickhouse]\npassword " SECRET "\n",
		"[clickhouse]\n" SECRET "\n",
		"[clickhouse]\npassword = " SECRET "\npassword_env = X\n",
		"[clickhouse]\npassword_env = " SECRET "\n",
		"[clickhouse]\npasswd = " SECRET "\n",
		"password = " SECRET "\n",
		"[clickhouse]\nurl = http://user:" SECRET "@host\n",
		"[clickhouse]\nurl = user:" SECRET "@host\n",
		"[clickhouse]\nurls = http://a, http://u:" SECRET "@b\n",
		"[s3]\nsecret_key = " SECRET "\n",
		"[s3]\naccess_key = " SECRET "\n[s3]\n",
		"[clickhouse]\npassword = " SECRET "\n[nosuch]\n",
		"[clickhouse\npassword = " SECRET "\n",
	};
	char	*cause, *text;
	size_t	 i;

	for (i = 0; i < nitems(t); i++)
		free(load_err(t[i]));	/* load_err checks */

	text = long_line(2 * CONFIG_LINE_MAX, "password = " SECRET, "\n");
	free(load_err(text));
	free(text);

	setenv("CLICKHOUSE_URL", "http://u:" SECRET "@h", 1);
	cause = load_err("");
	assert_contains(cause, "CLICKHOUSE_URL");
	free(cause);
	unsetenv("CLICKHOUSE_URL");
	setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
	free(load_err(""));
}

/* ------------------------------------------------------------ search */

struct search {
	char	*dir, *home, *xdg;
	char	*home_ini, *xdg_ini, *env_ini, *arg_ini;
};

static void
search_setup(struct search *s)
{
	char	*d;

	s->dir = tmp_dir();
	s->home = make_dir(s->dir, "home");
	d = make_dir(s->home, ".config");
	free(d);
	d = make_dir(s->home, ".config/chops");
	s->home_ini = write_file(d, "chops.ini", "[ui]\ntheme = home\n", 0600);
	free(d);
	s->xdg = make_dir(s->dir, "xdg");
	d = make_dir(s->xdg, "chops");
	s->xdg_ini = write_file(d, "chops.ini", "[ui]\ntheme = xdg\n", 0600);
	free(d);
	s->env_ini = write_file(s->dir, "env.ini", "[ui]\ntheme = env\n", 0600);
	s->arg_ini = write_file(s->dir, "arg.ini", "[ui]\ntheme = arg\n", 0600);
}

static void
search_free(struct search *s)
{
	free(s->home);
	free(s->xdg);
	free(s->home_ini);
	free(s->xdg_ini);
	free(s->env_ini);
	free(s->arg_ini);
	rm_tree(s->dir);
}

static void
expect_theme(const char *arg, const char *theme, const char *path)
{
	struct config	*cfg = NULL;
	char		*cause = NULL;

	if (config_load(arg, &cfg, &cause) != 0)
		fail_msg("unexpected error: %s", cause);
	assert_string_equal(cfg->ui.theme, theme);
	assert_string_equal(cfg->path, path);
	config_free(cfg);
}

static void
expect_missing(const char *arg, const char *missing, const char *named_by)
{
	struct config	*cfg = UNTOUCHED;
	char		*cause = NULL;

	assert_int_equal(config_load(arg, &cfg, &cause), -1);
	assert_ptr_equal(cfg, UNTOUCHED);
	assert_contains(cause, missing);
	assert_contains(cause, "No such file");
	if (named_by != NULL)
		assert_contains(cause, named_by);
	free(cause);
}

/* No file found: defaults, and no path. */
static void
expect_none(void)
{
	struct config	*cfg = NULL;
	char		*cause = NULL;

	if (config_load(NULL, &cfg, &cause) != 0)
		fail_msg("unexpected error: %s", cause);
	assert_null(cfg->path);
	assert_string_equal(cfg->ui.theme, "default");
	config_free(cfg);
}

static void
test_search_order(void **state)
{
	struct search	 s;
	char		*missing;

	search_setup(&s);
	missing = xasprintf("%s/missing.ini", s.dir);
	setenv("HOME", s.home, 1);
	expect_theme(NULL, "home", s.home_ini);
	setenv("XDG_CONFIG_HOME", "relative/ignored", 1);
	expect_theme(NULL, "home", s.home_ini);
	setenv("XDG_CONFIG_HOME", s.xdg, 1);
	expect_theme(NULL, "xdg", s.xdg_ini);
	setenv("CHOPS_CONFIG", s.env_ini, 1);
	expect_theme(NULL, "env", s.env_ini);
	expect_theme(s.arg_ini, "arg", s.arg_ini);

	/* explicitly named files must exist; the others need not */
	expect_missing(missing, missing, NULL);
	setenv("CHOPS_CONFIG", missing, 1);
	expect_missing(NULL, missing, "CHOPS_CONFIG");
	unsetenv("CHOPS_CONFIG");

	/* with XDG_CONFIG_HOME set, ~/.config is not looked at */
	assert_int_equal(unlink(s.xdg_ini), 0);
	if (access(CONFIG_SYSTEM_PATH, F_OK) != 0)
		expect_none();
	free(missing);
	search_free(&s);
}

static void
test_no_file(void **state)
{
	struct config	*cfg = NULL;
	char		*cause = NULL, *dir;

	if (access(CONFIG_SYSTEM_PATH, F_OK) == 0)
		skip();
	dir = tmp_dir();
	setenv("HOME", dir, 1);
	setenv("CLICKHOUSE_USER", "envonly", 1);
	assert_int_equal(config_load(NULL, &cfg, &cause), 0);
	assert_null(cfg->path);
	assert_string_equal(cfg->clickhouse.user, "envonly");
	assert_string_equal(cfg->ui.theme, "default");
	config_free(cfg);
	unsetenv("HOME");
	assert_int_equal(config_load(NULL, &cfg, &cause), 0);
	config_free(cfg);
	rm_tree(dir);
}

static void
test_file_errors(void **state)
{
	char		*dir = tmp_dir(), *path, *cause;
	struct config	*cfg = UNTOUCHED;
	FILE		*f;

	/* a directory is not a configuration file */
	assert_int_equal(config_load(dir, &cfg, &cause), -1);
	assert_contains(cause, "is not a regular file");
	free(cause);
	path = write_file(dir, "bad.ini", "[ui]\n\ntheme = a\ntheme = b\n",
	    0600);
	assert_int_equal(config_load(path, &cfg, &cause), -1);
	assert_ptr_equal(cfg, UNTOUCHED);
	assert_true(strncmp(cause, path, strlen(path)) == 0);
	assert_contains(cause, ":4: [ui] theme: duplicate key (first at "
	    "line 3)");
	free(cause);
	free(path);

	/* binary junk is refused, not cut at the NUL */
	path = write_file(dir, "nul.ini", "", 0600);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite("[ui]\ntheme = a\0b\n", 1, 17, f), 17);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(config_load(path, &cfg, &cause), -1);
	assert_contains(cause, ":2: line holds a NUL byte");
	free(cause);
	free(path);
	rm_tree(dir);
}

/* ------------------------------------------------------------ reference */

static void
test_reference(void **state)
{
	static const char *want[] = {
		"[clickhouse]", "[s3]", "[prometheus]", "[kafka]", "[ui]",
		"[backup.NAME]", "  part_size = size\n", "range: 5MiB to 5GiB",
		"range: 1 to 32", "environment: CLICKHOUSE_URL",
		"AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL",
		"if unset, environment: AWS_CA_BUNDLE",
		"schedule = daily | weekly", "table = db.table\n      required",
		"default: 16MiB", "4096",
	};
	struct buf	b = BUF_INIT;
	size_t		i;

	config_reference(&b);
	for (i = 0; i < nitems(want); i++)
		assert_contains(buf_str(&b), want[i]);
	buf_free(&b);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, env_setup, env_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_defaults),
		T(test_clickhouse),
		T(test_urls_list),
		T(test_s3),
		T(test_prefix),
		T(test_prometheus_kafka),
		T(test_ui),
		T(test_plans),
		T(test_warnings),
		T(test_syntax),
		T(test_empty_values),
		T(test_bad_input),
		T(test_line_too_long),
		T(test_env_overrides),
		T(test_env_bad),
		T(test_ca_bundle),
		T(test_check_private),
		T(test_file_permissions),
		T(test_password_file),
		T(test_secret_never_leaks),
		T(test_search_order),
		T(test_no_file),
		T(test_file_errors),
		T(test_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
