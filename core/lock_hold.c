/*
 * Keeping a lock: the refresh timer while it is held, and the release
 * that deletes it only while it still holds our token (see lock.h).
 */
#include "lock_int.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "loop.h"
#include "s3.h"
#include "xmalloc.h"

/* A refresh due while another request runs waits this long. */
#define LOCK_BUSY_RETRY_MS	1000

/* ---------------------------------------------------------------- refresh */

static void
lk_lost(struct lock *lk, char *why)
{
	lock_done_fn	fn = lk->lost;

	log_error("%s", why);
	lk->state = LOCK_LOST;
	free(lk->message);
	lk->message = why;
	lk_cancel_timer(lk, &lk->refresh_timer);
	lk->lost = NULL;
	if (fn != NULL)
		fn(lk, lk->lost_arg);
}

static void
lk_refresh_timer(void *arg)
{
	struct lock		*lk = arg;
	struct s3_put_cond	 cond = { 0 };

	lk->refresh_timer = NULL;
	if (lk->state != LOCK_HELD)
		return;
	if (lk->op != NULL) {
		lk_refresh_arm(lk, LOCK_BUSY_RETRY_MS);
		return;
	}
	if (lk_now() > lk->mine.expires_at) {
		lk_lost(lk, xasprintf("lock %s expired before it could be "
		    "refreshed: another operator may take it over", lk->key));
		return;
	}
	lk_stamp(lk, false);
	cond.if_match = lk->etag;
	lk_put(lk, LK_REFRESH, lk->etag != NULL ? &cond : NULL);
}

void
lk_refresh_arm(struct lock *lk, int64_t ms)
{
	lk_cancel_timer(lk, &lk->refresh_timer);
	lk->refresh_timer = loop_timer_add(lk->loop, ms, lk_refresh_timer, lk);
}

void
lk_refresh_done(struct lock *lk, const struct s3_op *op,
    const struct s3_error *e)
{
	const struct s3_head_info	*hi = s3_op_info(op);

	lk->step = LK_NONE;
	if (e == NULL && hi->etag != NULL) {
		free(lk->etag);
		lk->etag = xstrdup(hi->etag);
	}
	if (e != NULL && s3_error_precondition(e)) {
		lk_lost(lk, xasprintf("lock %s was taken over by someone else "
		    "(it had expired?): stopping", lk->key));
	} else if (e != NULL) {
		log_warn("lock %s: refresh failed, will retry: %s", lk->key,
		    e->message != NULL ? e->message : "?");
	}
	if (lk->done != NULL && lk->state != LOCK_HELD) {
		/* a release was waiting for this refresh */
		lk_finish(lk, lk->state, lk->message != NULL ?
		    xstrdup(lk->message) : NULL);
	} else if (lk->done != NULL)
		lk_release_read(lk);
	else if (lk->state == LOCK_HELD)
		lk_refresh_arm(lk, e != NULL ? lk->refresh_ms / 4 + 1 :
		    lk->refresh_ms);
}

/* ---------------------------------------------------------------- release */

void
lk_release_read(struct lock *lk)
{
	lk_get(lk, LK_REL_READ);
}

void
lk_rel_read_done(struct lock *lk, const struct s3_error *e)
{
	struct lock_info	 li;
	char			*cause = NULL;

	if (e != NULL && s3_error_not_found(e)) {
		lk_finish(lk, LOCK_RELEASED, xasprintf("lock %s was already "
		    "gone", lk->key));
		return;
	}
	if (e != NULL) {
		lk_fail_s3(lk, "reading it before release", e);
		return;
	}
	if (lock_info_parse(lk->body.data, lk->body.len, &li, &cause) != 0 ||
	    !lk_ours(lk, &li)) {
		log_warn("lock %s is no longer ours: left in place", lk->key);
		lk_finish(lk, LOCK_LOST, xasprintf("lock %s is no longer ours: "
		    "left in place", lk->key));
	} else {
		lk->step = LK_REL_DELETE;
		lk->op = s3_delete_start(lk->s3, lk->key, lk_op_done, lk);
	}
	free(cause);
	lock_info_clear(&li);
}

void
lock_release_start(struct lock *lk, lock_done_fn fn, void *arg)
{
	lk->done = fn;
	lk->done_arg = arg;
	lk_cancel_timer(lk, &lk->refresh_timer);
	if (lk->state != LOCK_HELD) {
		lk_finish(lk, lk->state, lk->message != NULL ?
		    xstrdup(lk->message) : NULL);
		return;
	}
	if (lk->op == NULL)
		lk_release_read(lk);
	/* else a refresh is in flight: lk_refresh_done continues */
}

struct lk_wait {
	volatile int	done;
};

static void
lk_wait_done(struct lock *lk, void *arg)
{
	struct lk_wait	*w = arg;

	w->done = 1;
}

int
lock_acquire(struct lock *lk)
{
	struct lk_wait	w = { 0 };

	lock_acquire_start(lk, lk_wait_done, &w);
	loop_run_until(lk->loop, &w.done);
	if (lk->state == LOCK_HELD)
		return 0;
	return lk->state == LOCK_BUSY ? 1 : -1;
}

int
lock_release(struct lock *lk)
{
	struct lk_wait	w = { 0 };

	lock_release_start(lk, lk_wait_done, &w);
	loop_run_until(lk->loop, &w.done);
	return lk->state == LOCK_FAILED ? -1 : 0;
}
