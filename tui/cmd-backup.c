/*
 * chops backup (--plan NAME | --table DB.T (--day D | --week W | --from TS
 * --to TS)) [options]: one backup, the same the console takes. Progress
 * goes to stderr when it is a terminal; Ctrl-C cancels cleanly (KILL QUERY,
 * multipart upload aborted).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "backup.h"
#include "clickhouse.h"
#include "cmd.h"
#include "cmd-run.h"
#include "config.h"
#include "loop.h"
#include "s3.h"
#include "util.h"

static int	cmd_backup_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_backup_entry = {
	.name = "backup",
	.usage = "(--plan NAME | --table DB.T (--day YYYY-MM-DD | --week "
	    "YYYY-Www | --from TS --to TS)) [--time-column COL] "
	    "[--engine stream|server] [--format native|parquet] "
	    "[--compression zstd|gzip|none] [--force] [--tz TZ] [--json]",
	.summary = "back up a table's day, ISO week or range to S3",
	.exec = cmd_backup_exec,
};

struct backup_args {
	const char	*plan;
	const char	*table;
	const char	*day;
	const char	*week;
	const char	*from;
	const char	*to;
	const char	*time_column;
	const char	*engine;
	const char	*format;
	const char	*compression;
	const char	*tz;
	int		 force;
	int		 json;
};

static int
backup_parse_args(int argc, char **argv, struct backup_args *a)
{
	static const struct option longopts[] = {
		{ "plan", required_argument, NULL, 'p' },
		{ "table", required_argument, NULL, 't' },
		{ "day", required_argument, NULL, 'd' },
		{ "week", required_argument, NULL, 'w' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 'T' },
		{ "time-column", required_argument, NULL, 'c' },
		{ "engine", required_argument, NULL, 'e' },
		{ "format", required_argument, NULL, 'F' },
		{ "compression", required_argument, NULL, 'z' },
		{ "tz", required_argument, NULL, 'Z' },
		{ "force", no_argument, NULL, 'x' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int	c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': a->plan = optarg; break;
		case 't': a->table = optarg; break;
		case 'd': a->day = optarg; break;
		case 'w': a->week = optarg; break;
		case 'f': a->from = optarg; break;
		case 'T': a->to = optarg; break;
		case 'c': a->time_column = optarg; break;
		case 'e': a->engine = optarg; break;
		case 'F': a->format = optarg; break;
		case 'z': a->compression = optarg; break;
		case 'Z': a->tz = optarg; break;
		case 'x': a->force = 1; break;
		case 'j': a->json = 1; break;
		default:
			return cmd_usage_error(&cmd_backup_entry, "bad option");
		}
	}
	if (optind != argc)
		return cmd_usage_error(&cmd_backup_entry,
		    "unexpected argument '%s'", argv[optind]);
	return 0;
}

/* Exactly one way of naming the period; the plan names its own. */
static int
backup_check_args(const struct backup_args *a)
{
	int	n = (a->day != NULL) + (a->week != NULL) +
		    (a->from != NULL || a->to != NULL);

	if ((a->plan != NULL) == (a->table != NULL))
		return cmd_usage_error(&cmd_backup_entry, "give either --plan "
		    "or --table");
	if (a->plan != NULL && (n > 0 || a->time_column != NULL))
		return cmd_usage_error(&cmd_backup_entry, "--plan sets the "
		    "table, its time column and the period itself");
	if (a->table != NULL && n != 1)
		return cmd_usage_error(&cmd_backup_entry, "--table needs one "
		    "of --day, --week or --from with --to");
	if ((a->from == NULL) != (a->to == NULL))
		return cmd_usage_error(&cmd_backup_entry, "--from and --to go "
		    "together");
	return 0;
}

/* The plan for a table, when exactly one covers it. */
static const struct cfg_plan *
backup_plan_of(const struct config *cfg, const char *table)
{
	const struct cfg_plan	*found = NULL;
	size_t			 i;

	for (i = 0; i < cfg->n_plans; i++) {
		if (strcmp(cfg->plans[i].table, table) != 0)
			continue;
		if (found != NULL)
			return NULL;
		found = &cfg->plans[i];
	}
	return found;
}

/* Engine, format and compression: flags, else the plan, else defaults. */
static int
backup_set_choices(const struct backup_args *a, const struct cfg_plan *plan,
    struct backup_opts *o)
{
	const char	*e = a->engine, *f = a->format, *z = a->compression;

	if (e == NULL)
		e = plan != NULL ? plan->engine : "stream";
	if (f == NULL)
		f = plan != NULL ? plan->format : "native";
	/* Parquet compresses itself */
	if (z == NULL)
		z = plan != NULL ? plan->compression :
		    strcmp(f, "parquet") == 0 ? "none" : "zstd";
	if (backup_engine_parse(e, &o->engine) != 0)
		return cmd_usage_error(&cmd_backup_entry, "--engine is stream "
		    "or server, not '%s'", e);
	if (backup_format_parse(f, &o->format) != 0)
		return cmd_usage_error(&cmd_backup_entry, "--format is native "
		    "or parquet, not '%s'", f);
	if (codec_parse(z, &o->compression) != 0)
		return cmd_usage_error(&cmd_backup_entry, "--compression is "
		    "zstd, gzip or none, not '%s'", z);
	return 0;
}

static int
backup_set_period(const struct backup_args *a, const struct cfg_plan *plan,
    struct backup_opts *o)
{
	char	*cause = NULL;
	int	 rc;

	if (a->plan != NULL) {
		memset(&o->period, 0, sizeof o->period);
		o->period.rel = plan->schedule == BACKUP_WEEKLY ?
		    PERIOD_LAST_WEEK : PERIOD_YESTERDAY;
		return 0;
	}
	if (a->day != NULL)
		rc = period_parse_day(a->day, &o->period, &cause);
	else if (a->week != NULL)
		rc = period_parse_week(a->week, &o->period, &cause);
	else
		rc = period_parse_range(a->from, a->to, &o->period, &cause);
	if (rc != 0) {
		cmd_usage_error(&cmd_backup_entry, "%s", cause);
		free(cause);
		return EXIT_USAGE;
	}
	return 0;
}

static int
backup_make_opts(struct cmd_ctx *ctx, const struct backup_args *a,
    struct backup_opts *o)
{
	const struct cfg_plan	*plan = NULL;

	memset(o, 0, sizeof *o);
	if (a->plan != NULL) {
		if ((plan = config_find_plan(ctx->cfg, a->plan)) == NULL)
			return cmd_usage_error(NULL, "no plan [backup.%s] in "
			    "the configuration", a->plan);
		o->table = plan->table;
		o->time_column = plan->time_column;
	} else {
		plan = backup_plan_of(ctx->cfg, a->table);
		o->table = a->table;
		o->time_column = a->time_column != NULL ? a->time_column :
		    plan != NULL ? plan->time_column : NULL;
	}
	if (backup_set_choices(a, plan, o) != 0 ||
	    backup_set_period(a, plan, o) != 0)
		return EXIT_USAGE;
	o->tz = a->tz;
	o->force = a->force;
	o->read_only = ctx->read_only;
	o->workers = -1;
	o->s3_access_key = ctx->cfg->s3.access_key;
	o->s3_secret_key = ctx->cfg->s3.secret_key;
	return 0;
}

/* ---------------------------------------------------------------- output */

static void
backup_progress_line(const struct backup_progress *p, void *arg)
{
	char	read[32], up[32], rate[32], rows[32], total[32];

	util_fmt_bytes(read, sizeof read, (double)p->bytes_read);
	util_fmt_bytes(up, sizeof up, (double)p->bytes_uploaded);
	util_fmt_bytes(rate, sizeof rate, p->rate);
	util_fmt_count(rows, sizeof rows, (double)p->rows_read);
	util_fmt_count(total, sizeof total, (double)p->rows_total);
	cmd_run_progress("%s: %s", p->id != NULL ? p->id : "backup",
	    backup_phase_name(p->phase));
	if (p->phase >= BACKUP_PHASE_TRANSFER)
		fprintf(stderr, ", rows %s/%s, read %s, uploaded %s, %s/s",
		    rows, total, read, up, rate);
	cmd_run_progress_shown(arg);
}

static cJSON *
backup_json(const struct backup_result *r)
{
	cJSON	*o = cJSON_CreateObject();
	bool	 ok = r->status == BACKUP_COMPLETE ||
		    r->status == BACKUP_SKIPPED;

	if (r->id != NULL)
		cJSON_AddStringToObject(o, "id", r->id);
	else
		cJSON_AddNullToObject(o, "id");
	/* the contract: complete, skipped or failed (exit 2 tells refusals) */
	cJSON_AddStringToObject(o, "status", ok ?
	    backup_status_name(r->status) : "failed");
	if (ok) {
		cJSON_AddNumberToObject(o, "rows", (double)r->rows);
		cJSON_AddStringToObject(o, "checksum", r->checksum);
		cJSON_AddNumberToObject(o, "bytes", (double)r->bytes);
		cJSON_AddStringToObject(o, "key", r->key);
		cJSON_AddNullToObject(o, "error");
	} else {
		cJSON_AddNullToObject(o, "rows");
		cJSON_AddNullToObject(o, "checksum");
		cJSON_AddNullToObject(o, "bytes");
		if (r->key != NULL)
			cJSON_AddStringToObject(o, "key", r->key);
		else
			cJSON_AddNullToObject(o, "key");
		cJSON_AddStringToObject(o, "error", r->error != NULL ?
		    r->error : "unknown error");
	}
	return o;
}

static void
backup_print(const struct backup_result *r, int json)
{
	char	 size[32], *text;
	cJSON	*o;

	if (json) {
		o = backup_json(r);
		text = cJSON_Print(o);
		printf("%s\n", text);
		cJSON_free(text);
		cJSON_Delete(o);
		return;
	}
	if (r->status != BACKUP_COMPLETE && r->status != BACKUP_SKIPPED) {
		fprintf(stderr, "chops: backup%s%s: %s\n", r->id != NULL ?
		    " " : "", r->id != NULL ? r->id : "", r->error != NULL ?
		    r->error : "unknown error");
		return;
	}
	util_fmt_bytes(size, sizeof size, (double)r->bytes);
	printf("%s %s: %llu rows, %s, checksum %s, %s%s\n",
	    backup_status_name(r->status), r->id, (unsigned long long)r->rows,
	    size, r->checksum, r->key, r->status == BACKUP_SKIPPED ?
	    " (already complete; --force takes it again)" : "");
}

static int
backup_exit_code(enum backup_status s)
{
	switch (s) {
	case BACKUP_COMPLETE:
	case BACKUP_SKIPPED:
		return EXIT_OK;
	case BACKUP_REFUSED:
		return EXIT_CRIT;
	case BACKUP_INVALID:
		return EXIT_USAGE;
	default:
		return EXIT_WARN;
	}
}

/* ---------------------------------------------------------------- run */

static enum backup_status
backup_go(struct cmd_ctx *ctx, const struct backup_opts *o,
    struct backup_result *r, int *shown)
{
	struct ch_client		*ch;
	struct s3_client		*s3;
	enum backup_status		 status;

	ch = cmd_run_ch_new(ctx);
	s3 = s3_new(ctx->loop, &ctx->cfg->s3);
	cmd_run_signals_install(ctx->loop);
	status = backup_run(ctx->loop, ch, s3, o, ctx->stderr_tty ?
	    backup_progress_line : NULL, shown, r,
	    cmd_run_interrupted());
	cmd_run_signals_restore();
	s3_free(s3);
	ch_free(ch);
	return status;
}

static int
cmd_backup_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct backup_args	a;
	struct backup_opts	o;
	struct backup_result	r;
	enum backup_status	status;
	int			shown = 0;

	memset(&a, 0, sizeof a);
	if (backup_parse_args(argc, argv, &a) != 0 ||
	    backup_check_args(&a) != 0 || backup_make_opts(ctx, &a, &o) != 0)
		return EXIT_USAGE;
	memset(&r, 0, sizeof r);
	status = backup_go(ctx, &o, &r, &shown);
	cmd_run_progress_end(shown);
	backup_print(&r, a.json);
	backup_result_clear(&r);
	return backup_exit_code(status);
}
