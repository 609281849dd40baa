/* The inventory model: built from a listing, then manifests and records. */
#include "inventory.h"

#include <stdlib.h>
#include <string.h>

#include "backup_key.h"
#include "util.h"
#include "xmalloc.h"

static const char *verify_names[] = { "unverified", "unknown", "verified",
				      "failed", "stale" };
static const char *day_names[] = { "missing", "incomplete", "present",
				   "verified", "failed" };

const char *
inv_verify_name(enum inv_verify v)
{
	return (size_t)v < nitems(verify_names) ? verify_names[v] : "?";
}

const char *
inv_day_name(enum inv_day d)
{
	return (size_t)d < nitems(day_names) ? day_names[d] : "?";
}

struct inventory *
inventory_new(const char *prefix, const struct period_date *today)
{
	struct inventory	*inv;
	struct period_date	 d;

	inv = xcalloc(1, sizeof *inv);
	inv->prefix = xstrdup(prefix);
	if (today == NULL || today->year == 0)
		period_date_from_days(util_wall_ms() / 86400000, &d);
	else
		d = *today;
	period_date_add(&d, -INV_STRIP_DAYS);
	inv->strip_first = d;
	return inv;
}

static void
inventory_free_backup(struct inv_backup *bk)
{
	size_t	i;

	free(bk->id);
	free(bk->table);
	free(bk->period);
	for (i = 0; i < bk->n_data; i++) {
		free(bk->objects[i].key);
		free(bk->objects[i].etag);
	}
	free(bk->objects);
	free(bk->manifest_key);
	manifest_free(bk->manifest);
	free(bk->problem);
	free(bk->verify_key);
	verify_record_free(bk->verify);
	free(bk);
}

void
inventory_free(struct inventory *inv)
{
	size_t	i, j;

	if (inv == NULL)
		return;
	for (i = 0; i < inv->n_tables; i++) {
		for (j = 0; j < inv->tables[i].n_backups; j++)
			inventory_free_backup(inv->tables[i].backups[j]);
		free(inv->tables[i].backups);
		free(inv->tables[i].name);
	}
	for (i = 0; i < inv->n_foreign; i++) {
		free(inv->foreign[i].key);
		free(inv->foreign[i].last_modified);
	}
	free(inv->tables);
	free(inv->foreign);
	free(inv->prefix);
	free(inv);
}

/* ---------------------------------------------------------------- listing */

static struct inv_table *
inventory_table_get(struct inventory *inv, const char *name)
{
	struct inv_table	*t;
	size_t			 i;

	/* the listing is in key order: mostly the last one */
	for (i = inv->n_tables; i > 0; i--) {
		if (strcmp(inv->tables[i - 1].name, name) == 0)
			return &inv->tables[i - 1];
	}
	inv->tables = xreallocarray(inv->tables, inv->n_tables + 1,
	    sizeof *inv->tables);
	t = &inv->tables[inv->n_tables++];
	memset(t, 0, sizeof *t);
	t->name = xstrdup(name);
	return t;
}

/* The days a period covers, [start, end), without a timezone. */
static void
inventory_days(enum period_kind kind, const char *period, int64_t *start,
    int64_t *end)
{
	struct period_spec	 spec;
	struct period_date	 d;
	char			*cause = NULL;

	*start = *end = 0;
	if (period_parse_id(kind, period, &spec, &cause) != 0) {
		free(cause);
		return;
	}
	switch (kind) {
	case PERIOD_DAILY:
		*start = period_days_from_date(&spec.day);
		*end = *start + 1;
		break;
	case PERIOD_WEEKLY:
		period_iso_monday(spec.iso_year, spec.iso_week, &d);
		*start = period_days_from_date(&d);
		*end = *start + 7;
		break;
	case PERIOD_ADHOC:
		*start = spec.from.epoch / 86400;
		*end = (spec.to.epoch + 86399) / 86400;
		break;
	}
}

static struct inv_backup *
inventory_backup_get(struct inv_table *t, const struct backup_key_info *ki)
{
	struct inv_backup	*bk;
	size_t			 i;

	for (i = t->n_backups; i > 0; i--) {
		if (strcmp(t->backups[i - 1]->id, ki->id) == 0)
			return t->backups[i - 1];
	}
	bk = xcalloc(1, sizeof *bk);
	bk->id = xstrdup(ki->id);
	bk->table = xstrdup(ki->table);
	bk->kind = ki->pkind;
	bk->period = xstrdup(ki->period);
	inventory_days(bk->kind, bk->period, &bk->start_day, &bk->end_day);
	t->backups = xreallocarray(t->backups, t->n_backups + 1,
	    sizeof *t->backups);
	t->backups[t->n_backups++] = bk;
	return bk;
}

static void
inventory_add_foreign(struct inventory *inv, const struct s3_item *it)
{
	struct inv_foreign	*f;

	inv->foreign = xreallocarray(inv->foreign, inv->n_foreign + 1,
	    sizeof *inv->foreign);
	f = &inv->foreign[inv->n_foreign++];
	f->key = xstrdup(it->key);
	f->size = it->size;
	f->last_modified = xstrdup(it->last_modified != NULL ?
	    it->last_modified : "");
	f->mtime_ms = it->mtime_ms;
}

static void
inventory_add_data(struct inv_backup *bk, const struct s3_item *it)
{
	struct inv_object	*o;

	bk->objects = xreallocarray(bk->objects, bk->n_data + 1,
	    sizeof *bk->objects);
	o = &bk->objects[bk->n_data++];
	o->key = xstrdup(it->key);
	o->size = it->size;
	o->etag = xstrdup(it->etag != NULL ? it->etag : "");
	o->mtime_ms = it->mtime_ms;
}

void
inventory_add(struct inventory *inv, const struct s3_item *it)
{
	struct backup_key_info	 ki;
	struct inv_backup	*bk;

	if (it->kind != S3_ITEM_OBJECT)
		return;
	inv->n_objects++;
	switch (backup_key_parse(inv->prefix, it->key, &ki)) {
	case BKEY_FOREIGN:
		inventory_add_foreign(inv, it);
		return;
	case BKEY_RESERVED:
		inv->n_reserved++;
		return;
	default:
		break;
	}
	bk = inventory_backup_get(inventory_table_get(inv, ki.table), &ki);
	if (ki.kind == BKEY_DATA)
		inventory_add_data(bk, it);
	else if (ki.kind == BKEY_MANIFEST) {
		bk->has_manifest = true;
		free(bk->manifest_key);
		bk->manifest_key = xstrdup(it->key);
		bk->manifest_mtime_ms = it->mtime_ms;
	} else if (ki.kind == BKEY_VERIFY) {
		/* keys sort by time: the last one listed is the newest */
		bk->n_verify++;
		free(bk->verify_key);
		bk->verify_key = xstrdup(it->key);
	}
	backup_key_info_clear(&ki);
}

/* ---------------------------------------------------------------- reading */

/* The latest backup with a manifest: the one whose range ends last. */
static struct inv_backup *
inventory_newest(const struct inv_table *t, bool complete_only)
{
	struct inv_backup	*best = NULL, *bk;
	size_t			 i;

	for (i = 0; i < t->n_backups; i++) {
		bk = t->backups[i];
		if (complete_only ? !bk->complete : !bk->has_manifest)
			continue;
		if (best == NULL || bk->end_day > best->end_day ||
		    (bk->end_day == best->end_day && bk->kind < best->kind))
			best = bk;
	}
	return best;
}

void
inventory_plan(struct inventory *inv, enum inv_fetch fetch)
{
	struct inv_table	*t;
	struct inv_backup	*bk, *latest;
	int64_t			 first;
	size_t			 i, j;

	first = period_days_from_date(&inv->strip_first);
	for (i = 0; i < inv->n_tables; i++) {
		t = &inv->tables[i];
		latest = inventory_newest(t, false);
		for (j = 0; j < t->n_backups; j++) {
			bk = t->backups[j];
			if (!bk->has_manifest || fetch == INV_FETCH_NONE)
				continue;
			bk->fetch = fetch == INV_FETCH_ALL || bk == latest ||
			    (bk->kind != PERIOD_ADHOC && bk->end_day > first &&
			    bk->start_day < first + INV_STRIP_DAYS);
		}
	}
}

static void
inventory_problem(struct inv_backup *bk, char *text)
{
	free(bk->problem);
	bk->problem = text;
}

void
inventory_set_manifest(struct inv_backup *bk, const char *text, size_t len)
{
	char	*cause = NULL;

	manifest_free(bk->manifest);
	bk->manifest = NULL;
	bk->manifest_bad = true;
	if (manifest_parse(text, len, bk->manifest_key, &bk->manifest,
	    &cause) != 0)
		inventory_problem(bk, cause);
	else if (strcmp(bk->manifest->id, bk->id) != 0) {
		inventory_problem(bk, xasprintf("manifest %s is about %s",
		    bk->manifest_key, bk->manifest->id));
		manifest_free(bk->manifest);
		bk->manifest = NULL;
	} else
		bk->manifest_bad = false;
}

void
inventory_set_verify(struct inv_backup *bk, const char *text, size_t len)
{
	char	*cause = NULL;

	verify_record_free(bk->verify);
	bk->verify = NULL;
	if (verify_record_parse(text, len, bk->verify_key, &bk->verify,
	    &cause) != 0) {
		if (bk->problem == NULL)
			inventory_problem(bk, cause);
		else
			free(cause);
	}
}

/* ---------------------------------------------------------------- finish */

static const struct inv_object *
inventory_object(const struct inv_backup *bk, const char *key)
{
	size_t	i;

	for (i = 0; i < bk->n_data; i++) {
		if (strcmp(bk->objects[i].key, key) == 0)
			return &bk->objects[i];
	}
	return NULL;
}

/* Whether the manifest describes the data object as it is listed. */
static bool
inventory_check_object(struct inv_backup *bk)
{
	const struct manifest	*m = bk->manifest;
	const struct inv_object	*o = inventory_object(bk, m->key);

	bk->data = o;
	if (o == NULL) {
		inventory_problem(bk, xasprintf("its data object %s is "
		    "missing", m->key));
		return false;
	}
	if (o->size != m->size) {
		inventory_problem(bk, xasprintf("%s has %llu bytes, the "
		    "manifest says %llu", o->key, (unsigned long long)o->size,
		    (unsigned long long)m->size));
		return false;
	}
	if (*m->etag != '\0' && *o->etag != '\0' && strcmp(o->etag,
	    m->etag) != 0) {
		inventory_problem(bk, xasprintf("%s was replaced after its "
		    "manifest was written (ETag %s, manifest %s)", o->key,
		    o->etag, m->etag));
		return false;
	}
	return true;
}

static void
inventory_judge(struct inv_backup *bk)
{
	bk->data = bk->n_data > 0 ? &bk->objects[0] : NULL;
	if (!bk->has_manifest) {
		bk->complete = false;
		if (bk->problem == NULL)
			inventory_problem(bk, xstrdup(bk->n_data > 0 ? "no "
			    "manifest: interrupted, failed or still running" :
			    "no data object and no manifest"));
	} else if (bk->manifest != NULL)
		bk->complete = inventory_check_object(bk);
	else
		bk->complete = !bk->manifest_bad;
	if (bk->n_verify == 0)
		bk->verified = INV_UNVERIFIED;
	else if (bk->verify == NULL || bk->manifest == NULL)
		bk->verified = INV_VERIFY_UNKNOWN;
	else if (strcmp(bk->verify->object_sha256, bk->manifest->sha256) != 0)
		bk->verified = INV_VERIFY_STALE;
	else
		bk->verified = bk->verify->ok ? INV_VERIFIED :
		    INV_VERIFY_FAILED;
}

static enum inv_day
inventory_day_of(const struct inv_backup *bk)
{
	if (!bk->complete)
		return INV_DAY_INCOMPLETE;
	if (bk->verified == INV_VERIFIED)
		return INV_DAY_VERIFIED;
	if (bk->verified == INV_VERIFY_FAILED)
		return INV_DAY_FAILED;
	return INV_DAY_PRESENT;
}

/* Day ranks: the best backup covering a day decides. */
static int
inventory_day_rank(enum inv_day d)
{
	static const int	rank[] = { 0, 1, 3, 4, 2 };

	return rank[d];
}

static void
inventory_strip(struct inventory *inv, struct inv_table *t)
{
	int64_t		 first = period_days_from_date(&inv->strip_first), d;
	enum inv_day	 day;
	size_t		 i;
	int		 k;

	for (k = 0; k < INV_STRIP_DAYS; k++)
		t->strip[k] = INV_DAY_MISSING;
	for (i = 0; i < t->n_backups; i++) {
		/* adhoc ranges are UTC instants: not days of the strip */
		if (t->backups[i]->kind == PERIOD_ADHOC)
			continue;
		day = inventory_day_of(t->backups[i]);
		for (d = t->backups[i]->start_day; d < t->backups[i]->end_day;
		    d++) {
			k = (int)(d - first);
			if (k >= 0 && k < INV_STRIP_DAYS &&
			    inventory_day_rank(day) >
			    inventory_day_rank(t->strip[k]))
				t->strip[k] = day;
		}
	}
}

static int
inventory_cmp_backup(const void *a, const void *b)
{
	const struct inv_backup	*x = *(struct inv_backup *const *)a;
	const struct inv_backup	*y = *(struct inv_backup *const *)b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->period, y->period);
}

static int
inventory_cmp_table(const void *a, const void *b)
{
	return strcmp(((const struct inv_table *)a)->name,
	    ((const struct inv_table *)b)->name);
}

void
inventory_finish(struct inventory *inv)
{
	struct inv_table	*t;
	size_t			 i, j;

	/* qsort on NULL is undefined even for no elements */
	if (inv->n_tables > 0)
		qsort(inv->tables, inv->n_tables, sizeof *inv->tables,
		    inventory_cmp_table);
	for (i = 0; i < inv->n_tables; i++) {
		t = &inv->tables[i];
		if (t->n_backups > 0)
			qsort(t->backups, t->n_backups, sizeof *t->backups,
			    inventory_cmp_backup);
		for (j = 0; j < t->n_backups; j++)
			inventory_judge(t->backups[j]);
		t->latest = inventory_newest(t, true);
		inventory_strip(inv, t);
	}
}

const struct inv_table *
inventory_table(const struct inventory *inv, const char *name)
{
	size_t	i;

	for (i = 0; i < inv->n_tables; i++) {
		if (strcmp(inv->tables[i].name, name) == 0)
			return &inv->tables[i];
	}
	return NULL;
}

const struct inv_backup *
inventory_find(const struct inventory *inv, const char *id)
{
	size_t	i, j;

	for (i = 0; i < inv->n_tables; i++) {
		for (j = 0; j < inv->tables[i].n_backups; j++) {
			if (strcmp(inv->tables[i].backups[j]->id, id) == 0)
				return inv->tables[i].backups[j];
		}
	}
	return NULL;
}
