/*
 * The Backups pane's background jobs: a backup (b), an object-level
 * verify (v) and a restore (R, once its wizard has asked:
 * pane-backups-restore.c), one at a time, through the same core calls as
 * `chops backup`, `chops verify` and `chops restore`. The operator keeps
 * browsing while a job runs: its progress (phase, a bar, rows, bytes,
 * rate, ETA) shows at the top of the pane, c (or Esc at the top level)
 * cancels it after asking (the core kills the query and aborts the
 * multipart upload; a restore stops before the table is touched, or
 * between partitions), and the outcome is announced on the status line
 * and stays in the pane until the next job.
 * The bucket is listed again when a job ends, so the strip follows.
 *
 * b first asks for the period in a small dialog, prefilled from the
 * table's plan: yesterday for a daily plan, the previous ISO week for a
 * weekly one (or yesterday when the table has no plan). Left as it is,
 * the plan's own relative period goes to the core, which resolves it in
 * the server's timezone exactly as `chops backup --plan` does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backup.h"
#include "clickhouse.h"
#include "config.h"
#include "console.h"
#include "dialog.h"
#include "input.h"
#include "loop.h"
#include "monitor.h"
#include "pane-backups-int.h"
#include "period.h"
#include "restore.h"
#include "ui.h"
#include "util.h"
#include "verify.h"
#include "widgets.h"
#include "xmalloc.h"

#define BPR_DIALOG_W	60
#define BPR_WIDE_MIN	60	/* narrower: the figures take two lines */

enum bpr_kind { BPR_BACKUP, BPR_VERIFY, BPR_RESTORE };

struct bp_job {
	struct bpane		*bp;
	enum bpr_kind		 kind;
	char			*what;		/* table, then the backup id */
	struct ch_client	*ch;
	struct backup		*backup;
	struct verify		*verify;
	struct restore		*restore;
	struct loop_timer	*reap;
	bool			 cancelling;
	bool			 orphan;	/* the pane is gone */

	/* the latest progress */
	char			 phase[32];
	double			 fraction;	/* -1: unknown */
	uint64_t		 rows, rows_total;
	uint64_t		 bytes_in, bytes_out;
	double			 rate;
	int64_t			 started_ms;
};

/* ------------------------------------------------------------ plumbing */

static const char *
dots(void)
{
	return ui_utf8() ? "…" : "...";
}

static const char *
kind_name(enum bpr_kind k)
{
	switch (k) {
	case BPR_BACKUP:
		return "backup";
	case BPR_VERIFY:
		return "verify";
	default:
		return "restore";
	}
}

static void
outcome_set(struct bpane *bp, enum theme_role role, const char *text)
{
	free(bp->outcome);
	bp->outcome = xstrdup(text);
	bp->outcome_role = role;
	console_set_status(role, "%s", text);
	console_pane_dirty(bp->pane);
	console_header_dirty();
}

static void
job_reap(void *arg)
{
	struct bp_job	*job = arg;

	ch_free(job->ch);
	free(job->what);
	free(job);
}

/* From a done callback: the core is done with the client; free it soon. */
static void
job_end(struct bp_job *job)
{
	struct bpane	*bp = job->bp;

	if (!job->orphan) {
		bp->job = NULL;
		monitor_refresh(bp->mon, MON_S3);
	}
	job->reap = loop_timer_add(bp->mon->loop, 0, job_reap, job);
}

static struct bp_job *
job_new(struct bpane *bp, enum bpr_kind kind, const char *what)
{
	struct bp_job	*job = xcalloc(1, sizeof *job);

	job->bp = bp;
	job->kind = kind;
	job->what = xstrdup(what);
	job->fraction = -1;
	job->started_ms = util_wall_ms();
	snprintf(job->phase, sizeof job->phase, "starting");
	free(bp->outcome);
	bp->outcome = NULL;
	bp->job = job;
	return job;
}

/* Why a job cannot start now, on the status line; true if it can. */
bool
bprun_can_start(struct bpane *bp, const char *what)
{
	if (bp->job != NULL) {
		console_set_status(ROLE_WARN, "a %s is running (%s); c cancels "
		    "it", kind_name(bp->job->kind), bp->job->what);
		return false;
	}
	if (bp->mon->s3.client == NULL) {
		console_set_status(ROLE_WARN, "%s: S3 is not configured", what);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------ backup */

static void
backup_progress_cb(const struct backup_progress *p, void *arg)
{
	struct bp_job	*job = arg;

	if (p->id != NULL && strcmp(p->id, job->what) != 0) {
		free(job->what);
		job->what = xstrdup(p->id);
	}
	snprintf(job->phase, sizeof job->phase, "%s",
	    backup_phase_name(p->phase));
	job->rows = p->rows_read;
	job->rows_total = p->rows_total;
	job->bytes_in = p->bytes_read;
	job->bytes_out = p->bytes_uploaded;
	job->rate = p->rate;
	if (p->phase >= BACKUP_PHASE_TRANSFER && p->rows_total > 0)
		job->fraction = (double)p->rows_read / (double)p->rows_total;
	else if (p->phase >= BACKUP_PHASE_RECHECK)
		job->fraction = 1;
	if (job->fraction > 1)
		job->fraction = 1;
	if (!job->orphan)
		console_pane_dirty(job->bp->pane);
}

static void
backup_done_cb(struct backup *b, void *arg)
{
	struct bp_job		*job = arg;
	struct backup_result	 r;
	char			 rows[32], size[32], *text;
	enum theme_role		 role;

	memset(&r, 0, sizeof r);
	backup_take_result(b, &r);
	backup_free(b);
	job->backup = NULL;
	if (job->orphan) {
		backup_result_clear(&r);
		job_end(job);
		return;
	}
	util_fmt_count(rows, sizeof rows, (double)r.rows);
	util_fmt_bytes(size, sizeof size, (double)r.bytes);
	switch (r.status) {
	case BACKUP_COMPLETE:
		role = ROLE_OK;
		text = xasprintf("backup %s complete: %s rows, %s",
		    r.id != NULL ? r.id : job->what, rows, size);
		break;
	case BACKUP_SKIPPED:
		role = ROLE_OK;
		text = xasprintf("backup %s: already complete (%s rows, %s); "
		    "chops backup --force takes it again", r.id != NULL ?
		    r.id : job->what, rows, size);
		break;
	default:
		role = ROLE_ERROR;
		text = xasprintf("backup %s %s: %s", r.id != NULL ? r.id :
		    job->what, job->cancelling ? "cancelled" :
		    backup_status_name(r.status), r.error != NULL ? r.error :
		    "unknown error");
		break;
	}
	outcome_set(job->bp, role, text);
	free(text);
	backup_result_clear(&r);
	job_end(job);
}

static const struct cfg_plan *
plan_of(const struct config *cfg, const char *table)
{
	size_t	i;

	for (i = 0; i < cfg->n_plans; i++) {
		if (strcmp(cfg->plans[i].table, table) == 0)
			return &cfg->plans[i];
	}
	return NULL;
}

/* Engine, format and compression from the plan, else the defaults. */
static int
backup_choices(const struct cfg_plan *plan, struct backup_opts *o,
    char **cause)
{
	const char	*e = "stream", *f = "native", *z = "zstd";

	if (plan != NULL) {
		e = plan->engine;
		f = plan->format;
		z = plan->compression;
	}
	if (backup_engine_parse(e, &o->engine) != 0 ||
	    backup_format_parse(f, &o->format) != 0 ||
	    codec_parse(z, &o->compression) != 0) {
		*cause = xasprintf("the plan's engine, format or compression "
		    "is not one chops knows");
		return -1;
	}
	return 0;
}

struct ch_client *
bprun_ch_new(struct bpane *bp, const char *what)
{
	const struct cfg_clickhouse	*cc = &bp->cfg->clickhouse;
	struct http_tls			 tls = { cc->tls.ca_file,
					     cc->tls.insecure };

	if (cc->n_urls == 0) {
		console_set_status(ROLE_WARN, "%s: no ClickHouse url", what);
		return NULL;
	}
	return ch_new(bp->mon->loop, cc->urls[0], cc->user, cc->password,
	    &tls, cc->timeout_ms, cc->connect_timeout_ms);
}

static void
backup_go(struct bpane *bp, const char *table, const struct period_spec *ps)
{
	const struct cfg_clickhouse	*cc = &bp->cfg->clickhouse;
	const struct cfg_plan		*plan = plan_of(bp->cfg, table);
	struct http_tls			 tls = { cc->tls.ca_file,
					     cc->tls.insecure };
	struct backup_opts		 o;
	struct bp_job			*job;
	char				*cause = NULL;

	memset(&o, 0, sizeof o);
	if (backup_choices(plan, &o, &cause) != 0) {
		console_set_status(ROLE_ERROR, "backup %s: %s", table, cause);
		free(cause);
		return;
	}
	if (cc->n_urls == 0) {
		console_set_status(ROLE_WARN, "backup %s: no ClickHouse url",
		    table);
		return;
	}
	o.table = table;
	o.time_column = plan != NULL ? plan->time_column : NULL;
	o.period = *ps;
	o.workers = -1;
	o.read_only = console_read_only();	/* the core refuses too */
	o.s3_access_key = bp->cfg->s3.access_key;
	o.s3_secret_key = bp->cfg->s3.secret_key;
	job = job_new(bp, BPR_BACKUP, table);
	job->ch = ch_new(bp->mon->loop, cc->urls[0], cc->user, cc->password,
	    &tls, cc->timeout_ms, cc->connect_timeout_ms);
	job->backup = backup_start(bp->mon->loop, job->ch, bp->mon->s3.client,
	    &o, backup_progress_cb, backup_done_cb, job);
	console_set_status(ROLE_FOOTER, "backing up %s%s (c cancels)", table,
	    dots());
	console_pane_dirty(bp->pane);
	console_header_dirty();
	bp_tick(bp);
}

/* ------------------------------------------------------------ the dialog */

struct bpr_ask {
	struct bpane		*bp;
	char			*table;
	char			*text;		/* what the plan says */
	char			*initial;	/* the period prefilled */
	struct period_spec	 plan_spec;	/* what leaving it means */
	struct input		 in;
	char			*error;
	char			**lines;
	size_t			 nlines;
	int			 wrapped;
};

static void
ask_wrap(struct bpr_ask *a, int w)
{
	if (a->lines != NULL && a->wrapped == w)
		return;
	widget_lines_free(a->lines, a->nlines);
	a->nlines = widget_wrap(a->text, w, &a->lines);
	a->wrapped = w;
}

static void
ask_size(struct dialog *d, int cols, int rows, int *h, int *w)
{
	struct bpr_ask	*a = d->data;

	*w = cols - 2 < BPR_DIALOG_W ? cols - 2 : BPR_DIALOG_W;
	ask_wrap(a, *w - 4);
	/* border, text, blank, input, error, buttons */
	*h = 2 + (int)a->nlines + 4;
	if (*h > rows - 2)
		*h = rows - 2;
}

static void
ask_draw(struct dialog *d, WINDOW *win, int y, int x, int h, int w)
{
	struct bpr_ask	*a = d->data;
	size_t		 i;
	int		 row = y, last = y + h - 1, used;

	ask_wrap(a, w);
	for (i = 0; i < a->nlines && row < last - 3; i++)
		widget_text(win, row++, x, w, ROLE_DIALOG, ALIGN_LEFT,
		    a->lines[i]);
	widget_text(win, last - 1, x, w, ROLE_ERROR, ALIGN_LEFT,
	    a->error != NULL ? a->error : "");
	widget_fill(win, last, x, w, ROLE_DIALOG);
	used = widget_put(win, last, x, w, ROLE_HELP_KEY, "Enter");
	used += widget_put(win, last, x + used, w - used, ROLE_DIALOG,
	    " Start   ");
	used += widget_put(win, last, x + used, w - used, ROLE_HELP_KEY,
	    "Esc");
	widget_put(win, last, x + used, w - used, ROLE_DIALOG, " Cancel");
	input_draw(&a->in, win, last - 2, x, w, ROLE_INPUT);
}

/* The period typed: a day or an ISO week. */
static int
ask_parse(struct bpr_ask *a, const char *text, struct period_spec *ps)
{
	char	*cause = NULL;
	int	 rc;

	if (a->initial != NULL && strcmp(text, a->initial) == 0) {
		*ps = a->plan_spec;
		return 0;
	}
	if (strchr(text, 'W') != NULL || strchr(text, 'w') != NULL)
		rc = period_parse_week(text, ps, &cause);
	else
		rc = period_parse_day(text, ps, &cause);
	if (rc != 0) {
		free(a->error);
		a->error = cause;
	}
	return rc;
}

static int
ask_key(struct dialog *d, int key)
{
	struct bpr_ask		*a = d->data;
	struct period_spec	 ps;
	char			*text;
	int			 rc;

	switch (input_key(&a->in, key)) {
	case INPUT_ACCEPT:
		text = input_text(&a->in);
		rc = ask_parse(a, util_trim(text), &ps);
		free(text);
		if (rc != 0)
			return REACT_REDRAW;
		if (console_read_only()) {
			console_set_status(ROLE_WARN, "read-only mode: not "
			    "backing up %s", a->table);
			return REACT_CLOSE | REACT_REDRAW_ALL;
		}
		if (bprun_can_start(a->bp, "backup"))
			backup_go(a->bp, a->table, &ps);
		return REACT_CLOSE | REACT_REDRAW_ALL;
	case INPUT_CANCEL:
		return REACT_CLOSE | REACT_REDRAW_ALL;
	case INPUT_CHANGED:
		free(a->error);
		a->error = NULL;
		return REACT_REDRAW;
	default:
		return REACT_NONE;
	}
}

static void
ask_free(struct dialog *d)
{
	struct bpr_ask	*a = d->data;

	widget_lines_free(a->lines, a->nlines);
	free(a->table);
	free(a->text);
	free(a->initial);
	free(a->error);
	free(a);
}

static const struct dialog_ops ask_ops = {
	ask_size, ask_draw, ask_key, ask_free
};

static void
today_local(struct period_date *d)
{
	struct tm	tm;
	time_t		t = time(NULL);

	localtime_r(&t, &tm);
	d->year = tm.tm_year + 1900;
	d->month = tm.tm_mon + 1;
	d->day = tm.tm_mday;
}

/* The plan's period, prefilled: yesterday, or the previous ISO week. */
static void
ask_prefill(struct bpr_ask *a, const struct cfg_plan *plan)
{
	struct period_date	today;
	struct period_spec	ps;
	char			buf[16];

	today_local(&today);
	memset(&a->plan_spec, 0, sizeof a->plan_spec);
	a->plan_spec.rel = plan != NULL && plan->schedule == BACKUP_WEEKLY ?
	    PERIOD_LAST_WEEK : PERIOD_YESTERDAY;
	ps = a->plan_spec;
	period_apply_rel(&ps, &today);
	if (ps.kind == PERIOD_WEEKLY)
		period_fmt_week(buf, sizeof buf, ps.iso_year, ps.iso_week);
	else
		period_fmt_date(buf, sizeof buf, &ps.day);
	a->initial = xstrdup(buf);
}

int
bprun_backup(struct bpane *bp, const char *table)
{
	const struct cfg_plan	*plan = plan_of(bp->cfg, table);
	struct bpr_ask		*a;
	struct dialog		*d;
	char			*title;

	if (console_read_only()) {
		console_set_status(ROLE_WARN, "read-only mode: not backing up "
		    "%s", table);
		return REACT_NONE;
	}
	if (!bprun_can_start(bp, "backup"))
		return REACT_NONE;
	a = xcalloc(1, sizeof *a);
	a->bp = bp;
	a->table = xstrdup(table);
	ask_prefill(a, plan);
	if (plan != NULL)
		a->text = xasprintf("Plan %s: %s, %s engine, %s, %s. Period "
		    "to back up (YYYY-MM-DD or YYYY-Www); as given, the plan's "
		    "own (in the server's timezone):", plan->name,
		    plan->schedule == BACKUP_WEEKLY ? "weekly" : "daily",
		    plan->engine, plan->format, plan->compression);
	else
		a->text = xstrdup("No plan for this table: a daily backup, "
		    "stream engine, native, zstd. Period to back up "
		    "(YYYY-MM-DD or YYYY-Www):");
	input_init(&a->in, a->initial);
	title = xasprintf("Back up %s", table);
	d = dialog_new(&ask_ops, title, a);
	d->cursor = true;
	free(title);
	console_open_dialog(d);
	return REACT_NONE;
}

/* ------------------------------------------------------------ verify */

static void
verify_progress_cb(const struct verify_progress *p, void *arg)
{
	struct bp_job	*job = arg;

	snprintf(job->phase, sizeof job->phase, "%s", p->phase != NULL ?
	    p->phase : "verifying");
	job->bytes_in = p->load.fetched;
	if (p->load.total > 0) {
		job->fraction = (double)p->load.fetched /
		    (double)p->load.total;
		if (job->fraction > 1)
			job->fraction = 1;
	}
	if (!job->orphan)
		console_pane_dirty(job->bp->pane);
}

static void
verify_done_cb(struct verify *v, void *arg)
{
	struct bp_job		*job = arg;
	struct verify_result	 r;
	char			*text;
	enum theme_role		 role;

	memset(&r, 0, sizeof r);
	verify_take_result(v, &r);
	verify_free(v);
	job->verify = NULL;
	if (job->orphan) {
		verify_result_clear(&r);
		job_end(job);
		return;
	}
	switch (r.status) {
	case VERIFY_OK:
		role = ROLE_OK;
		text = xasprintf("verify %s: ok, size and SHA-256 match the "
		    "manifest%s", job->what, r.record_key != NULL ? "" :
		    " (not recorded)");
		break;
	case VERIFY_MISMATCH:
		role = ROLE_CRIT;
		text = xasprintf("verify %s: MISMATCH: %s", job->what,
		    r.error != NULL ? r.error : "the object differs");
		break;
	default:
		role = ROLE_ERROR;
		text = xasprintf("verify %s %s: %s", job->what,
		    job->cancelling ? "cancelled" :
		    verify_status_name(r.status), r.error != NULL ? r.error :
		    "unknown error");
		break;
	}
	outcome_set(job->bp, role, text);
	free(text);
	verify_result_clear(&r);
	job_end(job);
}

int
bprun_verify(struct bpane *bp, const char *id)
{
	struct verify_opts	 o;
	struct bp_job		*job;

	if (!bprun_can_start(bp, "verify"))
		return REACT_NONE;
	memset(&o, 0, sizeof o);
	o.id = id;
	o.level = VERIFY_OBJECT;
	/* read-only: the core verifies, takes no lock and records nothing */
	o.read_only = console_read_only();
	job = job_new(bp, BPR_VERIFY, id);
	job->verify = verify_start(bp->mon->loop, NULL, bp->mon->s3.client,
	    &o, verify_progress_cb, verify_done_cb, job);
	console_set_status(ROLE_FOOTER, "verifying %s%s (c cancels)", id,
	    dots());
	console_header_dirty();
	bp_tick(bp);
	return REACT_REDRAW;
}

/* ------------------------------------------------------------ restore */

static void
restore_progress_cb(const struct restore_progress *p, void *arg)
{
	struct bp_job	*job = arg;
	double		 f;

	snprintf(job->phase, sizeof job->phase, "%s", p->phase != NULL ?
	    p->phase : "restoring");
	job->bytes_in = p->load.fetched;
	job->rows = p->parts_done;
	job->rows_total = p->parts_total;
	/* the load is most of it; moving the partitions, the rest */
	if (p->load.total > 0) {
		f = (double)p->load.fetched / (double)p->load.total;
		job->fraction = f > 1 ? 1 : f;
		if (p->parts_total > 0)
			job->fraction = 0.9 * job->fraction + 0.1 *
			    (double)p->parts_done / (double)p->parts_total;
	}
	if (job->fraction > 1)
		job->fraction = 1;
	if (!job->orphan)
		console_pane_dirty(job->bp->pane);
}

/* "2026-11-28, 2026-11-29" (the partitions done), or "" */
static char *
restore_parts_done(const struct restore_result *r)
{
	char	*s = xstrdup(""), *t;
	size_t	 i, n = 0;

	for (i = 0; i < r->n_parts; i++) {
		if (!r->parts[i].done)
			continue;
		if (n++ == 6) {
			t = xasprintf("%s, ...", s);
			free(s);
			s = t;
			break;
		}
		t = xasprintf("%s%s%s", s, *s != '\0' ? ", " : "",
		    r->parts[i].id);
		free(s);
		s = t;
	}
	return s;
}

static char *
restore_text(const struct bp_job *job, const struct restore_result *r,
    enum theme_role *role)
{
	const char	*id = r->id != NULL ? r->id : job->what;
	char		 rows[32], *parts, *text, *w;

	util_fmt_count(rows, sizeof rows, (double)r->rows);
	parts = restore_parts_done(r);
	if (r->status == RESTORE_OK) {
		*role = ROLE_OK;
		if (r->mode == RESTORE_STAGING)
			text = xasprintf("restore %s: %s rows checked, in the "
			    "staging table %s (%s untouched)", id, rows,
			    r->staging, r->target);
		else
			text = xasprintf("restore %s done: %s rows checked; "
			    "%s %s partition%s %s", id, rows, r->mode ==
			    RESTORE_REPLACE ? "replaced in" : "attached to",
			    r->target, strchr(parts, ',') != NULL ? "s" : "",
			    *parts != '\0' ? parts : "(none)");
	} else {
		*role = ROLE_ERROR;
		text = xasprintf("restore %s %s: %s%s%s", id,
		    job->cancelling ? "cancelled" :
		    restore_status_name(r->status), r->error != NULL ?
		    r->error : "unknown error", r->target_touched && *parts !=
		    '\0' ? "; partitions already done: " : "",
		    r->target_touched ? parts : "");
	}
	free(parts);
	if (r->warning != NULL) {
		w = xasprintf("%s (warning: %s)", text, r->warning);
		free(text);
		text = w;
	}
	return text;
}

static void
restore_done_cb(struct restore *rs, void *arg)
{
	struct bp_job		*job = arg;
	struct restore_result	 r;
	enum theme_role		 role;
	char			*text;

	memset(&r, 0, sizeof r);
	restore_take_result(rs, &r);
	restore_free(rs);
	job->restore = NULL;
	if (!job->orphan) {
		text = restore_text(job, &r, &role);
		outcome_set(job->bp, role, text);
		free(text);
	}
	restore_result_clear(&r);
	job_end(job);
}

int
bprun_restore(struct bpane *bp, const struct restore_opts *opts)
{
	struct restore_opts	 o = *opts;
	struct ch_client	*ch;
	struct bp_job		*job;

	if (console_read_only()) {
		console_set_status(ROLE_WARN, "read-only mode: not restoring "
		    "%s", o.id);
		return REACT_NONE;
	}
	if (!bprun_can_start(bp, "restore") ||
	    (ch = bprun_ch_new(bp, "restore")) == NULL)
		return REACT_NONE;
	o.plan_only = false;
	o.read_only = console_read_only();	/* the core refuses too */
	job = job_new(bp, BPR_RESTORE, o.id);
	job->ch = ch;
	job->restore = restore_start(bp->mon->loop, job->ch,
	    bp->mon->s3.client, &o, restore_progress_cb, restore_done_cb,
	    job);
	console_set_status(ROLE_FOOTER, "restoring %s (%s)%s (c cancels)",
	    o.id, restore_mode_name(o.mode), dots());
	console_pane_dirty(bp->pane);
	console_header_dirty();
	bp_tick(bp);
	return REACT_REDRAW_ALL;
}

/* ------------------------------------------------------------ cancel */

static int
cancel_answer(void *arg, bool yes)
{
	struct bpane	*bp = arg;
	struct bp_job	*job = bp->job;

	if (!yes || job == NULL)
		return REACT_NONE;
	job->cancelling = true;
	snprintf(job->phase, sizeof job->phase, "cancelling");
	console_set_status(ROLE_WARN, "cancelling the %s of %s%s",
	    kind_name(job->kind), job->what, dots());
	if (job->backup != NULL)
		backup_cancel(job->backup);
	if (job->verify != NULL)
		verify_cancel(job->verify);
	if (job->restore != NULL)
		restore_cancel(job->restore);
	return REACT_REDRAW_ALL;
}

int
bprun_cancel(struct bpane *bp)
{
	char	*text;

	if (bp->job == NULL) {
		console_set_status(ROLE_FOOTER, "nothing is running");
		return REACT_NONE;
	}
	if (bp->job->cancelling)
		return REACT_NONE;
	text = xasprintf("Cancel the %s of %s? (y/n)%s",
	    kind_name(bp->job->kind), bp->job->what, bp->job->kind ==
	    BPR_BACKUP ? "\n\nThe query is killed and the upload aborted: "
	    "nothing is left behind." : bp->job->kind == BPR_RESTORE ?
	    "\n\nThe restore stops before the table is touched, or between "
	    "two partitions; the staging table is kept." : "");
	console_open_dialog(dialog_confirm("Cancel", text, cancel_answer, bp));
	free(text);
	return REACT_NONE;
}

/* ------------------------------------------------------------ drawing */

bool
bprun_busy(const struct bpane *bp)
{
	return bp->job != NULL;
}

static void
fmt_eta(const struct bp_job *job, char *buf, size_t len)
{
	int64_t	elapsed = util_wall_ms() - job->started_ms, left;
	char	age[32];

	if (job->fraction <= 0.01 || job->fraction >= 1) {
		snprintf(buf, len, "ETA ?");
		return;
	}
	left = (int64_t)((double)elapsed * (1 - job->fraction) /
	    job->fraction);
	bp_fmt_age(age, sizeof age, left);
	snprintf(buf, len, "ETA %s", age);
}

/* rows, bytes in and out, rate and ETA */
static void
figures(const struct bp_job *job, char *buf, size_t len)
{
	char	rows[32], total[32], in[32], out[32], rate[32], eta[48];

	util_fmt_bytes(in, sizeof in, (double)job->bytes_in);
	fmt_eta(job, eta, sizeof eta);
	if (job->kind == BPR_VERIFY) {
		snprintf(buf, len, "%s read  %s", in, eta);
		return;
	}
	if (job->kind == BPR_RESTORE) {
		if (job->rows_total > 0)
			snprintf(buf, len, "%s read  %llu/%llu partitions  %s",
			    in, (unsigned long long)job->rows,
			    (unsigned long long)job->rows_total, eta);
		else
			snprintf(buf, len, "%s read  %s", in, eta);
		return;
	}
	util_fmt_count(rows, sizeof rows, (double)job->rows);
	util_fmt_count(total, sizeof total, (double)job->rows_total);
	util_fmt_bytes(out, sizeof out, (double)job->bytes_out);
	util_fmt_bytes(rate, sizeof rate, job->rate);
	snprintf(buf, len, "%s/%s rows  %s read  %s up  %s/s  %s", rows,
	    total, in, out, rate, eta);
}

int
bprun_draw(struct bpane *bp, WINDOW *win, int y, int w)
{
	const struct bp_job	*job = bp->job;
	char			 figs[256];
	int			 h, x, bw;

	h = getmaxy(win);
	if (job == NULL) {
		if (bp->outcome == NULL || y >= h - 2)
			return 0;
		widget_text(win, y, 0, w, bp->outcome_role, ALIGN_LEFT,
		    bp->outcome);
		return 1;
	}
	if (y >= h - 3)
		return 0;
	x = widget_put(win, y, 0, w, ROLE_LABEL, kind_name(job->kind));
	x += widget_put(win, y, x, w - x, ROLE_VALUE, " ");
	x += widget_put(win, y, x, w - x, ROLE_VALUE, job->what);
	x += widget_put(win, y, x, w - x, job->cancelling ? ROLE_WARN :
	    ROLE_DIM, ": ");
	widget_put(win, y, x, w - x, job->cancelling ? ROLE_WARN : ROLE_DIM,
	    job->phase);
	y++;
	figures(job, figs, sizeof figs);
	bw = w >= BPR_WIDE_MIN ? w / 3 : w - 6;
	widget_progress(win, y, 0, bw, ROLE_OK, job->fraction > 0 ?
	    job->fraction : 0);
	widget_textf(win, y, bw + 1, w - bw - 1, ROLE_VALUE, ALIGN_LEFT,
	    job->fraction >= 0 ? "%3.0f%%" : "?", job->fraction * 100);
	if (w >= BPR_WIDE_MIN) {
		widget_text(win, y, bw + 6, w - bw - 6, ROLE_VALUE,
		    ALIGN_LEFT, figs);
		return 2;
	}
	widget_text(win, y + 1, 0, w, ROLE_VALUE, ALIGN_LEFT, figs);
	return 3;
}

const char *
bprun_state(const struct bpane *bp, char *buf, size_t len)
{
	const struct bp_job	*job = bp->job;

	if (job == NULL)
		return NULL;
	if (job->fraction >= 0)
		snprintf(buf, len, "%s %.0f%%", kind_name(job->kind),
		    job->fraction * 100);
	else
		snprintf(buf, len, "%s %s", kind_name(job->kind), job->phase);
	return buf;
}

void
bprun_free(struct bpane *bp)
{
	struct bp_job	*job = bp->job;

	if (job == NULL)
		return;
	/* the core stops by itself; its done callback then frees the job */
	job->orphan = true;
	bp->job = NULL;
	if (job->backup != NULL)
		backup_cancel(job->backup);
	if (job->verify != NULL)
		verify_cancel(job->verify);
	if (job->restore != NULL)
		restore_cancel(job->restore);
}
