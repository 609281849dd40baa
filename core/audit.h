/*
 * The audit trail: one record per action (backup, verify, restore, prune,
 * delete, ...) saying who, on which host, what, with which parameters, the
 * result and how long it took. Each record is written twice:
 *
 *	$XDG_STATE_HOME/chops/audit.jsonl	(default ~/.local/state/...)
 *		one JSON object per line, appended with O_APPEND; the
 *		directories are created 0700, the file 0600
 *	<prefix>_chops/audit/YYYY/MM/DD/<id>.json
 *		one object per record (S3 cannot append), so the whole team
 *		sees it; <id> is <YYYYMMDDTHHMMSSmmmZ>-<host>-<pid>-<n>, which
 *		sorts by time within a day
 *
 * Reading merges both (a record is the same in both places: same id) for
 * the last N days, newest first.
 *
 * Records never hold secrets: parameters whose name looks like one
 * (password, secret, token, credential, access_key) are stored as
 * "<redacted>", and error texts come from the clients, which scrub them.
 */
#ifndef CHOPS_AUDIT_H
#define CHOPS_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "s3.h"

struct loop;

struct audit_param {
	char	*name;
	char	*value;
};

struct audit_rec {
	char			*id;
	int64_t			 at_ms;		/* start, epoch milliseconds */
	int64_t			 duration_ms;
	char			*who;		/* user@host */
	char			*host;
	int64_t			 pid;
	char			*action;
	char			*target;	/* backup id, table, or NULL */
	struct audit_param	*params;
	size_t			 n_params;
	char			*result;	/* ok failed refused ... */
	char			*error;		/* NULL unless it went wrong */
	bool			 local;		/* read from the local file */
	bool			 shared;	/* read from the bucket */
};

/* A record that starts now: id, time, who, host and pid are filled in. */
struct audit_rec *audit_begin(const char *action, const char *target);
void		 audit_param(struct audit_rec *, const char *name,
		     const char *value);
/* Sets the result, the error (may be NULL) and the duration. */
void		 audit_end(struct audit_rec *, const char *result,
		     const char *error);
void		 audit_rec_free(struct audit_rec *);

/* One line of JSON, no newline (caller frees). */
char		*audit_rec_json(const struct audit_rec *);
/* Returns 0 and *out, or -1 with *cause. */
int		 audit_rec_parse(const char *, size_t, struct audit_rec **out,
		     char **cause);

/* The local file (caller frees); NULL with *cause without a home. */
char		*audit_local_path(char **cause);
/* Appends one line, creating what is missing. 0, or -1 with *cause. */
int		 audit_append_local(const char *path, const struct audit_rec *,
		     char **cause);
/* <prefix>_chops/audit/YYYY/MM/DD/<id>.json (caller frees). */
char		*audit_key(struct s3_client *, const struct audit_rec *);
/* The day directory of epoch seconds t, with the prefix (caller frees). */
char		*audit_day_prefix(struct s3_client *, int64_t t);

/* PUT of the record into the bucket, on the loop. */
struct s3_op	*audit_put_start(struct s3_client *, const struct audit_rec *,
		     s3_op_done_fn, void *arg);
/*
 * Writes the record locally, then to the bucket (s3 may be NULL: local
 * only). Both are attempted; returns 0, or -1 with *cause saying which
 * failed. Runs the loop: not from a loop callback.
 */
int		 audit_write(struct s3_client *, const struct audit_rec *,
		     char **cause);

/* ---------------------------------------------------------------- reading */

struct audit_list {
	struct audit_rec	**recs;		/* newest first */
	size_t			  n;
	char			 *warning;	/* unreadable bucket, lines */
};

void		 audit_list_clear(struct audit_list *);

struct audit_read_opts {
	int		 days;		/* 0: 7 */
	size_t		 limit;		/* 0: 200 */
	const char	*local_path;	/* NULL: audit_local_path() */
};

struct audit_reader;
typedef void	(*audit_read_fn)(struct audit_reader *, void *arg);

/*
 * Reads the local file at once, then lists the bucket's day directories
 * and fetches the records not seen locally, newest first, up to the limit.
 * done runs once from the loop; take the list in it. A bucket that cannot
 * be read is a warning, not a failure: the local records are still there.
 */
struct audit_reader *audit_read_start(struct loop *, struct s3_client *,
		     const struct audit_read_opts *, audit_read_fn, void *);
void		 audit_read_take(struct audit_reader *, struct audit_list *);
/* Stops and frees (also from the done callback). */
void		 audit_read_free(struct audit_reader *);
/* Runs a read to its end. Returns 0 (warnings in the list), -1 never. */
int		 audit_read(struct loop *, struct s3_client *,
		     const struct audit_read_opts *, struct audit_list *);

#endif
