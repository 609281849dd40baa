/*
 * chops restore ID [--into DB.T] [--mode staging|replace|append] [--yes]
 * [--json]: loads a backup into a staging table, checks it, and with
 * replace or append (which need --yes) moves it into the table, partition
 * by partition. Without --yes it prints exactly what would change and
 * exits 2. Exit 0 done, 1 failed (the target is untouched unless partitions
 * are listed as done), 2 refused, 3 usage.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "clickhouse.h"
#include "cmd.h"
#include "cmd-run.h"
#include "config.h"
#include "loop.h"
#include "restore.h"
#include "s3.h"
#include "util.h"

static int	cmd_restore_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_restore_entry = {
	.name = "restore",
	.usage = "ID [--into DB.TABLE] [--mode staging|replace|append] "
	    "[--yes] [--json]",
	.summary = "restore a backup through a checked staging table",
	.exec = cmd_restore_exec,
};

static int
restore_parse_args(int argc, char **argv, struct restore_opts *o, int *json)
{
	static const struct option longopts[] = {
		{ "into", required_argument, NULL, 'i' },
		{ "mode", required_argument, NULL, 'm' },
		{ "yes", no_argument, NULL, 'y' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int	c;

	/* the id may come first: getopt here stops at the first operand */
	if (argc > 1 && argv[1][0] != '-') {
		o->id = argv[1];
		argv[1] = argv[0];
		argc--;
		argv++;
	}
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': o->into = optarg; break;
		case 'm':
			if (restore_mode_parse(optarg, &o->mode) != 0)
				return cmd_usage_error(&cmd_restore_entry,
				    "--mode is staging, replace or append, not "
				    "'%s'", optarg);
			break;
		case 'y': o->confirmed = true; break;
		case 'j': *json = 1; break;
		default:
			return cmd_usage_error(&cmd_restore_entry,
			    "bad option");
		}
	}
	if (o->id == NULL && optind < argc)
		o->id = argv[optind++];
	if (o->id == NULL)
		return cmd_usage_error(&cmd_restore_entry, "which backup? "
		    "(an id such as otus.events/daily/2026-11-28, see chops "
		    "list)");
	if (optind != argc)
		return cmd_usage_error(&cmd_restore_entry,
		    "one backup at a time");
	return 0;
}

/* ---------------------------------------------------------------- output */

static void
restore_progress_line(const struct restore_progress *p, void *arg)
{
	char	done[32], total[32];

	cmd_run_progress("restore: %s", p->phase);
	if (strcmp(p->phase, "loading") == 0 && p->load.total > 0) {
		util_fmt_bytes(done, sizeof done, (double)p->load.fetched);
		util_fmt_bytes(total, sizeof total, (double)p->load.total);
		fprintf(stderr, " %s of %s (%.0f%%)", done, total,
		    100.0 * (double)p->load.fetched / (double)p->load.total);
	} else if (p->parts_total > 0)
		fprintf(stderr, " %zu of %zu partitions", p->parts_done,
		    p->parts_total);
	cmd_run_progress_shown(arg);
}

static void
restore_add_str(cJSON *o, const char *name, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(o, name, v);
	else
		cJSON_AddNullToObject(o, name);
}

/* Done ones after a change; the planned ones when nothing was done. */
static cJSON *
restore_parts_json(const struct restore_result *r)
{
	cJSON	*a = cJSON_CreateArray();
	size_t	 i;

	for (i = 0; i < r->n_parts; i++) {
		if (r->target_touched && !r->parts[i].done)
			continue;
		cJSON_AddItemToArray(a, cJSON_CreateString(r->parts[i].id));
	}
	return a;
}

static cJSON *
restore_json(const struct restore_result *r)
{
	cJSON	*o = cJSON_CreateObject();

	restore_add_str(o, "id", r->id);
	cJSON_AddBoolToObject(o, "ok", r->ok);
	cJSON_AddStringToObject(o, "mode", restore_mode_name(r->mode));
	restore_add_str(o, "target", r->target);
	restore_add_str(o, "staging", r->staging);
	if (r->checksum != NULL)
		cJSON_AddNumberToObject(o, "rows", (double)r->rows);
	else
		cJSON_AddNullToObject(o, "rows");
	restore_add_str(o, "checksum", r->checksum);
	cJSON_AddItemToObject(o, "partitions", restore_parts_json(r));
	restore_add_str(o, "error", r->error);
	return o;
}

static void
restore_print_done(const struct restore_result *r)
{
	size_t	i;

	printf("restored %s (%s): %llu rows, checksum %s, checked against "
	    "the manifest\n", r->id, restore_mode_name(r->mode),
	    (unsigned long long)r->rows, r->checksum);
	if (r->mode == RESTORE_STAGING) {
		printf("in the staging table %s (%s untouched)\n", r->staging,
		    r->target);
		return;
	}
	for (i = 0; i < r->n_parts; i++)
		printf("  %s partition %s of %s: %llu rows\n",
		    r->mode == RESTORE_REPLACE ? "replaced" : "attached",
		    r->parts[i].id, r->target, (unsigned long long)
		    r->parts[i].backup_rows);
}

static void
restore_print(const struct restore_result *r, int json)
{
	cJSON	*o;
	char	*text;

	/* what would change goes to stderr, so that --json stays parsable */
	if (r->status == RESTORE_REFUSED && r->plan != NULL)
		fprintf(stderr, "%s", r->plan);
	if (json) {
		o = restore_json(r);
		text = cJSON_Print(o);
		printf("%s\n", text);
		cJSON_free(text);
		cJSON_Delete(o);
	} else if (r->status == RESTORE_OK)
		restore_print_done(r);
	else
		fprintf(stderr, "chops: restore %s: %s\n", r->id,
		    r->error != NULL ? r->error : "failed");
	if (r->warning != NULL)
		fprintf(stderr, "chops: warning: %s\n", r->warning);
}

static int
restore_exit_code(enum restore_status s)
{
	switch (s) {
	case RESTORE_OK:
	case RESTORE_PLANNED:
		return EXIT_OK;
	case RESTORE_REFUSED:
		return EXIT_CRIT;
	case RESTORE_INVALID:
		return EXIT_USAGE;
	default:
		return EXIT_WARN;
	}
}

/* ---------------------------------------------------------------- run */

static enum restore_status
restore_go(struct cmd_ctx *ctx, const struct restore_opts *o,
    struct restore_result *r, int *shown)
{
	struct ch_client		*ch;
	struct s3_client		*s3;
	enum restore_status		 status;

	ch = cmd_run_ch_new(ctx);
	s3 = s3_new(ctx->loop, &ctx->cfg->s3);
	cmd_run_signals_install(ctx->loop);
	status = restore_run(ctx->loop, ch, s3, o, ctx->stderr_tty ?
	    restore_progress_line : NULL, shown, r,
	    cmd_run_interrupted());
	cmd_run_signals_restore();
	s3_free(s3);
	ch_free(ch);
	return status;
}

static int
cmd_restore_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct restore_opts	o;
	struct restore_result	r;
	enum restore_status	status;
	int			json = 0, shown = 0;

	memset(&o, 0, sizeof o);
	if (restore_parse_args(argc, argv, &o, &json) != 0)
		return EXIT_USAGE;
	o.read_only = ctx->read_only;
	memset(&r, 0, sizeof r);
	status = restore_go(ctx, &o, &r, &shown);
	cmd_run_progress_end(shown);
	restore_print(&r, json);
	restore_result_clear(&r);
	return restore_exit_code(status);
}
