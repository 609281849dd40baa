/*
 * Locks in the bucket (doc/locking.md): one small JSON object per backup
 * period, and one per table, that stops two operators (or cron and an
 * operator) from running the same backup, verify, restore or prune at once.
 *
 *	<prefix>_chops/locks/<db>.<table>/<kind>/<period>.lock	a backup
 *	<prefix>_chops/locks/<db>.<table>.lock			a table
 *
 * Acquiring is a PUT with If-None-Match: * (radosgw 16 and AWS refuse it
 * with 412 when the object exists, atomically), then a re-read that must
 * find our token. A lock held by someone else is a refusal naming the
 * holder; one past its expiry (plus a grace for clock skew) is taken over
 * with a PUT conditional on the stale object's ETag, so two operators taking
 * over the same stale lock cannot both win. While held, a timer on the loop
 * refreshes it (again conditional on our ETag); a refresh that finds another
 * holder marks the lock lost. Release deletes it only if the token is ours.
 *
 * Every operation runs on the loop; the synchronous forms run the loop and
 * must not be called from a loop callback.
 */
#ifndef CHOPS_LOCK_H
#define CHOPS_LOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct s3_client;
struct lock;

#define LOCK_TTL_DEFAULT_MS	(15 * 60 * 1000)
#define LOCK_SKEW_DEFAULT_MS	(30 * 1000)
#define LOCK_SETTLE_DEFAULT_MS	200

/* What a lock object says. */
struct lock_info {
	char	*holder;	/* user@host */
	int64_t	 pid;
	char	*operation;	/* backup, verify, restore, prune */
	char	*target;	/* the backup id or table it protects */
	int64_t	 started_at;	/* epoch seconds */
	int64_t	 expires_at;	/* epoch seconds */
	char	*token;		/* random, per acquisition */
};

void	 lock_info_clear(struct lock_info *);
/* The object's JSON text (caller frees). */
char	*lock_info_json(const struct lock_info *, int64_t refreshed_at);
/* Returns 0, or -1 with *cause. */
int	 lock_info_parse(const char *, size_t, struct lock_info *,
	     char **cause);
/*
 * "locked by alice@host since 2026-11-29T03:00:12Z (backup, pid 123);
 * expires in 14m" (caller frees).
 */
char	*lock_describe(const struct lock_info *, int64_t now);

/* Keys, with the client's prefix (caller frees); NULL for a bad name. */
char	*lock_key_backup(struct s3_client *, const char *backup_id);
char	*lock_key_table(struct s3_client *, const char *table);

enum lock_state {
	LOCK_IDLE,		/* not asked yet */
	LOCK_ACQUIRING,
	LOCK_HELD,		/* ours, refreshed on the loop */
	LOCK_BUSY,		/* somebody else's: lock_message() names them */
	LOCK_LOST,		/* was ours, then taken over or gone */
	LOCK_RELEASED,
	LOCK_FAILED,		/* could not tell: S3 error, unreadable lock */
};

struct lock_opts {
	const char	*operation;	/* required: "backup", "restore", ... */
	const char	*target;	/* shown to others; NULL: the key */
	const char	*holder;	/* NULL: util_user_at_host() */
	int64_t		 ttl_ms;	/* 0: LOCK_TTL_DEFAULT_MS */
	int64_t		 refresh_ms;	/* 0: ttl / 3 */
	int64_t		 skew_ms;	/* grace after expiry; 0: default,
					   -1: none */
	int64_t		 settle_ms;	/* before the re-read; 0: default,
					   -1: none */
};

typedef void	(*lock_done_fn)(struct lock *, void *arg);

struct lock	*lock_new(struct loop *, struct s3_client *, const char *key,
		     const struct lock_opts *);
/* Stops the refresh; does not release (an abandoned lock expires). */
void		 lock_free(struct lock *);

/* done runs once from the loop; then look at lock_state(). */
void		 lock_acquire_start(struct lock *, lock_done_fn, void *arg);
/* Deletes the object if it still holds our token. */
void		 lock_release_start(struct lock *, lock_done_fn, void *arg);
/* Called (once) when a refresh finds the lock is no longer ours. */
void		 lock_on_lost(struct lock *, lock_done_fn, void *arg);

/* Synchronous: 0 held, 1 busy (refused), -1 failed. */
int		 lock_acquire(struct lock *);
/* 0 released (or already gone), -1 failed. */
int		 lock_release(struct lock *);

enum lock_state	 lock_state(const struct lock *);
const char	*lock_key(const struct lock *);
/* BUSY: the holder's record; HELD: ours. */
const struct lock_info *lock_holder(const struct lock *);
/* BUSY: the refusal; FAILED, LOST: why. NULL otherwise. */
const char	*lock_message(const struct lock *);

#endif
