/*
 * Inside locks, shared by lock.c (the object, acquiring) and lock_hold.c
 * (refresh, release). Not for other users.
 */
#ifndef CHOPS_LOCK_INT_H
#define CHOPS_LOCK_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "lock.h"
#include "s3.h"

struct loop_timer;

enum lk_step {
	LK_NONE,
	LK_CREATE,	/* PUT If-None-Match: * */
	LK_TAKE,	/* PUT If-Match: the stale lock's ETag */
	LK_CONFIRM,	/* GET after our PUT: is it our token? */
	LK_READ,	/* GET after a 412: whose is it? */
	LK_REFRESH,	/* PUT If-Match: our ETag */
	LK_REL_READ,	/* GET before deleting */
	LK_REL_DELETE,
};

struct lock {
	struct loop		*loop;
	struct s3_client	*s3;
	char			*key;
	enum lock_state		 state;
	struct lock_info	 mine;
	struct lock_info	 theirs;
	char			*etag;		/* of our object */
	char			*stale_etag;	/* of the one we take over */
	char			*message;
	int64_t			 ttl_ms;
	int64_t			 refresh_ms;
	int64_t			 skew_ms;
	int64_t			 settle_ms;
	int			 rounds;

	enum lk_step		 step;
	struct s3_op		*op;
	struct buf		 body;
	struct loop_timer	*settle_timer;
	struct loop_timer	*done_timer;
	struct loop_timer	*refresh_timer;
	lock_done_fn		 done;
	void			*done_arg;
	lock_done_fn		 lost;
	void			*lost_arg;
};

/* lock.c */
int64_t	lk_now(void);
void	lk_cancel_timer(struct lock *, struct loop_timer **);
/* Ends an acquire or a release: the callback runs on the next turn. */
void	lk_finish(struct lock *, enum lock_state, char *message);
void	lk_fail_s3(struct lock *, const char *what, const struct s3_error *);
void	lk_get(struct lock *, enum lk_step);
void	lk_put(struct lock *, enum lk_step, const struct s3_put_cond *);
/* Our record, valid for the ttl from now; fresh: a new token. */
void	lk_stamp(struct lock *, bool fresh);
/* Parses the last GET into *li; on failure the lock is unreadable. */
int	lk_parse(struct lock *, struct lock_info *);
bool	lk_ours(const struct lock *, const struct lock_info *);
void	lk_op_done(struct s3_op *, const struct s3_error *, void *);

/* lock_hold.c */
void	lk_refresh_arm(struct lock *, int64_t ms);
void	lk_refresh_done(struct lock *, const struct s3_op *,
	    const struct s3_error *);
void	lk_release_read(struct lock *);
void	lk_rel_read_done(struct lock *, const struct s3_error *);

#endif
