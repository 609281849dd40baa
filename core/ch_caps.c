/*
 * What a ClickHouse server can do, read in one query: its version, formats,
 * table functions, and the tables and columns of database system. Callers
 * branch on these, never on the version number.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "clickhouse.h"
#include "util.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

const char *
ch_caps_sql(void)
{
	return "SELECT 'version' AS k, version() AS v "
	    "UNION ALL SELECT 'uptime', toString(uptime()) "
	    "UNION ALL SELECT 'format', toString(name) FROM system.formats "
	    "UNION ALL SELECT 'function', toString(name) "
	    "FROM system.table_functions "
	    "UNION ALL SELECT 'table', toString(name) FROM system.tables "
	    "WHERE database = 'system' "
	    "UNION ALL SELECT 'column', concat(toString(table), '.', "
	    "toString(name)) FROM system.columns WHERE database = 'system'";
}

static void
ch_list_add(char ***list, size_t *n, const char *s)
{
	*list = xreallocarray(*list, *n + 1, sizeof **list);
	(*list)[(*n)++] = xstrdup(s);
}

static bool
ch_list_has(char **list, size_t n, const char *s)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (strcmp(list[i], s) == 0)
			return true;
	}
	return false;
}

static void
ch_list_free(char **list, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

static void
ch_caps_row(struct ch_caps *caps, const char *k, const char *v)
{
	long long	n;

	if (strcmp(k, "version") == 0) {
		free(caps->version);
		caps->version = xstrdup(v);
	} else if (strcmp(k, "uptime") == 0) {
		if (util_strtoll(v, strlen(v), &n) == 0)
			caps->uptime_s = n;
	} else if (strcmp(k, "format") == 0)
		ch_list_add(&caps->formats, &caps->n_formats, v);
	else if (strcmp(k, "function") == 0)
		ch_list_add(&caps->functions, &caps->n_functions, v);
	else if (strcmp(k, "table") == 0)
		ch_list_add(&caps->tables, &caps->n_tables, v);
	else if (strcmp(k, "column") == 0)
		ch_list_add(&caps->columns, &caps->n_columns, v);
}

int
ch_caps_parse(const struct ch_result *res, struct ch_caps **out,
    char **cause)
{
	struct ch_caps	*caps;
	const char	*k, *v;
	size_t		 r;

	caps = xcalloc(1, sizeof *caps);
	for (r = 0; res->ncols >= 2 && r < res->nrows; r++) {
		k = ch_result_str(res, r, 0);
		v = ch_result_str(res, r, 1);
		if (k != NULL && v != NULL)
			ch_caps_row(caps, k, v);
	}
	if (caps->version == NULL) {
		*cause = xstrdup("no server version in the capabilities answer");
		ch_caps_free(caps);
		return -1;
	}
	caps->has_parquet = ch_caps_has_format(caps, "Parquet");
	caps->has_s3 = ch_caps_has_function(caps, "s3");
	caps->has_disks = ch_caps_has_table(caps, "disks");
	caps->has_errors = ch_caps_has_table(caps, "errors");
	caps->has_kafka_consumers = ch_caps_has_table(caps, "kafka_consumers");
	caps->has_backups = ch_caps_has_table(caps, "backups");
	*out = caps;
	return 0;
}

void
ch_caps_free(struct ch_caps *caps)
{
	if (caps == NULL)
		return;
	free(caps->version);
	ch_list_free(caps->formats, caps->n_formats);
	ch_list_free(caps->functions, caps->n_functions);
	ch_list_free(caps->tables, caps->n_tables);
	ch_list_free(caps->columns, caps->n_columns);
	free(caps);
}

bool
ch_caps_has_table(const struct ch_caps *caps, const char *name)
{
	return ch_list_has(caps->tables, caps->n_tables, name);
}

bool
ch_caps_has_column(const struct ch_caps *caps, const char *table,
    const char *column)
{
	size_t	n = strlen(table), i;

	for (i = 0; i < caps->n_columns; i++) {
		if (strncmp(caps->columns[i], table, n) == 0 &&
		    caps->columns[i][n] == '.' &&
		    strcmp(caps->columns[i] + n + 1, column) == 0)
			return true;
	}
	return false;
}

bool
ch_caps_has_format(const struct ch_caps *caps, const char *name)
{
	return ch_list_has(caps->formats, caps->n_formats, name);
}

bool
ch_caps_has_function(const struct ch_caps *caps, const char *name)
{
	return ch_list_has(caps->functions, caps->n_functions, name);
}

/* Parses a ch_caps_sql() result into the client's cache. */
static const struct ch_caps *
ch_caps_keep(struct ch_client *c, struct ch_result *res, struct ch_error *e)
{
	struct ch_caps	*caps = NULL;
	char		*cause = NULL;

	if (ch_caps_parse(res, &caps, &cause) != 0) {
		ch_error_set(e, CH_EPROTOCOL, 0, cause);
		return NULL;
	}
	ch_caps_store(c, caps);
	return caps;
}

const struct ch_caps *
ch_caps_loaded(struct ch_client *c, struct ch_req *req, struct ch_error *err)
{
	const struct ch_error	*re = ch_req_error(req);
	const struct ch_caps	*caps = NULL;
	struct ch_result	*res;

	ch_error_clear(err);
	if (re->kind != CH_OK) {
		err->kind = re->kind;
		err->code = re->code;
		err->http_status = re->http_status;
		err->message = xstrdup(re->message != NULL ? re->message :
		    ch_errkind_name(re->kind));
		return NULL;
	}
	res = ch_req_take_result(req);
	caps = ch_caps_keep(c, res, err);
	ch_result_free(res);
	return caps;
}

const struct ch_caps *
ch_caps(struct ch_client *c, struct ch_error *err)
{
	struct ch_result	*res = NULL;
	struct ch_error		 e;

	if (ch_caps_cached(c) != NULL)
		return ch_caps_cached(c);
	memset(&e, 0, sizeof e);
	if (ch_query(c, ch_caps_sql(), &res, &e) == 0)
		ch_caps_keep(c, res, &e);
	ch_result_free(res);
	if (err != NULL)
		*err = e;
	else
		ch_error_clear(&e);
	return ch_caps_cached(c);
}
