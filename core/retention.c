/*
 * Retention planning (retention.h): pure functions over an inventory, the
 * listed keys and the table's partitions. retention_run.c reads those and
 * carries the plan out.
 */
#include <stdlib.h>
#include <string.h>

#include "backup_key.h"
#include "buf.h"
#include "config.h"
#include "retention.h"
#include "xmalloc.h"

/* A verified backup's range, for partition coverage. */
struct ret_cover {
	const struct inv_backup	*bk;
	int64_t			 from, to;
	int			 drift;		/* -2: not checked yet */
	char			*why;
};

const char *
ret_kind_name(enum ret_kind k)
{
	static const char	*names[] = { "backup", "object", "partition" };

	return names[k];
}

static void
ret_entry_clear(struct ret_entry *e)
{
	free(e->table);
	free(e->name);
	free(e->id);
	free(e->partition_id);
	free(e->reason);
}

void
ret_plan_free(struct ret_plan *p)
{
	size_t	i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n_del; i++)
		ret_entry_clear(&p->del[i]);
	for (i = 0; i < p->n_keep; i++)
		ret_entry_clear(&p->keep[i]);
	free(p->del);
	free(p->keep);
	free(p->error);
	free(p->warning);
	free(p);
}

void
ret_parts_clear(struct ret_parts *ps)
{
	size_t	i;

	for (i = 0; i < ps->n; i++) {
		free(ps->v[i].partition);
		free(ps->v[i].partition_id);
	}
	free(ps->v);
	free(ps->time_column);
	free(ps->error);
	memset(ps, 0, sizeof *ps);
}

/* Adds an entry; reason is taken over. */
static struct ret_entry *
ret_add(struct ret_plan *p, bool del, enum ret_kind kind, const char *table,
    const char *name, char *reason)
{
	struct ret_entry	**v = del ? &p->del : &p->keep;
	size_t			 *n = del ? &p->n_del : &p->n_keep;
	struct ret_entry	 *e;

	*v = xreallocarray(*v, *n + 1, sizeof **v);
	e = &(*v)[(*n)++];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->table = xstrdup(table);
	e->name = xstrdup(name);
	e->reason = reason;
	return e;
}

/* ---------------------------------------------------------------- policies */

static int
ret_max(int a, int b)
{
	return a > b ? a : b;
}

struct ret_policy *
ret_policies(const struct config *cfg, size_t *n)
{
	struct ret_policy	*v = NULL, *p;
	const struct cfg_plan	*pl;
	size_t			 i, j;

	*n = 0;
	for (i = 0; i < cfg->n_plans; i++) {
		pl = &cfg->plans[i];
		for (j = 0; j < *n; j++) {
			if (strcmp(v[j].table, pl->table) == 0)
				break;
		}
		if (j == *n) {
			v = xreallocarray(v, *n + 1, sizeof *v);
			p = &v[(*n)++];
			p->table = pl->table;
			p->keep_days = pl->keep_days;
			p->keep_weeks = pl->keep_weeks;
			p->data_keep_days = pl->data_keep_days;
			continue;
		}
		p = &v[j];
		p->keep_days = ret_max(p->keep_days, pl->keep_days);
		p->keep_weeks = ret_max(p->keep_weeks, pl->keep_weeks);
		if (p->data_keep_days == 0 || pl->data_keep_days == 0)
			p->data_keep_days = 0;
		else
			p->data_keep_days = ret_max(p->data_keep_days,
			    pl->data_keep_days);
	}
	return v;
}

/* ---------------------------------------------------------------- backups */

/* The newest complete, verified backup: the one whose range ends last. */
static const struct inv_backup *
ret_newest_verified(const struct inv_table *t)
{
	const struct inv_backup	*best = NULL, *bk;
	size_t			 i;

	for (i = 0; i < t->n_backups; i++) {
		bk = t->backups[i];
		if (!bk->complete || bk->verified != INV_VERIFIED)
			continue;
		if (best == NULL || bk->end_day > best->end_day ||
		    (bk->end_day == best->end_day && bk->kind < best->kind))
			best = bk;
	}
	return best;
}

/* First day a backup of this kind must start on to be kept. */
static int64_t
ret_cutoff(const struct ret_table_in *in, enum period_kind kind)
{
	int64_t	today = period_days_from_date(&in->today);

	if (kind == PERIOD_DAILY)
		return today - in->policy->keep_days;
	/* this ISO week's Monday */
	today -= period_weekday(&in->today) - 1;
	return today - 7 * (int64_t)in->policy->keep_weeks;
}

/*
 * Whether to delete a backup; *reason (allocated) says why either way.
 */
static bool
ret_judge(const struct ret_table_in *in, const struct inv_backup *bk,
    const struct inv_backup *newest, char **reason)
{
	const struct ret_policy	*pol = in->policy;
	int			 limit;
	const char		*what;
	struct period_date	 d;
	char			 day[16];

	if (pol == NULL) {
		*reason = xstrdup("no retention plan for this table "
		    "(--keep-days and --keep-weeks prune it)");
		return false;
	}
	if (bk->kind == PERIOD_ADHOC) {
		*reason = xstrdup("adhoc backups are not pruned");
		return false;
	}
	limit = bk->kind == PERIOD_DAILY ? pol->keep_days : pol->keep_weeks;
	what = bk->kind == PERIOD_DAILY ? "keep_days" : "keep_weeks";
	if (limit < 0) {
		*reason = xasprintf("no %s limit", what);
		return false;
	}
	period_date_from_days(ret_cutoff(in, bk->kind), &d);
	period_fmt_date(day, sizeof day, &d);
	if (bk->start_day >= ret_cutoff(in, bk->kind)) {
		*reason = xasprintf("inside the window (%s %d: from %s)", what,
		    limit, day);
		return false;
	}
	if (bk == newest) {
		*reason = xstrdup("newest verified backup of the table");
		return false;
	}
	if (bk->has_manifest && bk->manifest == NULL) {
		*reason = xasprintf("manifest not read (%s): kept",
		    bk->problem != NULL ? bk->problem : "not fetched");
		return false;
	}
	if (bk->n_verify > 0 && bk->verify == NULL) {
		*reason = xstrdup("verify record not read: it may be the "
		    "newest verified backup");
		return false;
	}
	if (!bk->has_manifest)
		*reason = xasprintf("incomplete (no manifest) and older than "
		    "the window (%s %d: before %s): garbage", what, limit, day);
	else if (!bk->complete)
		*reason = xasprintf("not complete (%s) and older than the "
		    "window (%s %d: before %s)", bk->problem != NULL ?
		    bk->problem : "?", what, limit, day);
	else
		*reason = xasprintf("%s backup older than %s %d (before %s)",
		    period_kind_name(bk->kind), what, limit, day);
	return true;
}

/* Index of the first key >= s. */
static size_t
ret_lower_bound(const char *const *keys, size_t n, const char *s)
{
	size_t	lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(keys[mid], s) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The objects in a backup's directory: chops' go, foreign ones stay. */
static void
ret_objects(struct ret_plan *p, const struct ret_table_in *in,
    const struct inv_backup *bk)
{
	struct backup_key_info	 ki;
	struct ret_entry	*e;
	char			*dir = backup_key_dir(in->prefix, bk->id);
	size_t			 i, len = strlen(dir);
	bool			 ours;

	i = ret_lower_bound(in->keys, in->n_keys, dir);
	for (; i < in->n_keys && strncmp(in->keys[i], dir, len) == 0; i++) {
		memset(&ki, 0, sizeof ki);
		ours = backup_key_parse(in->prefix, in->keys[i], &ki) !=
		    BKEY_FOREIGN && ki.id != NULL && strcmp(ki.id, bk->id) == 0;
		backup_key_info_clear(&ki);
		e = ret_add(p, ours, RET_OBJECT, in->table, in->keys[i],
		    ours ? xasprintf("in backup %s", bk->id) :
		    xstrdup("not a chops object: never deleted"));
		e->id = xstrdup(bk->id);
	}
	free(dir);
}

static void
ret_plan_backups(struct ret_plan *p, const struct ret_table_in *in)
{
	const struct inv_backup	*newest, *bk;
	char			*reason;
	size_t			 i;
	bool			 del;

	if (in->inv == NULL)
		return;
	newest = ret_newest_verified(in->inv);
	for (i = 0; i < in->inv->n_backups; i++) {
		bk = in->inv->backups[i];
		del = ret_judge(in, bk, newest, &reason);
		ret_add(p, del, RET_BACKUP, in->table, bk->id, reason);
		if (del)
			ret_objects(p, in, bk);
	}
}

/* ---------------------------------------------------------------- data */

static bool
ret_deleted(const struct ret_plan *p, const char *id)
{
	size_t	i;

	for (i = 0; i < p->n_del; i++) {
		if (p->del[i].kind == RET_BACKUP &&
		    strcmp(p->del[i].name, id) == 0)
			return true;
	}
	return false;
}

/* Verified daily and weekly backups this prune keeps, over the column. */
static struct ret_cover *
ret_covers(const struct ret_plan *p, const struct ret_table_in *in,
    size_t *n)
{
	struct ret_cover	*v = NULL;
	const struct inv_backup	*bk;
	size_t			 i;

	*n = 0;
	for (i = 0; in->inv != NULL && i < in->inv->n_backups; i++) {
		bk = in->inv->backups[i];
		if (!bk->complete || bk->verified != INV_VERIFIED ||
		    bk->manifest == NULL || bk->kind == PERIOD_ADHOC ||
		    strcmp(bk->manifest->time_column,
		    in->parts->time_column) != 0 || ret_deleted(p, bk->id))
			continue;
		v = xreallocarray(v, *n + 1, sizeof *v);
		v[*n].bk = bk;
		v[*n].from = bk->manifest->from;
		v[*n].to = bk->manifest->to;
		v[*n].drift = -2;
		v[(*n)++].why = NULL;
	}
	return v;
}

/* Whether the rows of a cover are unchanged (asks once). */
static bool
ret_cover_intact(const struct ret_table_in *in, struct ret_cover *c)
{
	if (in->drift == NULL)
		return true;
	if (c->drift == -2)
		c->drift = in->drift(in->drift_arg, c->bk, &c->why);
	return c->drift == 0;
}

/*
 * Whether [lo, hi] is covered by the union of the covers, all intact.
 * Returns NULL and the covering ids in *ids, or why not.
 */
static char *
ret_cover_range(const struct ret_table_in *in, struct ret_cover *c,
    size_t n, int64_t lo, int64_t hi, struct buf *ids)
{
	struct ret_cover	*best;
	char			 t[32];
	int64_t			 pos = lo;
	size_t			 i;

	while (pos <= hi) {
		best = NULL;
		for (i = 0; i < n; i++) {
			if (c[i].from <= pos && c[i].to > pos &&
			    (best == NULL || c[i].to > best->to))
				best = &c[i];
		}
		if (best == NULL) {
			period_fmt_iso(t, sizeof t, pos);
			return xasprintf("not covered by a verified backup "
			    "(none from %s)", t);
		}
		if (!ret_cover_intact(in, best))
			return xasprintf("its backup %s no longer matches the "
			    "table: %s", best->bk->id, best->why != NULL ?
			    best->why : "?");
		buf_printf(ids, "%s%s", ids->len > 0 ? ", " : "",
		    best->bk->id);
		pos = best->to;
	}
	return NULL;
}

static void
ret_plan_part(struct ret_plan *p, const struct ret_table_in *in,
    const struct ret_part *pt, struct ret_cover *c, size_t n)
{
	struct ret_entry	*e = NULL;
	struct buf		 ids = BUF_INIT;
	int64_t			 cutoff;
	char			*why, t[32];
	int			 keep = in->policy->data_keep_days;
	bool			 del = false;

	cutoff = in->now - (int64_t)keep * 86400;
	period_fmt_iso(t, sizeof t, pt->max_time);
	if (pt->min_time == 0 && pt->max_time == 0)
		why = xstrdup("no time range (not partitioned by time)");
	else if (pt->max_time >= cutoff)
		why = xasprintf("inside data_keep_days %d (newest row %s)",
		    keep, t);
	else if ((why = ret_cover_range(in, c, n, pt->min_time, pt->max_time,
	    &ids)) == NULL) {
		del = true;
		why = xasprintf("older than data_keep_days %d (newest row %s), "
		    "covered by verified %s", keep, t, buf_str(&ids));
	} else {
		e = ret_add(p, false, RET_PARTITION, in->table, pt->partition,
		    xasprintf("older than data_keep_days %d but %s", keep,
		    why));
		free(why);
		e->blocking = true;
		p->n_blocking++;
		why = NULL;
	}
	if (why != NULL)
		e = ret_add(p, del, RET_PARTITION, in->table, pt->partition,
		    why);
	e->partition_id = xstrdup(pt->partition_id);
	e->rows = pt->rows;
	buf_free(&ids);
}

static void
ret_plan_data(struct ret_plan *p, const struct ret_table_in *in)
{
	const struct ret_parts	*ps = in->parts;
	struct ret_entry	*e;
	struct ret_cover	*c;
	size_t			 i, n;

	if (ps == NULL || in->policy == NULL ||
	    in->policy->data_keep_days <= 0)
		return;
	if (ps->error != NULL || ps->time_column == NULL) {
		e = ret_add(p, false, RET_PARTITION, in->table, "*",
		    ps->error != NULL ? xstrdup(ps->error) : xstrdup("the "
		    "partition key has no Date or DateTime column"));
		e->blocking = true;
		p->n_blocking++;
		return;
	}
	c = ret_covers(p, in, &n);
	for (i = 0; i < ps->n; i++)
		ret_plan_part(p, in, &ps->v[i], c, n);
	for (i = 0; i < n; i++)
		free(c[i].why);
	free(c);
}

void
ret_plan_table(struct ret_plan *p, const struct ret_table_in *in)
{
	ret_plan_backups(p, in);
	ret_plan_data(p, in);
}
