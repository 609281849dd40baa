/*
 * chops verify ID [--level object|restore] [--drift] [--json]: checks a
 * backup against its manifest, the same way the console does. Exit 0 when
 * it matches, 1 on a mismatch or when it could not be checked, 2 when
 * refused (lock held, read-only), 3 on usage errors. Ctrl-C cancels (the
 * scratch table is still dropped).
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
#include "s3.h"
#include "util.h"
#include "verify.h"

static int	cmd_verify_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_verify_entry = {
	.name = "verify",
	.usage = "ID [--level object|restore] [--drift] [--json]",
	.summary = "check a backup: its object (size, SHA-256) or a trial "
	    "restore (count, checksum)",
	.exec = cmd_verify_exec,
};

static int
verify_parse_args(int argc, char **argv, struct verify_opts *o, int *json)
{
	static const struct option longopts[] = {
		{ "level", required_argument, NULL, 'l' },
		{ "drift", no_argument, NULL, 'd' },
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
		case 'l':
			if (verify_level_parse(optarg, &o->level) != 0)
				return cmd_usage_error(&cmd_verify_entry,
				    "--level is object or restore, not '%s'",
				    optarg);
			break;
		case 'd': o->drift = true; break;
		case 'j': *json = 1; break;
		default:
			return cmd_usage_error(&cmd_verify_entry, "bad option");
		}
	}
	if (o->id == NULL && optind < argc)
		o->id = argv[optind++];
	if (o->id == NULL)
		return cmd_usage_error(&cmd_verify_entry, "which backup? (an "
		    "id such as otus.events/daily/2026-11-28, see chops list)");
	if (optind != argc)
		return cmd_usage_error(&cmd_verify_entry,
		    "one backup at a time");
	return 0;
}

/* ---------------------------------------------------------------- output */

static void
verify_progress_line(const struct verify_progress *p, void *arg)
{
	char	done[32], total[32];

	cmd_run_progress("verify: %s", p->phase);
	if (p->load.total > 0 && (strcmp(p->phase, "loading") == 0 ||
	    strcmp(p->phase, "hashing") == 0)) {
		util_fmt_bytes(done, sizeof done, (double)p->load.fetched);
		util_fmt_bytes(total, sizeof total, (double)p->load.total);
		fprintf(stderr, " %s of %s (%.0f%%)", done, total,
		    100.0 * (double)p->load.fetched / (double)p->load.total);
	}
	cmd_run_progress_shown(arg);
}

static void
verify_add_str(cJSON *o, const char *name, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(o, name, v);
	else
		cJSON_AddNullToObject(o, name);
}

static cJSON *
verify_json(const struct verify_result *r, bool drift)
{
	cJSON	*o = cJSON_CreateObject(), *d;

	verify_add_str(o, "id", r->id);
	cJSON_AddStringToObject(o, "level", verify_level_name(r->level));
	cJSON_AddBoolToObject(o, "ok", r->ok);
	if (r->has_counts)
		cJSON_AddNumberToObject(o, "rows", (double)r->rows);
	else
		cJSON_AddNullToObject(o, "rows");
	verify_add_str(o, "checksum", r->has_counts ? r->checksum : NULL);
	if (r->expected_checksum != NULL)
		cJSON_AddNumberToObject(o, "expected_rows",
		    (double)r->expected_rows);
	else
		cJSON_AddNullToObject(o, "expected_rows");
	verify_add_str(o, "expected_checksum", r->expected_checksum);
	verify_add_str(o, "error", r->error);
	if (!drift)
		return o;
	d = cJSON_AddObjectToObject(o, "drift");
	cJSON_AddBoolToObject(d, "checked", r->drift_checked);
	cJSON_AddBoolToObject(d, "drift", r->drift);
	if (r->drift_checked)
		cJSON_AddNumberToObject(d, "source_rows",
		    (double)r->source_rows);
	verify_add_str(d, "source_checksum", r->source_checksum);
	verify_add_str(d, "error", r->drift_error);
	return o;
}

static void
verify_print_text(const struct verify_result *r, bool drift)
{
	if (r->status != VERIFY_OK)
		fprintf(stderr, "chops: verify %s: %s%s\n", r->id,
		    r->status == VERIFY_MISMATCH ? "MISMATCH: " : "",
		    r->error != NULL ? r->error : "failed");
	else if (r->has_counts)
		printf("ok %s (restore): %llu rows, checksum %s, as the "
		    "manifest says\n", r->id, (unsigned long long)r->rows,
		    r->checksum);
	else
		printf("ok %s (object): size and SHA-256 match the manifest\n",
		    r->id);
	if (drift && r->drift_checked)
		printf("drift: the source range now holds %llu rows, checksum "
		    "%s (%s)\n", (unsigned long long)r->source_rows,
		    r->source_checksum, r->drift ? "changed since the backup" :
		    "unchanged");
	else if (drift)
		printf("drift: not checked: %s\n", r->drift_error != NULL ?
		    r->drift_error : "no verdict");
	if (r->warning != NULL)
		fprintf(stderr, "chops: warning: %s\n", r->warning);
}

static void
verify_print(const struct verify_result *r, bool drift, int json)
{
	cJSON	*o;
	char	*text;

	if (!json) {
		verify_print_text(r, drift);
		return;
	}
	o = verify_json(r, drift);
	text = cJSON_Print(o);
	printf("%s\n", text);
	cJSON_free(text);
	cJSON_Delete(o);
}

static int
verify_exit_code(enum verify_status s)
{
	switch (s) {
	case VERIFY_OK:
		return EXIT_OK;
	case VERIFY_REFUSED:
		return EXIT_CRIT;
	case VERIFY_INVALID:
		return EXIT_USAGE;
	default:
		return EXIT_WARN;
	}
}

/* ---------------------------------------------------------------- run */

static enum verify_status
verify_go(struct cmd_ctx *ctx, const struct verify_opts *o,
    struct verify_result *r, int *shown)
{
	struct ch_client		*ch = NULL;
	struct s3_client		*s3;
	enum verify_status		 status;

	if (o->level == VERIFY_RESTORE || o->drift)
		ch = cmd_run_ch_new(ctx);
	s3 = s3_new(ctx->loop, &ctx->cfg->s3);
	cmd_run_signals_install(ctx->loop);
	status = verify_run(ctx->loop, ch, s3, o, ctx->stderr_tty ?
	    verify_progress_line : NULL, shown, r,
	    cmd_run_interrupted());
	cmd_run_signals_restore();
	s3_free(s3);
	if (ch != NULL)
		ch_free(ch);
	return status;
}

static int
cmd_verify_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct verify_opts	o;
	struct verify_result	r;
	enum verify_status	status;
	int			json = 0, shown = 0;

	memset(&o, 0, sizeof o);
	if (verify_parse_args(argc, argv, &o, &json) != 0)
		return EXIT_USAGE;
	o.read_only = ctx->read_only;
	memset(&r, 0, sizeof r);
	status = verify_go(ctx, &o, &r, &shown);
	cmd_run_progress_end(shown);
	verify_print(&r, o.drift, json);
	verify_result_clear(&r);
	return verify_exit_code(status);
}
