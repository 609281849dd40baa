/* Locks in the bucket: the object, and acquiring one (see lock.h). */
#include "lock_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "loop.h"
#include "s3.h"
#include "util.h"
#include "xmalloc.h"

/* A lock object is tiny; anything bigger is not one of ours. */
#define LOCK_MAX_BYTES		(64 * 1024)
/* Rounds of read / take over / create before giving up. */
#define LOCK_MAX_ROUNDS		5

static void	lk_create(struct lock *);

int64_t
lk_now(void)
{
	return util_wall_ms() / 1000;
}

static char *
lk_token(void)
{
	unsigned char	r[16];
	char		hex[33];
	size_t		i;

	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
		/* no entropy source: unique enough for a lock token */
		snprintf(hex, sizeof hex, "%08lx%08lx%016llx", (long)getpid(),
		    (long)random(), (long long)util_wall_ms());
		return xstrdup(hex);
	}
	for (i = 0; i < sizeof r; i++)
		snprintf(hex + 2 * i, 3, "%02x", r[i]);
	return xstrdup(hex);
}

struct lock *
lock_new(struct loop *loop, struct s3_client *s3, const char *key,
    const struct lock_opts *o)
{
	struct lock	*lk = xcalloc(1, sizeof *lk);

	lk->loop = loop;
	lk->s3 = s3;
	lk->key = xstrdup(key);
	lk->ttl_ms = o->ttl_ms > 0 ? o->ttl_ms : LOCK_TTL_DEFAULT_MS;
	lk->refresh_ms = o->refresh_ms > 0 ? o->refresh_ms : lk->ttl_ms / 3;
	lk->skew_ms = o->skew_ms == 0 ? LOCK_SKEW_DEFAULT_MS :
	    o->skew_ms < 0 ? 0 : o->skew_ms;
	lk->settle_ms = o->settle_ms == 0 ? LOCK_SETTLE_DEFAULT_MS :
	    o->settle_ms < 0 ? 0 : o->settle_ms;
	lk->mine.holder = o->holder != NULL ? xstrdup(o->holder) :
	    util_user_at_host();
	lk->mine.pid = (int64_t)getpid();
	lk->mine.operation = xstrdup(o->operation);
	lk->mine.target = xstrdup(o->target != NULL ? o->target : key);
	return lk;
}

void
lk_cancel_timer(struct lock *lk, struct loop_timer **t)
{
	if (*t != NULL) {
		loop_timer_cancel(lk->loop, *t);
		*t = NULL;
	}
}

void
lock_free(struct lock *lk)
{
	if (lk == NULL)
		return;
	s3_op_free(lk->op);
	lk_cancel_timer(lk, &lk->settle_timer);
	lk_cancel_timer(lk, &lk->done_timer);
	lk_cancel_timer(lk, &lk->refresh_timer);
	lock_info_clear(&lk->mine);
	lock_info_clear(&lk->theirs);
	buf_free(&lk->body);
	free(lk->etag);
	free(lk->stale_etag);
	free(lk->message);
	free(lk->key);
	free(lk);
}

enum lock_state
lock_state(const struct lock *lk)
{
	return lk->state;
}

const char *
lock_key(const struct lock *lk)
{
	return lk->key;
}

const struct lock_info *
lock_holder(const struct lock *lk)
{
	if (lk->state == LOCK_BUSY)
		return &lk->theirs;
	return lk->state == LOCK_HELD ? &lk->mine : NULL;
}

const char *
lock_message(const struct lock *lk)
{
	return lk->message;
}

void
lock_on_lost(struct lock *lk, lock_done_fn fn, void *arg)
{
	lk->lost = fn;
	lk->lost_arg = arg;
}

/* ---------------------------------------------------------------- finish */

static void
lk_done_timer(void *arg)
{
	struct lock	*lk = arg;
	lock_done_fn	 fn = lk->done;

	lk->done_timer = NULL;
	lk->done = NULL;
	if (fn != NULL)
		fn(lk, lk->done_arg);
}

/* Ends an acquire or a release: the callback runs on the next turn. */
void
lk_finish(struct lock *lk, enum lock_state state, char *message)
{
	lk->step = LK_NONE;
	lk->state = state;
	free(lk->message);
	lk->message = message;
	if (state == LOCK_HELD)
		lk_refresh_arm(lk, lk->refresh_ms);
	lk_cancel_timer(lk, &lk->done_timer);
	lk->done_timer = loop_timer_add(lk->loop, 0, lk_done_timer, lk);
}

void
lk_fail_s3(struct lock *lk, const char *what, const struct s3_error *e)
{
	lk_finish(lk, LOCK_FAILED, xasprintf("lock %s: %s: %s", lk->key, what,
	    e != NULL && e->message != NULL ? e->message : "failed"));
}

/* ---------------------------------------------------------------- requests */


static size_t
lk_sink(void *arg, const char *data, size_t len)
{
	struct lock	*lk = arg;

	if (lk->body.len + len > LOCK_MAX_BYTES)
		return 0;
	buf_add(&lk->body, data, len);
	return len;
}

void
lk_get(struct lock *lk, enum lk_step step)
{
	lk->step = step;
	buf_reset(&lk->body);
	lk->op = s3_get_start(lk->s3, lk->key, 0, 0, lk_sink, lk, lk_op_done,
	    lk);
}

void
lk_put(struct lock *lk, enum lk_step step, const struct s3_put_cond *cond)
{
	char	*text;

	lk->step = step;
	text = lock_info_json(&lk->mine, lk_now());
	lk->op = s3_put_start(lk->s3, lk->key, text, strlen(text), cond,
	    lk_op_done, lk);
	free(text);
}

/* Our record, valid for ttl from now. */
void
lk_stamp(struct lock *lk, bool fresh)
{
	if (fresh) {
		free(lk->mine.token);
		lk->mine.token = lk_token();
		lk->mine.started_at = lk_now();
	}
	lk->mine.expires_at = lk_now() + (lk->ttl_ms + 999) / 1000;
}

static void
lk_create(struct lock *lk)
{
	struct s3_put_cond	cond = { .if_none_match = true };

	if (++lk->rounds > LOCK_MAX_ROUNDS) {
		lk_finish(lk, LOCK_FAILED, xasprintf("lock %s: gave up after "
		    "%d rounds of contention", lk->key, LOCK_MAX_ROUNDS));
		return;
	}
	lk_stamp(lk, lk->mine.token == NULL);
	lk_put(lk, LK_CREATE, &cond);
}

static void
lk_settle_timer(void *arg)
{
	struct lock	*lk = arg;

	lk->settle_timer = NULL;
	lk_get(lk, LK_CONFIRM);
}

/* Our PUT went through: re-read it after a short pause. */
static void
lk_written(struct lock *lk, const struct s3_op *op)
{
	const struct s3_head_info	*hi = s3_op_info(op);

	free(lk->etag);
	lk->etag = hi->etag != NULL ? xstrdup(hi->etag) : NULL;
	lk->step = LK_CONFIRM;
	lk->settle_timer = loop_timer_add(lk->loop, lk->settle_ms,
	    lk_settle_timer, lk);
}

/* Parses the body of a GET into *li; on failure the lock is unreadable. */
int
lk_parse(struct lock *lk, struct lock_info *li)
{
	char	*cause = NULL;

	if (lock_info_parse(lk->body.data, lk->body.len, li, &cause) == 0)
		return 0;
	lk_finish(lk, LOCK_FAILED, xasprintf("lock %s is unreadable (%s): "
	    "if no operation is running, delete it", lk->key, cause));
	free(cause);
	return -1;
}

bool
lk_ours(const struct lock *lk, const struct lock_info *li)
{
	return lk->mine.token != NULL && strcmp(li->token, lk->mine.token) == 0;
}

static void
lk_now_held(struct lock *lk, const struct s3_op *op)
{
	const struct s3_head_info	*hi = s3_op_info(op);

	if (hi->etag != NULL) {
		free(lk->etag);
		lk->etag = xstrdup(hi->etag);
	}
	lk_finish(lk, LOCK_HELD, NULL);
}

static void
lk_busy(struct lock *lk, struct lock_info *li)
{
	lock_info_clear(&lk->theirs);
	lk->theirs = *li;
	lk_finish(lk, LOCK_BUSY, lock_describe(li, lk_now()));
}

/* A stale lock: replace it, on condition that nobody else did. */
static void
lk_take_over(struct lock *lk, struct lock_info *li, const struct s3_op *op)
{
	const struct s3_head_info	*hi = s3_op_info(op);
	struct s3_put_cond		 cond = { 0 };
	char				*desc = lock_describe(li, lk_now());

	log_warn("%s: taking over a stale lock (%s)", lk->key, desc);
	free(desc);
	lock_info_clear(li);
	if (++lk->rounds > LOCK_MAX_ROUNDS) {
		lk_finish(lk, LOCK_FAILED, xasprintf("lock %s: gave up after "
		    "%d rounds of contention", lk->key, LOCK_MAX_ROUNDS));
		return;
	}
	free(lk->stale_etag);
	lk->stale_etag = hi->etag != NULL ? xstrdup(hi->etag) : NULL;
	cond.if_match = lk->stale_etag;
	lk_stamp(lk, lk->mine.token == NULL);
	lk_put(lk, LK_TAKE, lk->stale_etag != NULL ? &cond : NULL);
}

/* After a 412: whose lock is it, and is it still valid? */
static void
lk_read_done(struct lock *lk, const struct s3_op *op,
    const struct s3_error *e)
{
	struct lock_info	li;

	if (e != NULL && s3_error_not_found(e)) {
		lk_create(lk);		/* released meanwhile: try again */
		return;
	}
	if (e != NULL) {
		lk_fail_s3(lk, "reading the holder", e);
		return;
	}
	if (lk_parse(lk, &li) != 0)
		return;
	if (lk_ours(lk, &li)) {
		/* our own PUT, retried after its answer was lost */
		lock_info_clear(&li);
		lk_now_held(lk, op);
	} else if (lk_now() * 1000 <= li.expires_at * 1000 + lk->skew_ms)
		lk_busy(lk, &li);
	else
		lk_take_over(lk, &li, op);
}

/* The re-read after our PUT must find our token. */
static void
lk_confirm_done(struct lock *lk, const struct s3_op *op,
    const struct s3_error *e)
{
	struct lock_info	li;

	if (e != NULL && s3_error_not_found(e)) {
		lk_create(lk);
		return;
	}
	if (e != NULL) {
		lk_fail_s3(lk, "re-reading the lock", e);
		return;
	}
	if (lk_parse(lk, &li) != 0)
		return;
	if (lk_ours(lk, &li)) {
		lock_info_clear(&li);
		lk_now_held(lk, op);
		return;
	}
	log_warn("%s: our conditional PUT succeeded but the lock holds "
	    "another token: the S3 server seems to ignore If-None-Match / "
	    "If-Match, so locking is only best-effort", lk->key);
	lk_busy(lk, &li);
}

static void
lk_write_done(struct lock *lk, const struct s3_op *op,
    const struct s3_error *e)
{
	if (e == NULL)
		lk_written(lk, op);
	else if (s3_error_precondition(e))
		lk_get(lk, LK_READ);
	else
		lk_fail_s3(lk, "writing the lock", e);
}

/* ---------------------------------------------------------------- dispatch */

void
lk_op_done(struct s3_op *op, const struct s3_error *e, void *arg)
{
	struct lock	*lk = arg;

	lk->op = NULL;
	switch (lk->step) {
	case LK_CREATE:
	case LK_TAKE:
		lk_write_done(lk, op, e);
		break;
	case LK_CONFIRM:
		lk_confirm_done(lk, op, e);
		break;
	case LK_READ:
		lk_read_done(lk, op, e);
		break;
	case LK_REFRESH:
		lk_refresh_done(lk, op, e);
		break;
	case LK_REL_READ:
		lk_rel_read_done(lk, e);
		break;
	case LK_REL_DELETE:
		if (e != NULL)
			lk_fail_s3(lk, "deleting it", e);
		else
			lk_finish(lk, LOCK_RELEASED, NULL);
		break;
	case LK_NONE:
		break;
	}
	s3_op_free(op);
}

/* ---------------------------------------------------------------- public */

void
lock_acquire_start(struct lock *lk, lock_done_fn fn, void *arg)
{
	lk->done = fn;
	lk->done_arg = arg;
	if (lk->state == LOCK_HELD || lk->state == LOCK_ACQUIRING) {
		lk_finish(lk, lk->state, NULL);
		return;
	}
	lk->state = LOCK_ACQUIRING;
	lk->rounds = 0;
	free(lk->mine.token);
	lk->mine.token = NULL;
	lk_create(lk);
}

