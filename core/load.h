/*
 * Reading a backup's data object back, for verify and restore:
 *
 *	S3 GET -> SHA-256 of the object bytes -> decoder (zstd, gzip, none)
 *	    -> INSERT INTO table (columns) FORMAT Native|Parquet
 *
 * all streaming, on the loop. The decoded bytes wait in a small queue: when
 * it holds more than LOAD_HIGH_WATER the GET's sink pauses the download,
 * and the import's source resumes it below LOAD_LOW_WATER; an empty queue
 * pauses the import until data comes. Memory stays about the high water
 * mark plus one decoded network read, whatever the size of the backup.
 *
 * Without a table only the object is checked (size and SHA-256), for
 * verify's object level. With one, the end of the stream is given to
 * ClickHouse only after the object's size and SHA-256 matched the
 * manifest, so a corrupt object fails the load. A failed or cancelled load
 * may still leave rows in the table (an INSERT cut short keeps what it
 * received): load into a scratch or staging table only.
 */
#ifndef CHOPS_LOAD_H
#define CHOPS_LOAD_H

#include <stdbool.h>
#include <stdint.h>

struct loop;
struct ch_client;
struct s3_client;
struct manifest;
struct load;

#define LOAD_HIGH_WATER		(1024 * 1024)
#define LOAD_LOW_WATER		(256 * 1024)

enum load_status {
	LOAD_RUNNING = 0,
	LOAD_OK,
	LOAD_CORRUPT,		/* size, SHA-256 or compressed data is wrong */
	LOAD_FAILED,		/* S3 or ClickHouse failed: nothing learned */
	LOAD_CANCELLED,
};

struct load_progress {
	uint64_t	fetched;	/* object bytes received */
	uint64_t	total;		/* the object's size (manifest) */
	uint64_t	decoded;
	uint64_t	sent;		/* to ClickHouse */
};

typedef void	(*load_done_fn)(struct load *, void *arg);

/*
 * table NULL (and ch NULL): check the object only. The manifest must stay
 * valid until done. done runs once, from the loop.
 */
struct load	*load_start(struct loop *, struct s3_client *,
		     struct ch_client *, const struct manifest *,
		     const char *table, load_done_fn, void *arg);
void		 load_cancel(struct load *);
/* From done, or earlier (then nothing is called back). */
void		 load_free(struct load *);

enum load_status load_status(const struct load *);
/* For people: what failed or what did not match; NULL when ok. */
const char	*load_error(const struct load *);
/*
 * The import's query_id (NULL without a table). After a failed load the
 * server may still be finishing that INSERT: wait for it to leave
 * system.processes before dropping the table.
 */
const char	*load_query_id(const struct load *);
/* The SHA-256 (hex) and size of what was read, once it was all read. */
const char	*load_sha256(const struct load *);
void		 load_progress(const struct load *, struct load_progress *);

#endif
