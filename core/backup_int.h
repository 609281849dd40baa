/*
 * Inside the backup engine, shared by its files: backup.c (life cycle,
 * progress), backup_prep.c (steps up to the checksum), backup_pipe.c (the
 * stream engine: export -> compress -> upload), backup_server.c (the server
 * engine) and backup_commit.c (recheck, confirm, manifest). Not for other
 * users.
 */
#ifndef CHOPS_BACKUP_INT_H
#define CHOPS_BACKUP_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "backup.h"
#include "backup_sql.h"
#include "buf.h"

struct audit_rec;
struct ch_error;
struct ch_req;
struct lock;
struct ch_result;
struct s3_op;
struct s3_upload;
struct loop_timer;

/* Compressed bytes waiting for the uploader: pause the export above ... */
#define BACKUP_HIGH_WATER	(1024 * 1024)
/* ... and resume it below. */
#define BACKUP_LOW_WATER	(256 * 1024)

struct backup {
	struct loop		*loop;
	struct ch_client	*ch;
	struct s3_client	*s3;
	backup_progress_fn	 progress_fn;
	backup_done_fn		 done;
	void			*arg;

	/* options (owned copies) */
	char			*table;
	char			*db;
	char			*tbl;
	char			*time_column;
	char			*tz_opt;
	char			*created_by;
	char			*chops_version;
	char			*access_key;	/* server engine; wiped */
	char			*secret_key;
	struct period_spec	 spec;
	enum backup_engine	 engine;
	enum backup_format	 format;
	enum codec_kind		 compression;
	int			 level;
	int			 workers;
	bool			 force;
	bool			 read_only;

	/* state */
	bool			 failed;	/* an error is recorded */
	bool			 ending;	/* unlock and audit, then done */
	bool			 audited;
	bool			 finishing;	/* done is scheduled or ran */
	bool			 freed;
	struct backup_result	 res;
	struct backup_progress	 prog;
	int64_t			 started_ms;
	int64_t			 transfer_ms;

	/* what the steps found */
	char			*tz;
	char			*ch_version;
	int64_t			 server_now;	/* epoch seconds */
	struct period		 period;
	char			*prefix;
	char			*dir;
	char			*data_key;
	char			*manifest_key;
	struct manifest		*m;		/* being built */
	enum backup_time_kind	 time_kind;
	char			*where;
	char			*checksum_sql;
	char			*select_sql;
	uint64_t		 rows0;
	char			*sum0;
	bool			 listed_manifest;
	struct backup_listed	*listed;	/* the directory's objects */
	size_t			 n_listed;
	uint64_t		 object_size;	/* confirmed by listing */
	char			*object_etag;
	char			 sha256[65];

	/* in flight: each completion clears its pointer */
	struct ch_req		*req;		/* queries, the server INSERT */
	struct ch_req		*export;
	struct ch_req		*poll;		/* system.processes */
	struct s3_upload	*up;
	struct s3_op		*op;
	struct lock		*lock;		/* the period's */
	bool			 lock_wait;	/* acquire or release */
	struct audit_rec	*audit;
	struct s3_op		*audit_op;
	struct loop_timer	*finish_timer;
	struct loop_timer	*start_timer;
	struct loop_timer	*progress_timer;
	struct loop_timer	*report_timer;
	struct loop_timer	*kick_export;
	struct loop_timer	*kick_upload;

	/* the pipeline */
	struct codec		*codec;
	EVP_MD_CTX		*sha;
	struct buf		 q;		/* compressed, to upload */
	size_t			 q_off;
	bool			 export_paused;
	bool			 data_done;	/* all data is in q */
	bool			 upload_eof;	/* recheck passed: complete */
	char			*sink_error;	/* why the sink stopped */
	struct buf		 body;		/* GET/PUT of small objects */
	size_t			 body_off;
};

struct backup_listed {
	char		*key;
	uint64_t	 size;
	char		*etag;
};

/* backup.c */
void	backup_succeed(struct backup *, enum backup_status);
void	backup_fail(struct backup *, enum backup_status, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	backup_settle(struct backup *);
void	backup_set_phase(struct backup *, enum backup_phase);
void	backup_report(struct backup *);
void	backup_progress_begin(struct backup *);
void	backup_fail_ch(struct backup *, const char *what,
	    const struct ch_error *);
/* The start of a query's callback: false when the backup should stop. */
bool	backup_query_ok(struct backup *, struct ch_req *, const char *what,
	    struct ch_result **);

/* backup_prep.c: from the server's info to the first checksum */
void	backup_prep_start(struct backup *);

/* backup_commit.c: recheck, confirm the object, write the manifest */
void	backup_recheck(struct backup *);
void	backup_confirm(struct backup *);
void	backup_commit_manifest(struct backup *);

/* backup_pipe.c: the stream engine */
void	backup_pipe_start(struct backup *);
void	backup_pipe_release(struct backup *);
/* the recheck passed: let the upload complete */
void	backup_pipe_finish(struct backup *);

/* backup_server.c: the server engine */
void	backup_server_start(struct backup *);
void	backup_server_hash(struct backup *);

#endif
