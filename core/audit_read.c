/* Reading the audit trail back: the local file merged with the bucket's. */
#include "audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "loop.h"
#include "util.h"
#include "xmalloc.h"

#define AUDIT_DEFAULT_DAYS	7
#define AUDIT_DEFAULT_LIMIT	200
#define AUDIT_SLOTS		4	/* GETs in flight */
#define AUDIT_REC_MAX		(256 * 1024)

struct audit_slot {
	struct audit_reader	*rd;
	struct s3_op		*op;
	struct buf		 body;
};

struct audit_reader {
	struct loop		*loop;
	struct s3_client	*s3;
	int			 days;
	size_t			 limit;
	int64_t			 since_ms;
	struct audit_list	 list;
	struct buf		 warn;

	int			 day;		/* being listed */
	struct s3_op		*list_op;
	char			**keys;		/* to fetch */
	size_t			 n_keys;
	size_t			 next_key;
	size_t			 running;
	struct audit_slot	 slots[AUDIT_SLOTS];

	struct loop_timer	*timer;
	audit_read_fn		 done;
	void			*arg;
};

static void	ar_list_day(struct audit_reader *);
static void	ar_fetch(struct audit_reader *);

void
audit_list_clear(struct audit_list *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		audit_rec_free(l->recs[i]);
	free(l->recs);
	free(l->warning);
	memset(l, 0, sizeof *l);
}

static void
ar_warn(struct audit_reader *rd, const char *msg)
{
	if (rd->warn.len != 0)
		buf_addstr(&rd->warn, "; ");
	buf_addstr(&rd->warn, msg);
}

static void
ar_add(struct audit_reader *rd, struct audit_rec *r)
{
	struct audit_list	*l = &rd->list;

	if (r->at_ms < rd->since_ms) {
		audit_rec_free(r);
		return;
	}
	l->recs = xreallocarray(l->recs, l->n + 1, sizeof *l->recs);
	l->recs[l->n++] = r;
}

static struct audit_rec *
ar_find(const struct audit_reader *rd, const char *id, size_t len)
{
	size_t	i;

	for (i = 0; i < rd->list.n; i++) {
		if (strlen(rd->list.recs[i]->id) == len &&
		    memcmp(rd->list.recs[i]->id, id, len) == 0)
			return rd->list.recs[i];
	}
	return NULL;
}

/* ---------------------------------------------------------------- local */

static void
ar_local_line(struct audit_reader *rd, const char *line, size_t len,
    size_t *bad)
{
	struct audit_rec	*r;
	char			*cause = NULL;

	if (len == 0)
		return;
	if (audit_rec_parse(line, len, &r, &cause) != 0) {
		(*bad)++;
		free(cause);
		return;
	}
	r->local = true;
	ar_add(rd, r);
}

static void
ar_read_local(struct audit_reader *rd, const char *path)
{
	FILE	*f;
	char	*line = NULL, *msg;
	size_t	 cap = 0, bad = 0;
	ssize_t	 n;

	if ((f = fopen(path, "re")) == NULL)
		return;		/* nothing recorded here yet */
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[--n] = '\0';
		ar_local_line(rd, line, (size_t)n, &bad);
	}
	free(line);
	fclose(f);
	if (bad != 0) {
		msg = xasprintf("%zu unreadable line%s in %s", bad,
		    bad == 1 ? "" : "s", path);
		ar_warn(rd, msg);
		free(msg);
	}
}

/* ---------------------------------------------------------------- finish */

static int
ar_cmp(const void *a, const void *b)
{
	const struct audit_rec	*x = *(struct audit_rec *const *)a;
	const struct audit_rec	*y = *(struct audit_rec *const *)b;

	if (x->at_ms != y->at_ms)
		return x->at_ms > y->at_ms ? -1 : 1;
	return -strcmp(x->id, y->id);
}

static void
ar_done_timer(void *arg)
{
	struct audit_reader	*rd = arg;

	rd->timer = NULL;
	rd->done(rd, rd->arg);
}

static void
ar_finish(struct audit_reader *rd)
{
	struct audit_list	*l = &rd->list;

	if (l->n > 1)
		qsort(l->recs, l->n, sizeof *l->recs, ar_cmp);
	while (l->n > rd->limit)
		audit_rec_free(l->recs[--l->n]);
	if (rd->warn.len != 0)
		l->warning = xstrdup(buf_str(&rd->warn));
	rd->timer = loop_timer_add(rd->loop, 0, ar_done_timer, rd);
}

/* ---------------------------------------------------------------- bucket */

static int
ar_item(void *arg, const struct s3_item *it)
{
	struct audit_reader	*rd = arg;
	struct audit_rec	*r;
	const char		*base;
	size_t			 len;

	if (it->kind != S3_ITEM_OBJECT)
		return 0;
	base = strrchr(it->key, '/');
	base = base != NULL ? base + 1 : it->key;
	len = strlen(base);
	if (len <= 5 || strcmp(base + len - 5, ".json") != 0)
		return 0;
	if ((r = ar_find(rd, base, len - 5)) != NULL) {
		r->shared = true;	/* ours, already read locally */
		return 0;
	}
	rd->keys = xreallocarray(rd->keys, rd->n_keys + 1, sizeof *rd->keys);
	rd->keys[rd->n_keys++] = xstrdup(it->key);
	return 0;
}

static int
ar_key_cmp(const void *a, const void *b)
{
	return -strcmp(*(char *const *)a, *(char *const *)b);
}

static void
ar_list_done(struct s3_op *op, const struct s3_error *e, void *arg)
{
	struct audit_reader	*rd = arg;
	char			*msg;

	s3_op_free(op);
	rd->list_op = NULL;
	if (e != NULL) {
		msg = xasprintf("the bucket's audit trail could not be read: "
		    "%s", e->message);
		ar_warn(rd, msg);
		free(msg);
	} else if (++rd->day <= rd->days) {
		ar_list_day(rd);
		return;
	}
	if (rd->n_keys > 1)
		qsort(rd->keys, rd->n_keys, sizeof *rd->keys, ar_key_cmp);
	while (rd->n_keys > rd->limit)
		free(rd->keys[--rd->n_keys]);
	ar_fetch(rd);
}

static void
ar_list_day(struct audit_reader *rd)
{
	struct s3_list_opts	 o = { 0 };
	char			*prefix;

	prefix = audit_day_prefix(rd->s3, util_wall_ms() / 1000 -
	    (int64_t)rd->day * 86400);
	o.prefix = prefix;
	rd->list_op = s3_list_start(rd->s3, &o, ar_item, rd, ar_list_done,
	    rd);
	free(prefix);
}

static size_t
ar_sink(void *arg, const char *data, size_t len)
{
	struct audit_slot	*s = arg;

	if (s->body.len + len > AUDIT_REC_MAX)
		return 0;
	buf_add(&s->body, data, len);
	return len;
}

static void
ar_get_done(struct s3_op *op, const struct s3_error *e, void *arg)
{
	struct audit_slot	*s = arg;
	struct audit_reader	*rd = s->rd;
	struct audit_rec	*r;
	char			*cause = NULL, *msg;

	s3_op_free(op);
	s->op = NULL;
	rd->running--;
	if (e == NULL && audit_rec_parse(s->body.data, s->body.len, &r,
	    &cause) == 0) {
		r->shared = true;
		ar_add(rd, r);
	} else {
		msg = xasprintf("an audit record could not be read: %s",
		    e != NULL ? e->message : cause);
		if (strstr(buf_str(&rd->warn), msg) == NULL)
			ar_warn(rd, msg);
		free(msg);
		free(cause);
	}
	ar_fetch(rd);
}

/* Keeps up to AUDIT_SLOTS GETs running; finishes when all are in. */
static void
ar_fetch(struct audit_reader *rd)
{
	struct audit_slot	*s;
	size_t			 i;

	for (i = 0; i < AUDIT_SLOTS && rd->next_key < rd->n_keys; i++) {
		s = &rd->slots[i];
		if (s->op != NULL)
			continue;
		buf_reset(&s->body);
		s->rd = rd;
		rd->running++;
		s->op = s3_get_start(rd->s3, rd->keys[rd->next_key++], 0, 0,
		    ar_sink, s, ar_get_done, s);
	}
	if (rd->running == 0 && rd->next_key >= rd->n_keys)
		ar_finish(rd);
}

/* ---------------------------------------------------------------- public */

struct audit_reader *
audit_read_start(struct loop *loop, struct s3_client *s3,
    const struct audit_read_opts *o, audit_read_fn done, void *arg)
{
	struct audit_reader	*rd = xcalloc(1, sizeof *rd);
	char			*path, *cause = NULL;

	rd->loop = loop;
	rd->s3 = s3;
	rd->days = o != NULL && o->days > 0 ? o->days : AUDIT_DEFAULT_DAYS;
	rd->limit = o != NULL && o->limit > 0 ? o->limit : AUDIT_DEFAULT_LIMIT;
	rd->since_ms = util_wall_ms() - (int64_t)rd->days * 86400 * 1000;
	rd->done = done;
	rd->arg = arg;
	if (o != NULL && o->local_path != NULL)
		path = xstrdup(o->local_path);
	else if ((path = audit_local_path(&cause)) == NULL) {
		ar_warn(rd, cause);
		free(cause);
	}
	if (path != NULL)
		ar_read_local(rd, path);
	free(path);
	if (s3 != NULL)
		ar_list_day(rd);
	else
		ar_finish(rd);
	return rd;
}

void
audit_read_take(struct audit_reader *rd, struct audit_list *out)
{
	*out = rd->list;
	memset(&rd->list, 0, sizeof rd->list);
}

void
audit_read_free(struct audit_reader *rd)
{
	size_t	i;

	if (rd == NULL)
		return;
	s3_op_free(rd->list_op);
	for (i = 0; i < AUDIT_SLOTS; i++) {
		s3_op_free(rd->slots[i].op);
		buf_free(&rd->slots[i].body);
	}
	for (i = 0; i < rd->n_keys; i++)
		free(rd->keys[i]);
	free(rd->keys);
	if (rd->timer != NULL)
		loop_timer_cancel(rd->loop, rd->timer);
	audit_list_clear(&rd->list);
	buf_free(&rd->warn);
	free(rd);
}

static void
ar_sync_done(struct audit_reader *rd, void *arg)
{
	*(volatile int *)arg = 1;
}

int
audit_read(struct loop *loop, struct s3_client *s3,
    const struct audit_read_opts *o, struct audit_list *out)
{
	struct audit_reader	*rd;
	volatile int		 done = 0;

	rd = audit_read_start(loop, s3, o, ar_sync_done, (void *)&done);
	loop_run_until(loop, &done);
	audit_read_take(rd, out);
	audit_read_free(rd);
	return 0;
}
