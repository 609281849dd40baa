/*
 * The event loop: one per process, over the libcurl multi interface. The
 * console and batch commands use the same loop. It waits in exactly one place
 * (curl_multi_poll) on every curl socket plus at most one extra file
 * descriptor (the terminal) and a wakeup, with a timeout computed from the
 * nearest timer. Nothing here spins.
 */
#ifndef CHOPS_LOOP_H
#define CHOPS_LOOP_H

#include <stdbool.h>
#include <stdint.h>
#include <curl/curl.h>

struct loop;
struct loop_timer;

typedef void (*loop_timer_fn)(void *arg);

struct loop	*loop_new(void);
void		 loop_free(struct loop *);	/* cancels what is still running */
CURLM		*loop_multi(struct loop *);

/*
 * A one-shot timer `ms` from now. Returns a handle that stays valid until the
 * timer fires or is cancelled.
 */
struct loop_timer *loop_timer_add(struct loop *, int64_t ms, loop_timer_fn,
		    void *arg);
void		 loop_timer_cancel(struct loop *, struct loop_timer *);

/*
 * Waits at most `timeout_ms` (-1: until something happens) for network
 * activity, a timer, a wakeup, or `extra_fd` becoming readable (-1: none),
 * and dispatches whatever is ready. Returns true when extra_fd is readable.
 */
bool		 loop_once(struct loop *, int extra_fd, int64_t timeout_ms);

/* Runs until *done is nonzero (batch commands). */
void		 loop_run_until(struct loop *, const volatile int *done);

/* Makes a loop_once in progress return soon; safe from signal handlers. */
void		 loop_wakeup(struct loop *);

/* Number of transfers in flight. */
int		 loop_active(struct loop *);

/* Internal to http.c: registers completion of an easy handle. */
typedef void (*loop_done_fn)(CURL *, CURLcode, void *arg);
void		 loop_add_easy(struct loop *, CURL *, loop_done_fn, void *arg);
/* False when libcurl refuses (called from inside one of its callbacks). */
bool		 loop_remove_easy(struct loop *, CURL *);

#endif
