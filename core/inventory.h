/*
 * What is in the bucket under the prefix: per table, its backups (complete
 * or not, verified or not, with their manifests), a strip of the last 14
 * days, and the foreign objects (anything not in chops' layout, such as the
 * old DAG's Parquet exports). The console's Backups pane and `chops list`
 * show it.
 *
 * Built in two steps: one streaming listing (memory grows with the number
 * of backups and foreign objects, not with the listing's pages), then the
 * manifests and the newest verify record of the backups that matter are
 * fetched, a few at a time.
 *
 * "complete": manifest.json is listed and, once read, is valid and
 * describes the data object as listed (same key and size, and ETag when
 * recorded). "verified": the newest verify record of the backup says ok
 * and names the object the manifest describes.
 */
#ifndef CHOPS_INVENTORY_H
#define CHOPS_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest.h"
#include "period.h"
#include "s3_xml.h"
#include "verify_record.h"

struct loop;
struct s3_client;

#define INV_STRIP_DAYS	14

enum inv_verify {
	INV_UNVERIFIED,		/* no verify record */
	INV_VERIFY_UNKNOWN,	/* records exist, not read */
	INV_VERIFIED,
	INV_VERIFY_FAILED,	/* the newest record says it failed */
	INV_VERIFY_STALE,	/* the newest record is about another object */
};

enum inv_day {
	INV_DAY_MISSING,
	INV_DAY_INCOMPLETE,	/* only incomplete backups cover it */
	INV_DAY_PRESENT,	/* a complete backup covers it */
	INV_DAY_VERIFIED,	/* ... and it is verified */
	INV_DAY_FAILED,		/* the covering backup failed verification */
};

const char	*inv_verify_name(enum inv_verify);
const char	*inv_day_name(enum inv_day);

struct inv_object {
	char		*key;
	uint64_t	 size;
	char		*etag;
	int64_t		 mtime_ms;
};

struct inv_backup {
	char			*id;
	char			*table;
	enum period_kind	 kind;
	char			*period;
	int64_t			 end_day;	/* exclusive */
	int64_t			 start_day;	/* days since epoch */
	bool			 has_manifest;	/* listed */
	bool			 complete;
	struct inv_object	*objects;	/* data objects listed */
	size_t			 n_data;	/* > 1: leftovers of a redo */
	/* the data object: the manifest's, or the first listed; or NULL */
	const struct inv_object	*data;
	char			*manifest_key;
	int64_t			 manifest_mtime_ms;
	struct manifest		*manifest;	/* NULL until read */
	bool			 manifest_bad;	/* read, and invalid */
	char			*problem;	/* why not complete, or NULL */
	char			*verify_key;	/* the newest record, or NULL */
	size_t			 n_verify;
	struct verify_record	*verify;	/* NULL until read */
	enum inv_verify		 verified;
	bool			 fetch;		/* to be read */
};

struct inv_table {
	char			*name;		/* db.table */
	struct inv_backup	**backups;	/* kind, then period */
	size_t			 n_backups;
	/* the strip, oldest day first, ending the day before "today" */
	enum inv_day		 strip[INV_STRIP_DAYS];
	struct inv_backup	*latest;	/* newest complete, or NULL */
};

struct inv_foreign {
	char		*key;
	uint64_t	 size;
	char		*last_modified;
	int64_t		 mtime_ms;
};

struct inventory {
	char			*prefix;
	struct inv_table	*tables;	/* by name */
	size_t			 n_tables;
	struct inv_foreign	*foreign;	/* in key order */
	size_t			 n_foreign;
	struct period_date	 strip_first;	/* the strip's first day */
	uint64_t		 n_objects;
	uint64_t		 n_reserved;	/* under <prefix>_chops/ */
	size_t			 n_fetch_errors;
};

enum inv_fetch {
	INV_FETCH_NONE,		/* the listing only */
	INV_FETCH_RECENT,	/* per table its latest, and the strip's days */
	INV_FETCH_ALL,
};

struct inventory_opts {
	const char		*table;		/* db.table, or NULL: all */
	enum inv_fetch		 fetch;
	struct period_date	 today;		/* zero: today in UTC */
	int			 parallel;	/* reads in flight; 0: 8 */
};

/* ---------------------------------------------------------------- async */

struct inventory_op;
/* error is NULL on success; valid during the call. */
typedef void	(*inventory_done_fn)(struct inventory_op *,
		     const char *error, void *arg);

struct inventory_op *inventory_start(struct s3_client *,
		     const struct inventory_opts *, inventory_done_fn,
		     void *arg);
/* The done callback follows with "cancelled". */
void		 inventory_cancel(struct inventory_op *);
/* From the done callback or before it (then no callback runs). */
void		 inventory_op_free(struct inventory_op *);
/* After success: the inventory, now the caller's. */
struct inventory *inventory_take(struct inventory_op *);

/* Runs it to the end: 0, or -1 with *cause. */
int		 inventory_load(struct loop *, struct s3_client *,
		     const struct inventory_opts *, struct inventory **,
		     char **cause);

/* ---------------------------------------------------------------- building */

/* The steps inventory_start takes, for tests with recorded listings. */
struct inventory *inventory_new(const char *prefix,
		     const struct period_date *today);
void		 inventory_free(struct inventory *);
/* One listed entry (objects only; prefixes are ignored). */
void		 inventory_add(struct inventory *, const struct s3_item *);
/* After the listing: marks what to read (inv_backup.fetch). */
void		 inventory_plan(struct inventory *, enum inv_fetch);
/* A manifest or verify record that was read. */
void		 inventory_set_manifest(struct inv_backup *, const char *,
		     size_t);
void		 inventory_set_verify(struct inv_backup *, const char *,
		     size_t);
/* Completeness, verification, latest and the strip. */
void		 inventory_finish(struct inventory *);

const struct inv_table *inventory_table(const struct inventory *,
		     const char *name);
const struct inv_backup *inventory_find(const struct inventory *,
		     const char *id);

#endif
