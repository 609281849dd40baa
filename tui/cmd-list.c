/*
 * chops list [--table DB.T] [--json]: the backups in the bucket (with their
 * manifests and verification), the last 14 days per table, and the objects
 * under the prefix that are not chops backups.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cmd.h"
#include "config.h"
#include "inventory.h"
#include "s3.h"
#include "sql.h"
#include "util.h"

static int	cmd_list_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_list_entry = {
	.name = "list",
	.usage = "[--table DB.T] [--json]",
	.summary = "list the backups in S3 and what else is under the prefix",
	.exec = cmd_list_exec,
};

/* ---------------------------------------------------------------- json */

static void
list_add_str(cJSON *o, const char *name, const char *s)
{
	if (s != NULL)
		cJSON_AddStringToObject(o, name, s);
	else
		cJSON_AddNullToObject(o, name);
}

static cJSON *
list_backup_json(const struct inv_backup *bk)
{
	const struct manifest	*m = bk->manifest;
	cJSON			*o = cJSON_CreateObject();
	char			 t[24];

	cJSON_AddStringToObject(o, "id", bk->id);
	cJSON_AddStringToObject(o, "table", bk->table);
	cJSON_AddStringToObject(o, "kind", period_kind_name(bk->kind));
	cJSON_AddStringToObject(o, "period", bk->period);
	if (m != NULL)
		cJSON_AddNumberToObject(o, "rows", (double)m->rows);
	else
		cJSON_AddNullToObject(o, "rows");
	if (bk->data != NULL)
		cJSON_AddNumberToObject(o, "bytes", (double)bk->data->size);
	else
		cJSON_AddNullToObject(o, "bytes");
	if (m != NULL)
		period_fmt_iso(t, sizeof t, m->created_at);
	list_add_str(o, "created_at", m != NULL ? t : NULL);
	list_add_str(o, "created_by", m != NULL ? m->created_by : NULL);
	cJSON_AddBoolToObject(o, "complete", bk->complete);
	cJSON_AddBoolToObject(o, "verified", bk->verified == INV_VERIFIED);
	cJSON_AddStringToObject(o, "verify", inv_verify_name(bk->verified));
	list_add_str(o, "problem", bk->problem);
	return o;
}

static cJSON *
list_json(const struct inventory *inv)
{
	cJSON	*root = cJSON_CreateObject(), *arr, *f;
	size_t	 i, j;

	arr = cJSON_AddArrayToObject(root, "backups");
	for (i = 0; i < inv->n_tables; i++) {
		for (j = 0; j < inv->tables[i].n_backups; j++)
			cJSON_AddItemToArray(arr,
			    list_backup_json(inv->tables[i].backups[j]));
	}
	arr = cJSON_AddArrayToObject(root, "foreign");
	for (i = 0; i < inv->n_foreign; i++) {
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "key", inv->foreign[i].key);
		cJSON_AddNumberToObject(f, "size",
		    (double)inv->foreign[i].size);
		cJSON_AddStringToObject(f, "last_modified",
		    inv->foreign[i].last_modified);
		cJSON_AddItemToArray(arr, f);
	}
	return root;
}

/* ---------------------------------------------------------------- text */

/* One character a day: V verified, + present, ! failed, ~ incomplete. */
static void
list_strip(const struct inv_table *t, char *s)
{
	static const char	marks[] = { '.', '~', '+', 'V', '!' };
	int			i;

	for (i = 0; i < INV_STRIP_DAYS; i++)
		s[i] = marks[t->strip[i]];
	s[INV_STRIP_DAYS] = '\0';
}

static void
list_backup_text(const struct inv_backup *bk)
{
	const struct manifest	*m = bk->manifest;
	char			 rows[32] = "-", size[32] = "-", t[24] = "-";

	if (m != NULL) {
		snprintf(rows, sizeof rows, "%llu",
		    (unsigned long long)m->rows);
		period_fmt_iso(t, sizeof t, m->created_at);
	}
	if (bk->data != NULL)
		util_fmt_bytes(size, sizeof size, (double)bk->data->size);
	printf("  %-7s %-34s %-10s %-10s %12s %10s  %s %s\n",
	    period_kind_name(bk->kind), bk->period, bk->complete ? "complete" :
	    "INCOMPLETE", inv_verify_name(bk->verified), rows, size, t,
	    m != NULL ? m->created_by : "");
	if (bk->problem != NULL)
		printf("          %s\n", bk->problem);
}

static void
list_text(const struct inventory *inv)
{
	const struct inv_table	*t;
	char			 strip[INV_STRIP_DAYS + 1], day[16], size[32];
	size_t			 i, j;

	period_fmt_date(day, sizeof day, &inv->strip_first);
	for (i = 0; i < inv->n_tables; i++) {
		t = &inv->tables[i];
		list_strip(t, strip);
		printf("%s  [%s] 14 days from %s (V verified, + present, "
		    "! failed, ~ incomplete, . missing)\n", t->name, strip,
		    day);
		for (j = 0; j < t->n_backups; j++)
			list_backup_text(t->backups[j]);
	}
	if (inv->n_tables == 0)
		printf("no backups\n");
	if (inv->n_foreign > 0)
		printf("not chops backups (%zu):\n", inv->n_foreign);
	for (i = 0; i < inv->n_foreign; i++) {
		util_fmt_bytes(size, sizeof size, (double)inv->foreign[i].size);
		printf("  %-60s %10s  %s\n", inv->foreign[i].key, size,
		    inv->foreign[i].last_modified);
	}
}

/* ---------------------------------------------------------------- run */

static int
list_parse(int argc, char **argv, const char **table, int *json)
{
	static const struct option longopts[] = {
		{ "table", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	char	*db, *tbl, *cause = NULL;
	int	 c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 't')
			*table = optarg;
		else if (c == 'j')
			*json = 1;
		else
			return cmd_usage_error(&cmd_list_entry, "bad option");
	}
	if (optind != argc)
		return cmd_usage_error(&cmd_list_entry,
		    "unexpected argument '%s'", argv[optind]);
	if (*table == NULL)
		return 0;
	if (sql_split_table(*table, &db, &tbl, &cause) != 0 || db == NULL) {
		cmd_usage_error(&cmd_list_entry, "%s", cause != NULL ? cause :
		    "--table wants DB.TABLE");
		free(cause);
		free(db);
		free(tbl);
		return EXIT_USAGE;
	}
	free(db);
	free(tbl);
	return 0;
}

static int
cmd_list_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct inventory_opts	 o;
	struct inventory	*inv;
	struct s3_client	*s3;
	cJSON			*json;
	char			*text, *cause = NULL;
	int			 as_json = 0, rc;

	memset(&o, 0, sizeof o);
	if (list_parse(argc, argv, &o.table, &as_json) != 0)
		return EXIT_USAGE;
	o.fetch = INV_FETCH_ALL;
	s3 = s3_new(ctx->loop, &ctx->cfg->s3);
	rc = inventory_load(ctx->loop, s3, &o, &inv, &cause);
	s3_free(s3);
	if (rc != 0) {
		fprintf(stderr, "chops: list: %s\n", cause);
		free(cause);
		return EXIT_WARN;
	}
	if (as_json) {
		json = list_json(inv);
		text = cJSON_Print(json);
		printf("%s\n", text);
		cJSON_free(text);
		cJSON_Delete(json);
	} else
		list_text(inv);
	inventory_free(inv);
	return EXIT_OK;
}
