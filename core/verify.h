/*
 * Verifying a backup, on the event loop.
 *
 *   object	the manifest is read; the data object exists (HEAD) with the
 *		manifest's size; its bytes are streamed through SHA-256 and
 *		compared with the manifest's.
 *   restore	the same checks while the object streams into a scratch
 *		table (chops_scratch.verify_<time>_<pid>_<random>, created
 *		from the manifest's columns, ENGINE = Log), then count() and
 *		the manifest's checksum expression over it are compared with
 *		the manifest; the scratch table is dropped, also on failure.
 *
 * With `drift`, the source rows of the range are checksummed again and
 * compared with the manifest: a difference is drift (rows added or changed
 * since the backup), reported apart from the verdict on the backup.
 *
 * The backup's period lock is held throughout (a verify never races a
 * forced backup of the same period), the verdict is stored next to the
 * backup as verify-<UTC time>.json (verify_record.h) when there is one, and
 * an audit record is written. A verify that could not reach a verdict
 * (S3 or ClickHouse failing) stores nothing.
 *
 * Read-only mode takes no lock and stores nothing; the restore level, which
 * writes a scratch table, is refused.
 */
#ifndef CHOPS_VERIFY_H
#define CHOPS_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "load.h"
#include "verify_record.h"

struct loop;
struct ch_client;
struct s3_client;
struct verify;

enum verify_status {
	VERIFY_RUNNING = 0,
	VERIFY_OK,
	VERIFY_MISMATCH,	/* the backup is not what its manifest says */
	VERIFY_FAILED,		/* no verdict: S3 or ClickHouse failed, no
				   such backup, cancelled */
	VERIFY_REFUSED,		/* locked by someone else, read-only */
	VERIFY_INVALID,		/* bad options */
};

const char	*verify_status_name(enum verify_status);

struct verify_opts {
	const char		*id;		/* db.table/kind/period */
	enum verify_level	 level;
	bool			 drift;
	bool			 read_only;
	const char		*who;		/* NULL: user@host */
};

struct verify_result {
	enum verify_status	 status;
	char			*id;
	enum verify_level	 level;
	bool			 ok;
	bool			 has_counts;	/* restore level got that far */
	uint64_t		 rows;
	char			*checksum;
	uint64_t		 expected_rows;
	char			*expected_checksum;	/* NULL: no manifest */
	char			*error;		/* NULL when ok */
	bool			 drift_checked;
	bool			 drift;		/* the source differs now */
	uint64_t		 source_rows;
	char			*source_checksum;
	char			*drift_error;	/* the drift check failed */
	char			*record_key;	/* verdict stored, or NULL */
	char			*warning;	/* e.g. scratch not dropped */
};

void		 verify_result_clear(struct verify_result *);

struct verify_progress {
	const char		*phase;		/* "reading", "loading", ... */
	struct load_progress	 load;
};

typedef void	(*verify_progress_fn)(const struct verify_progress *,
		     void *arg);
typedef void	(*verify_done_fn)(struct verify *, void *arg);

/*
 * ch may be NULL for the object level. Never NULL; done runs once. arg
 * goes to both callbacks.
 */
struct verify	*verify_start(struct loop *, struct ch_client *,
		     struct s3_client *, const struct verify_opts *,
		     verify_progress_fn, verify_done_fn, void *arg);
/* Stops the transfer; the scratch table is still dropped; done follows. */
void		 verify_cancel(struct verify *);
/* From done, or earlier: then it cancels and frees once things stopped. */
void		 verify_free(struct verify *);
const struct verify_result *verify_result(const struct verify *);
void		 verify_take_result(struct verify *, struct verify_result *);

/*
 * Runs a verify to the end; *cancel (may be NULL) is checked on every
 * loop turn. Returns the status.
 */
enum verify_status verify_run(struct loop *, struct ch_client *,
		     struct s3_client *, const struct verify_opts *,
		     verify_progress_fn, void *arg, struct verify_result *,
		     const volatile int *cancel);

#endif
