/*
 * chops prune [--table DB.T] [--data] (--dry-run | --yes) [--json]: deletes
 * the backups the retention plans no longer keep (never a table's newest
 * verified one) and, with --data, the table partitions older than
 * data_keep_days that verified backups cover. --dry-run prints exactly what
 * --yes would delete. --keep-days, --keep-weeks and --data-keep-days
 * override the plans (and prune tables that have none).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "clickhouse.h"
#include "cmd.h"
#include "config.h"
#include "loop.h"
#include "retention.h"
#include "s3.h"

static int	cmd_prune_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_prune_entry = {
	.name = "prune",
	.usage = "[--table DB.T] [--data] (--dry-run | --yes) [--keep-days N] "
	    "[--keep-weeks N] [--data-keep-days N] [--json]",
	.summary = "delete old backups (and with --data, backed-up table data)",
	.exec = cmd_prune_exec,
};

struct prune_args {
	const char		*table;
	int			 data;
	int			 dry_run;
	int			 yes;
	int			 json;
	struct ret_policy	 override;
	int			 overridden;
};

static int
prune_number(const char *opt, const char *s, int max, int *out)
{
	char	*end;
	long	 v;

	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 0 || v > max)
		return cmd_usage_error(&cmd_prune_entry, "%s wants a number "
		    "from 0 to %d, not '%s'", opt, max, s);
	*out = (int)v;
	return 0;
}

static int
prune_parse_args(int argc, char **argv, struct prune_args *a)
{
	static const struct option longopts[] = {
		{ "table", required_argument, NULL, 't' },
		{ "data", no_argument, NULL, 'D' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "yes", no_argument, NULL, 'y' },
		{ "json", no_argument, NULL, 'j' },
		{ "keep-days", required_argument, NULL, 'd' },
		{ "keep-weeks", required_argument, NULL, 'w' },
		{ "data-keep-days", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	int	c, rc = 0;

	a->override.keep_days = a->override.keep_weeks = RET_UNSET;
	a->override.data_keep_days = RET_UNSET;
	while (rc == 0 && (c = getopt_long(argc, argv, "", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 't': a->table = optarg; break;
		case 'D': a->data = 1; break;
		case 'n': a->dry_run = 1; break;
		case 'y': a->yes = 1; break;
		case 'j': a->json = 1; break;
		case 'd':
			rc = prune_number("--keep-days", optarg, 36500,
			    &a->override.keep_days);
			a->overridden = 1;
			break;
		case 'w':
			rc = prune_number("--keep-weeks", optarg, 5200,
			    &a->override.keep_weeks);
			a->overridden = 1;
			break;
		case 'k':
			rc = prune_number("--data-keep-days", optarg, 36500,
			    &a->override.data_keep_days);
			a->overridden = 1;
			break;
		default:
			return cmd_usage_error(&cmd_prune_entry, "bad option");
		}
	}
	if (rc != 0)
		return rc;
	if (optind != argc)
		return cmd_usage_error(&cmd_prune_entry,
		    "unexpected argument '%s'", argv[optind]);
	if (a->dry_run && a->yes)
		return cmd_usage_error(&cmd_prune_entry, "--dry-run or --yes, "
		    "not both");
	return 0;
}

/* ---------------------------------------------------------------- output */

static cJSON *
prune_entry_json(const struct ret_entry *e)
{
	cJSON		*o = cJSON_CreateObject();
	static const char *field[] = { "id", "key", "partition" };

	cJSON_AddStringToObject(o, "kind", ret_kind_name(e->kind));
	cJSON_AddStringToObject(o, field[e->kind], e->name);
	cJSON_AddStringToObject(o, "table", e->table);
	if (e->kind == RET_OBJECT)
		cJSON_AddStringToObject(o, "backup", e->id);
	if (e->kind == RET_PARTITION && e->partition_id != NULL) {
		cJSON_AddStringToObject(o, "partition_id", e->partition_id);
		cJSON_AddNumberToObject(o, "rows", (double)e->rows);
	}
	cJSON_AddStringToObject(o, "reason", e->reason);
	if (e->blocking)
		cJSON_AddBoolToObject(o, "uncovered", true);
	return o;
}

static void
prune_json(const struct ret_plan *p, const char *status)
{
	cJSON	*root = cJSON_CreateObject(), *arr;
	char	*text;
	size_t	 i;

	cJSON_AddStringToObject(root, "status", status);
	arr = cJSON_AddArrayToObject(root, "delete");
	for (i = 0; i < p->n_del; i++)
		cJSON_AddItemToArray(arr, prune_entry_json(&p->del[i]));
	arr = cJSON_AddArrayToObject(root, "keep");
	for (i = 0; i < p->n_keep; i++)
		cJSON_AddItemToArray(arr, prune_entry_json(&p->keep[i]));
	if (p->error != NULL)
		cJSON_AddStringToObject(root, "error", p->error);
	else
		cJSON_AddNullToObject(root, "error");
	if (p->warning != NULL)
		cJSON_AddStringToObject(root, "warning", p->warning);
	text = cJSON_Print(root);
	printf("%s\n", text);
	cJSON_free(text);
	cJSON_Delete(root);
}

static void
prune_text_entry(const struct ret_entry *e)
{
	switch (e->kind) {
	case RET_BACKUP:
		printf("  backup     %s: %s\n", e->name, e->reason);
		break;
	case RET_OBJECT:
		printf("    object   %s%s%s\n", e->name, e->blocking ||
		    strncmp(e->reason, "in backup", 9) == 0 ? "" : ": ",
		    strncmp(e->reason, "in backup", 9) == 0 ? "" : e->reason);
		break;
	case RET_PARTITION:
		printf("  partition  %s %s (%llu rows): %s\n", e->table,
		    e->name, (unsigned long long)e->rows, e->reason);
		break;
	}
}

static void
prune_text(const struct ret_plan *p, bool dry_run)
{
	size_t	i, nb = 0, no = 0, np = 0;

	for (i = 0; i < p->n_del; i++) {
		if (!dry_run && !p->del[i].done)
			continue;
		nb += p->del[i].kind == RET_BACKUP;
		no += p->del[i].kind == RET_OBJECT;
		np += p->del[i].kind == RET_PARTITION;
	}
	if (p->n_keep > 0)
		printf("kept:\n");
	for (i = 0; i < p->n_keep; i++)
		prune_text_entry(&p->keep[i]);
	if (nb + no + np > 0)
		printf("%s:\n", dry_run ? "would delete" : "deleted");
	for (i = 0; i < p->n_del; i++) {
		if (dry_run || p->del[i].done)
			prune_text_entry(&p->del[i]);
	}
	printf("%s %zu backup%s (%zu object%s) and %zu partition%s%s\n",
	    dry_run ? "would delete" : "deleted", nb, nb == 1 ? "" : "s", no,
	    no == 1 ? "" : "s", np, np == 1 ? "" : "s", dry_run ?
	    " (dry run: nothing deleted)" : "");
	if (p->warning != NULL)
		fprintf(stderr, "chops: warning: %s\n", p->warning);
	if (p->error != NULL)
		fprintf(stderr, "chops: prune: %s\n", p->error);
}

/* ---------------------------------------------------------------- run */

static enum ret_status
prune_go(struct cmd_ctx *ctx, const struct ret_opts *o,
    struct ret_plan **plan)
{
	const struct cfg_clickhouse	*cc = &ctx->cfg->clickhouse;
	struct http_tls			 tls = { cc->tls.ca_file,
					     cc->tls.insecure };
	struct ch_client		*ch = NULL;
	struct s3_client		*s3;
	enum ret_status			 st;

	if (o->data)
		ch = ch_new(ctx->loop, cc->urls[0], cc->user, cc->password,
		    &tls, cc->timeout_ms, cc->connect_timeout_ms);
	s3 = s3_new(ctx->loop, &ctx->cfg->s3);
	st = retention_run(ctx->loop, ch, s3, o, plan);
	s3_free(s3);
	if (ch != NULL)
		ch_free(ch);
	return st;
}

static int
cmd_prune_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const int	 codes[] = { EXIT_OK, EXIT_WARN, EXIT_CRIT,
				     EXIT_USAGE };
	static const char	*names[] = { "done", "failed", "refused",
				     "invalid" };
	struct prune_args	 a;
	struct ret_opts		 o;
	struct ret_plan		*plan = NULL;
	struct ret_policy	*pol;
	enum ret_status		 st;

	memset(&a, 0, sizeof a);
	if (prune_parse_args(argc, argv, &a) != 0)
		return EXIT_USAGE;
	memset(&o, 0, sizeof o);
	o.table = a.table;
	o.data = a.data;
	o.dry_run = a.dry_run;
	o.confirmed = a.yes;
	o.read_only = ctx->read_only;
	o.policies = pol = ret_policies(ctx->cfg, &o.n_policies);
	o.override = a.overridden ? &a.override : NULL;
	st = prune_go(ctx, &o, &plan);
	if (a.json)
		prune_json(plan, st == RET_OK && a.dry_run ? "dry-run" :
		    names[st]);
	else if (plan->n_del + plan->n_keep == 0 && plan->error != NULL)
		fprintf(stderr, "chops: prune: %s\n", plan->error);
	else
		prune_text(plan, a.dry_run);
	ret_plan_free(plan);
	free(pol);
	return codes[st];
}
