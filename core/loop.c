#include "loop.h"
#include "util.h"
#include "xmalloc.h"

#include <limits.h>
#include <stdlib.h>

struct loop_timer {
	int64_t			 due;
	loop_timer_fn		 fn;
	void			*arg;
	struct loop_timer	*next;
};

/* What a running easy handle reports back to (CURLOPT_PRIVATE). */
struct loop_easy {
	loop_done_fn	 fn;
	void		*arg;
};

struct loop {
	CURLM			*multi;
	struct loop_timer	*timers;	/* sorted by due time */
	struct loop_timer	*firing;	/* due this turn, not yet run */
	int			 active;
};

/* The longest single wait; a timer or activity ends it sooner. */
#define LOOP_MAX_WAIT_MS	(3600 * 1000)

struct loop *
loop_new(void)
{
	static int	 curl_ready;
	struct loop	*loop;

	if (!curl_ready) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		curl_ready = 1;
	}
	loop = xcalloc(1, sizeof *loop);
	loop->multi = curl_multi_init();
	if (loop->multi == NULL)
		abort();
	curl_multi_setopt(loop->multi, CURLMOPT_MAX_HOST_CONNECTIONS, 32L);
	return loop;
}

void
loop_free(struct loop *loop)
{
	struct loop_timer	*t;

	if (loop == NULL)
		return;
	while ((t = loop->timers) != NULL) {
		loop->timers = t->next;
		free(t);
	}
	while ((t = loop->firing) != NULL) {
		loop->firing = t->next;
		free(t);
	}
	curl_multi_cleanup(loop->multi);
	free(loop);
}

CURLM *
loop_multi(struct loop *loop)
{
	return loop->multi;
}

struct loop_timer *
loop_timer_add(struct loop *loop, int64_t ms, loop_timer_fn fn, void *arg)
{
	struct loop_timer	*t, **pp;

	t = xcalloc(1, sizeof *t);
	t->due = util_now_ms() + (ms > 0 ? ms : 0);
	t->fn = fn;
	t->arg = arg;
	for (pp = &loop->timers; *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->due > t->due)
			break;
	}
	t->next = *pp;
	*pp = t;
	return t;
}

static bool
timer_unlink(struct loop_timer **pp, struct loop_timer *t)
{
	for (; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			return true;
		}
	}
	return false;
}

void
loop_timer_cancel(struct loop *loop, struct loop_timer *t)
{
	if (timer_unlink(&loop->timers, t) || timer_unlink(&loop->firing, t))
		free(t);
}

void
loop_add_easy(struct loop *loop, CURL *easy, loop_done_fn fn, void *arg)
{
	struct loop_easy	*le;

	le = xmalloc(sizeof *le);
	le->fn = fn;
	le->arg = arg;
	curl_easy_setopt(easy, CURLOPT_PRIVATE, le);
	curl_multi_add_handle(loop->multi, easy);
	loop->active++;
}

bool
loop_remove_easy(struct loop *loop, CURL *easy)
{
	struct loop_easy	*le = NULL;

	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&le);
	if (le == NULL)
		return true;
	/* refused from inside a libcurl callback: the transfer goes on */
	if (curl_multi_remove_handle(loop->multi, easy) != CURLM_OK)
		return false;
	curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
	free(le);
	loop->active--;
	return true;
}

int
loop_active(struct loop *loop)
{
	return loop->active;
}

void
loop_wakeup(struct loop *loop)
{
	curl_multi_wakeup(loop->multi);
}

/* Milliseconds until the nearest timer, capped by `limit` (-1: none). */
static int
loop_wait_ms(struct loop *loop, int64_t limit)
{
	int64_t	wait = limit < 0 ? LOOP_MAX_WAIT_MS : limit;
	int64_t	until;

	if (loop->timers != NULL) {
		until = loop->timers->due - util_now_ms();
		if (until < wait)
			wait = until < 0 ? 0 : until;
	}
	return (int)(wait > INT_MAX ? INT_MAX : wait);
}

static void
loop_dispatch_done(struct loop *loop)
{
	CURLMsg			*msg;
	int			 left;
	struct loop_easy	*le;
	loop_done_fn		 fn;
	void			*arg;
	CURL			*easy;
	CURLcode		 code;

	while ((msg = curl_multi_info_read(loop->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		easy = msg->easy_handle;
		code = msg->data.result;
		le = NULL;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&le);
		if (le == NULL)
			continue;
		fn = le->fn;
		arg = le->arg;
		loop_remove_easy(loop, easy);
		fn(easy, code, arg);
	}
}

static void
loop_fire_timers(struct loop *loop)
{
	struct loop_timer	**tail = &loop->firing, *t;
	int64_t			  now = util_now_ms();

	/* Take the due ones first: timers added by a callback wait a turn. */
	while (*tail != NULL)
		tail = &(*tail)->next;
	while ((t = loop->timers) != NULL && t->due <= now) {
		loop->timers = t->next;
		t->next = NULL;
		*tail = t;
		tail = &t->next;
	}
	while ((t = loop->firing) != NULL) {
		loop->firing = t->next;
		t->fn(t->arg);
		free(t);
	}
}

bool
loop_once(struct loop *loop, int extra_fd, int64_t timeout_ms)
{
	struct curl_waitfd	 extra;
	int			 running, numfds = 0;
	bool			 readable = false;

	extra.fd = extra_fd;
	extra.events = CURL_WAIT_POLLIN;
	extra.revents = 0;
	curl_multi_poll(loop->multi, extra_fd >= 0 ? &extra : NULL,
	    extra_fd >= 0 ? 1 : 0, loop_wait_ms(loop, timeout_ms), &numfds);
	if (extra_fd >= 0 && (extra.revents & CURL_WAIT_POLLIN))
		readable = true;
	curl_multi_perform(loop->multi, &running);
	loop_dispatch_done(loop);
	loop_fire_timers(loop);
	return readable;
}

void
loop_run_until(struct loop *loop, const volatile int *done)
{
	while (!*done)
		loop_once(loop, -1, -1);
}
