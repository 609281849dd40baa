/*
 * Inside verify, shared by its two files: verify.c (life cycle, manifest,
 * lock, object and content checks) and verify_end.c (cleanup, drift,
 * verdict, audit). Not for other users.
 */
#ifndef CHOPS_VERIFY_INT_H
#define CHOPS_VERIFY_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "job.h"
#include "verify.h"

struct audit_rec;
struct lock;
struct loop_timer;
struct manifest;

enum vf_step {
	VS_START,
	VS_MANIFEST,
	VS_LOCK,
	VS_HEAD,
	VS_DB,
	VS_CREATE,
	VS_LOAD,
	VS_COUNT,
	VS_DROP,		/* cleanup from here: always runs */
	VS_DRIFT,
	VS_STORE,
	VS_UNLOCK,
	VS_AUDIT,
	VS_DONE,
};

struct verify {
	struct job		 job;
	enum vf_step		 step;
	char			*id;
	char			*who;
	enum verify_level	 level;
	bool			 drift;
	bool			 read_only;
	verify_progress_fn	 progress;
	verify_done_fn		 done;
	void			*arg;
	bool			 freed;

	struct verify_result	 res;
	struct verify_progress	 prog;
	char			*prefix;
	char			*manifest_key;
	struct manifest		*m;
	struct lock		*lock;
	struct load		*load;
	char			*scratch;
	bool			 scratch_created;
	char			*import_qid;	/* of a load that failed */
	struct audit_rec	*audit;
	struct loop_timer	*progress_timer;
	struct loop_timer	*done_timer;
	int64_t			 started_ms;
};

/* verify.c */
void	vf_next(struct verify *);
/* Records the outcome (the first one wins) and goes to the cleanup. */
void	vf_fail(struct verify *, enum verify_status, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	vf_warn(struct verify *, const char *what, const char *error);
void	vf_phase(struct verify *, const char *);
/* "count, checksum" of the last query; 0 or -1. */
int	vf_counts(struct job *, uint64_t *rows, char **sum);

/* verify_end.c: the steps from VS_DROP on */
void	vf_drop(struct verify *);
void	vf_drift(struct verify *);
void	vf_store(struct verify *);
void	vf_unlock(struct verify *);
void	vf_audit(struct verify *);
void	vf_done(struct verify *);
void	vf_destroy(struct verify *);

#endif
