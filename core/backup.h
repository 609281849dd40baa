/*
 * Taking a backup (doc/backup-format.md), on the event loop.
 *
 * Read-only mode refuses before anything is done. Steps: read the
 * server's timezone, version and clock; turn the period into [from, to)
 * (the server converts local times, so day boundaries follow its timezone
 * rules; a period that has not ended is refused); list the backup's
 * directory (a complete backup is skipped unless forced, an incomplete one
 * is taken again); read the table's columns and CREATE statement; count()
 * and sum(cityHash64(...)) over the range; then move the data:
 *
 *   stream: SELECT ... FORMAT Native over HTTP -> zstd (multi-threaded) or
 *	gzip -> SHA-256 -> S3 multipart upload with parallel parts. When the
 *	uploader has no room, the export's sink pauses the HTTP transfer and
 *	resumes it when a part completes, so memory stays about
 *	(s3.parallel + 1) * s3.part_size + 2 MiB + the compressor's, whatever
 *	the size of the backup.
 *   server: INSERT INTO FUNCTION s3(...) SELECT ..., for servers with the s3
 *	table function (ClickHouse 19.15+; compressed objects need the
 *	compression argument, 20.x+). The object is then read back once for
 *	its SHA-256.
 *
 * The checksum is taken again once the data has been read: if the rows of
 * the range changed meanwhile the backup fails instead of recording a
 * checksum that does not describe the object. The object is then listed
 * (s3.h has no asynchronous HEAD) to confirm its size and learn its ETag,
 * and manifest.json is written last. Any failure or a cancel aborts the
 * multipart upload (and kills the query): no manifest, no upload left
 * behind.
 */
#ifndef CHOPS_BACKUP_H
#define CHOPS_BACKUP_H

#include <stdbool.h>
#include <stdint.h>

#include "backup_key.h"
#include "codec.h"
#include "manifest.h"
#include "period.h"

struct loop;
struct ch_client;
struct s3_client;
struct backup;

enum backup_engine {
	BACKUP_ENGINE_STREAM,
	BACKUP_ENGINE_SERVER,
};

/* "stream" "server" */
const char	*backup_engine_name(enum backup_engine);
int		 backup_engine_parse(const char *, enum backup_engine *);

struct backup_opts {
	const char		*table;		/* db.table */
	const char		*time_column;	/* NULL: detect */
	struct period_spec	 period;
	const char		*tz;		/* NULL: the server's */
	enum backup_engine	 engine;
	enum backup_format	 format;
	enum codec_kind		 compression;
	int			 level;		/* 0: 1, the fastest */
	int			 workers;	/* zstd threads; -1: per CPU */
	bool			 force;		/* redo a complete backup */
	bool			 read_only;	/* refuse (exit 2) */
	const char		*created_by;	/* NULL: user@host */
	const char		*chops_version;	/* NULL: this build's */
	/* the server engine gives these to the server; never logged */
	const char		*s3_access_key;
	const char		*s3_secret_key;
};

enum backup_status {
	BACKUP_RUNNING = 0,
	BACKUP_COMPLETE,	/* written now */
	BACKUP_SKIPPED,		/* a complete backup was there already */
	BACKUP_FAILED,		/* includes cancelled */
	BACKUP_REFUSED,		/* read-only, or the server cannot */
	BACKUP_INVALID,		/* bad options */
};

const char	*backup_status_name(enum backup_status);

enum backup_phase {
	BACKUP_PHASE_PREPARE,	/* server, range, existing backup, schema */
	BACKUP_PHASE_CHECKSUM,
	BACKUP_PHASE_TRANSFER,	/* export, compress, upload */
	BACKUP_PHASE_RECHECK,
	BACKUP_PHASE_FINISH,	/* confirm the object, write the manifest */
	BACKUP_PHASE_DONE,
};

const char	*backup_phase_name(enum backup_phase);

struct backup_progress {
	enum backup_phase	 phase;
	const char		*id;		/* NULL until known */
	uint64_t		 rows_total;	/* 0 until counted */
	uint64_t		 rows_read;	/* the server's estimate */
	uint64_t		 bytes_read;	/* from ClickHouse */
	uint64_t		 bytes_compressed;
	uint64_t		 bytes_uploaded; /* acknowledged by S3 */
	double			 rate;		/* bytes_read per second */
	int64_t			 elapsed_ms;
};

struct backup_result {
	enum backup_status	 status;
	char			*id;		/* NULL if never known */
	char			*key;		/* the data object */
	uint64_t		 rows;
	char			*checksum;	/* decimal string */
	uint64_t		 bytes;		/* object size */
	char			*error;		/* NULL unless failed/refused */
	struct manifest		*manifest;	/* written, or found */
};

void		 backup_result_clear(struct backup_result *);

typedef void	(*backup_progress_fn)(const struct backup_progress *,
		     void *arg);
/* Runs once, from the loop; backup_free() may be called in it. */
typedef void	(*backup_done_fn)(struct backup *, void *arg);

/*
 * Starts a backup (never NULL; invalid options fail through the callback).
 * progress (may be NULL) is called, from the loop, at each phase and about
 * twice a second while the data moves; it may call backup_cancel(), not
 * backup_free().
 */
struct backup	*backup_start(struct loop *, struct ch_client *,
		     struct s3_client *, const struct backup_opts *,
		     backup_progress_fn, backup_done_fn, void *arg);
/* Stops everything (KILL QUERY, abort the upload); done follows. */
void		 backup_cancel(struct backup *);
/* From done, or earlier: then it cancels and frees once things stopped. */
void		 backup_free(struct backup *);
const struct backup_result *backup_result(const struct backup *);
/* The result, moved to the caller. */
void		 backup_take_result(struct backup *, struct backup_result *);
const struct backup_progress *backup_progress(const struct backup *);

/*
 * Runs a backup to the end. *cancel (may be NULL) is checked on every loop
 * turn (set it from a signal handler, then loop_wakeup). Returns the status.
 */
enum backup_status backup_run(struct loop *, struct ch_client *,
		     struct s3_client *, const struct backup_opts *,
		     backup_progress_fn, void *arg, struct backup_result *,
		     const volatile int *cancel);

#endif
