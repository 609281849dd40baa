/*
 * JSONCompact results: a whole buffered answer checked for a trailing
 * exception, parsed, and kept as text cells with typed accessors.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "clickhouse.h"
#include "util.h"
#include "xmalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

/* A NULL cell in ch_result.cells. */
#define CH_NULL_CELL		((size_t)-1)

void
ch_result_free(struct ch_result *res)
{
	size_t	i;

	if (res == NULL)
		return;
	for (i = 0; i < res->ncols; i++) {
		free(res->cols[i].name);
		free(res->cols[i].type);
	}
	free(res->cols);
	free(res->cells);
	buf_free(&res->text);
	free(res);
}

static char *
ch_bad_json(const char *what, size_t n)
{
	if (n == (size_t)-1)
		return xasprintf("malformed JSONCompact answer: %s", what);
	return xasprintf("malformed JSONCompact answer: %s %zu", what, n);
}

static int
ch_parse_meta(struct ch_result *res, const cJSON *meta, char **cause)
{
	const cJSON	*col, *name, *type;
	size_t		 i = 0;

	if (!cJSON_IsArray(meta)) {
		*cause = ch_bad_json("no \"meta\" array", (size_t)-1);
		return -1;
	}
	res->ncols = (size_t)cJSON_GetArraySize(meta);
	res->cols = xcalloc(res->ncols > 0 ? res->ncols : 1, sizeof *res->cols);
	cJSON_ArrayForEach(col, meta) {
		name = cJSON_GetObjectItemCaseSensitive(col, "name");
		type = cJSON_GetObjectItemCaseSensitive(col, "type");
		if (!cJSON_IsString(name) || !cJSON_IsString(type)) {
			*cause = ch_bad_json("bad column in \"meta\" at", i);
			return -1;
		}
		res->cols[i].name = xstrdup(name->valuestring);
		res->cols[i].type = xstrdup(type->valuestring);
		i++;
	}
	return 0;
}

static void
ch_add_cell(struct ch_result *res, size_t idx, const cJSON *v)
{
	char	*json;

	if (cJSON_IsNull(v)) {
		res->cells[idx] = CH_NULL_CELL;
		return;
	}
	res->cells[idx] = res->text.len;
	if (cJSON_IsString(v))
		buf_addstr(&res->text, v->valuestring);
	else if (cJSON_IsBool(v))
		buf_addstr(&res->text, cJSON_IsTrue(v) ? "true" : "false");
	else {
		json = cJSON_PrintUnformatted(v);
		buf_addstr(&res->text, json != NULL ? json : "");
		cJSON_free(json);
	}
	buf_addc(&res->text, '\0');
}

static int
ch_parse_data(struct ch_result *res, const cJSON *data, char **cause)
{
	const cJSON	*row, *v;
	size_t		 r = 0, c;

	if (!cJSON_IsArray(data)) {
		*cause = ch_bad_json("no \"data\" array", (size_t)-1);
		return -1;
	}
	res->nrows = (size_t)cJSON_GetArraySize(data);
	res->cells = xreallocarray(NULL, res->nrows * res->ncols + 1,
	    sizeof *res->cells);
	cJSON_ArrayForEach(row, data) {
		if (!cJSON_IsArray(row) ||
		    (size_t)cJSON_GetArraySize(row) != res->ncols) {
			*cause = ch_bad_json("wrong number of values in row", r);
			return -1;
		}
		c = 0;
		cJSON_ArrayForEach(v, row) {
			ch_add_cell(res, r * res->ncols + c, v);
			c++;
		}
		r++;
	}
	return 0;
}

static void
ch_parse_statistics(struct ch_result *res, const cJSON *root)
{
	const cJSON	*st, *v;

	st = cJSON_GetObjectItemCaseSensitive(root, "statistics");
	if (!cJSON_IsObject(st))
		return;
	if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(st, "elapsed")))
		res->elapsed = v->valuedouble;
	v = cJSON_GetObjectItemCaseSensitive(st, "rows_read");
	if (cJSON_IsNumber(v) && v->valuedouble >= 0)
		res->rows_read = (uint64_t)v->valuedouble;
	v = cJSON_GetObjectItemCaseSensitive(st, "bytes_read");
	if (cJSON_IsNumber(v) && v->valuedouble >= 0)
		res->bytes_read = (uint64_t)v->valuedouble;
}

/* Parses the whole body as one JSON value, nothing but space after it. */
static cJSON *
ch_parse_json(const char *body, size_t len, char **cause)
{
	const char	*end = NULL;
	cJSON		*root;
	size_t		 at;

	root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
	if (root == NULL) {
		at = end != NULL && end >= body ? (size_t)(end - body) : 0;
		*cause = ch_bad_json(len == 0 ? "empty answer" :
		    "invalid JSON at byte", len == 0 ? (size_t)-1 : at);
		return NULL;
	}
	at = (size_t)(end - body);
	while (at < len && isspace((unsigned char)body[at]))
		at++;
	if (at < len) {
		cJSON_Delete(root);
		*cause = ch_bad_json("unexpected text after the JSON at byte",
		    at);
		return NULL;
	}
	return root;
}

int
ch_result_parse(const char *body, size_t len, struct ch_result **out,
    struct ch_error *err)
{
	struct ch_result	*res;
	cJSON			*root;
	size_t			 from = len > CH_TAIL_HOLD ? len - CH_TAIL_HOLD : 0;
	ssize_t			 at;
	char			*cause = NULL;

	*out = NULL;
	if ((at = ch_find_trailing_error(body + from, len - from)) >= 0) {
		ch_error_midstream(err, body + from + at,
		    len - from - (size_t)at);
		return -1;
	}
	if ((root = ch_parse_json(body, len, &cause)) == NULL) {
		ch_error_set(err, CH_EPROTOCOL, 0, cause);
		return -1;
	}
	res = xcalloc(1, sizeof *res);
	if (ch_parse_meta(res, cJSON_GetObjectItemCaseSensitive(root, "meta"),
	    &cause) != 0 || ch_parse_data(res,
	    cJSON_GetObjectItemCaseSensitive(root, "data"), &cause) != 0) {
		ch_error_set(err, CH_EPROTOCOL, 0, cause);
		ch_result_free(res);
		cJSON_Delete(root);
		return -1;
	}
	ch_parse_statistics(res, root);
	cJSON_Delete(root);
	*out = res;
	return 0;
}

ssize_t
ch_result_col(const struct ch_result *res, const char *name)
{
	size_t	i;

	for (i = 0; i < res->ncols; i++) {
		if (strcmp(res->cols[i].name, name) == 0)
			return (ssize_t)i;
	}
	return -1;
}

static bool
ch_cell_at(const struct ch_result *res, size_t row, size_t col, size_t *off)
{
	if (res == NULL || row >= res->nrows || col >= res->ncols)
		return false;
	*off = res->cells[row * res->ncols + col];
	return true;
}

bool
ch_result_is_null(const struct ch_result *res, size_t row, size_t col)
{
	size_t	off = CH_NULL_CELL;

	return !ch_cell_at(res, row, col, &off) || off == CH_NULL_CELL;
}

const char *
ch_result_str(const struct ch_result *res, size_t row, size_t col)
{
	size_t	off = CH_NULL_CELL;

	if (!ch_cell_at(res, row, col, &off) || off == CH_NULL_CELL)
		return NULL;
	return res->text.data + off;
}

int
ch_result_int64(const struct ch_result *res, size_t row, size_t col,
    int64_t *out)
{
	const char	*s = ch_result_str(res, row, col);
	long long	 v;

	if (s == NULL || util_strtoll(s, strlen(s), &v) != 0)
		return -1;
	*out = (int64_t)v;
	return 0;
}

int
ch_result_uint64(const struct ch_result *res, size_t row, size_t col,
    uint64_t *out)
{
	const char		*s = ch_result_str(res, row, col);
	unsigned long long	 v;

	if (s == NULL || util_strtoull(s, strlen(s), &v) != 0)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

int
ch_result_double(const struct ch_result *res, size_t row, size_t col,
    double *out)
{
	const char	*s = ch_result_str(res, row, col);

	if (s == NULL) {
		/* nan and inf are written as null without quote_denormals */
		if (col < res->ncols && row < res->nrows &&
		    strncmp(res->cols[col].type, "Float", 5) == 0) {
			*out = NAN;
			return 0;
		}
		return -1;
	}
	return util_strtod(s, strlen(s), out);
}
