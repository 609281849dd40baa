/*
 * A chain of asynchronous steps on the loop with at most one request in
 * flight: the plumbing shared by verify and restore. Each step starts one
 * request (a ClickHouse statement or query, an S3 GET or PUT, a lock) with
 * a continuation; when the request ends, its outcome is left in the job and
 * the continuation runs, which looks at it and starts the next step.
 *
 * job_cancel() stops the request in flight (its continuation still runs,
 * with a cancelled outcome) and marks the job cancelled, so later steps
 * can skip to the cleanup.
 */
#ifndef CHOPS_JOB_H
#define CHOPS_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "clickhouse.h"
#include "s3.h"

struct audit_rec;
struct lock;
struct manifest;
struct job;

typedef void	(*job_fn)(struct job *);

struct job {
	struct loop		*loop;
	struct ch_client	*ch;
	struct s3_client	*s3;
	void			*owner;
	bool			 cancelled;

	/* the request in flight */
	job_fn			 cont;
	struct ch_req		*req;
	struct s3_op		*op;
	struct lock		*lock_wait;
	struct loop_timer	*timer;
	char			*wait_qid;	/* job_wait_gone */
	int			 wait_rounds;
	job_fn			 wait_cont;

	/* the outcome of the last request, for its continuation */
	bool			 failed;
	char			*error;		/* for people */
	bool			 not_found;	/* S3: 404 */
	int			 ch_code;	/* ClickHouse exception code */
	struct ch_result	*res;		/* a query's; the job's */
	struct buf		 body;		/* a GET's */
	struct s3_head_info	 info;		/* a HEAD's */
};

void	job_init(struct job *, struct loop *, struct ch_client *,
	    struct s3_client *, void *owner);
/* Frees what the job holds; nothing may be in flight. */
void	job_clear(struct job *);
bool	job_busy(const struct job *);
void	job_cancel(struct job *);

/* cont runs on the next loop turn. */
void	job_defer(struct job *, job_fn cont);
void	job_exec(struct job *, const char *sql, job_fn cont);
void	job_query(struct job *, const char *sql, job_fn cont);
/* A small object into job->body (at most 16 MiB). */
void	job_get(struct job *, const char *key, job_fn cont);
void	job_head(struct job *, const char *key, job_fn cont);
void	job_put(struct job *, const char *key, const char *text,
	    job_fn cont);
/*
 * Waits until query_id has left system.processes (a killed or cut-short
 * INSERT may still be finishing), polling for up to about 10 s; failed
 * when it is still there.
 */
void	job_wait_gone(struct job *, const char *query_id, job_fn cont);
/* Acquires or releases; look at lock_state() in cont. */
void	job_lock(struct job *, struct lock *, job_fn cont);
void	job_unlock(struct job *, struct lock *, job_fn cont);

/* The first cell of row 0 of job->res as text, or NULL. */
const char *job_cell(const struct job *, size_t row, size_t col);
/* Parses job->body as the manifest of `id` (at key); NULL with *cause. */
struct manifest *job_manifest(struct job *, const char *id, const char *key,
	    char **cause);

/* "<prefix>" of the s3 client (caller frees). */
char	*job_prefix(struct s3_client *);
/* "YYYYMMDDTHHMMSS_<pid>_<4 hex>", unique per run, for table names. */
void	 job_unique(char *, size_t);

#endif
