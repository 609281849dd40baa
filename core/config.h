/*
 * Configuration: an INI file (libinih) plus environment overrides.
 *
 * Search order: --config FILE, $CHOPS_CONFIG, $XDG_CONFIG_HOME/chops/chops.ini
 * (default ~/.config/chops/chops.ini), /etc/chops/chops.ini. No file at all
 * is fine: defaults plus environment. Every option lives in one table
 * (config.c) that drives parsing, validation and the reference docs.
 *
 * Parsing is transactional: on error nothing is returned and the message
 * names file:line and what was expected. Secrets (passwords, keys) are never
 * put in any message. Loading reads the environment and sets libinih's
 * line size (a process global): load from one thread, at start-up.
 */
#ifndef CHOPS_CONFIG_H
#define CHOPS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest line a configuration file may hold, not counting the newline. */
#define CONFIG_LINE_MAX		4096
/* Last place searched; overridable at build time. */
#ifndef CONFIG_SYSTEM_PATH
#define CONFIG_SYSTEM_PATH	"/etc/chops/chops.ini"
#endif

struct cfg_tls {
	char	*ca_file;	/* NULL: system default (or AWS_CA_BUNDLE for S3) */
	bool	 insecure;	/* verification off: warned about */
};

struct cfg_clickhouse {
	char		**urls;		/* at least one */
	size_t		  n_urls;
	char		 *user;
	char		 *password;	/* secret; "" when none */
	int64_t		  timeout_ms;	/* whole request for health queries */
	int64_t		  connect_timeout_ms;
	struct cfg_tls	  tls;
};

struct cfg_s3 {
	char		*endpoint;	/* http(s)://host:port, path-style */
	char		*region;
	char		*bucket;
	char		*prefix;	/* "" or ends with '/' */
	char		*access_key;	/* secret; "" when none */
	char		*secret_key;	/* secret; "" when none */
	int64_t		 timeout_ms;	/* per request, not per transfer */
	int64_t		 connect_timeout_ms;
	uint64_t	 part_size;	/* multipart part size in bytes */
	int		 parallel;	/* parts in flight */
	struct cfg_tls	 tls;
};

struct cfg_prometheus {
	char		*url;		/* NULL: not configured */
	int64_t		 timeout_ms;
	struct cfg_tls	 tls;
};

enum kafka_source {
	KAFKA_SOURCE_EXPORTER,
	KAFKA_SOURCE_PROMETHEUS,
};

struct cfg_kafka {
	enum kafka_source source;
	char		*exporter_url;
	int64_t		 timeout_ms;
	struct cfg_tls	 tls;
};

struct cfg_ui {
	int64_t		 refresh_ms;	/* health and lag */
	int64_t		 s3_refresh_ms;	/* bucket listing */
	char		*theme;
	bool		 read_only;
	/* thresholds: warn / crit */
	double		 lag_warn, lag_crit;		/* messages */
	double		 lag_seconds_warn, lag_seconds_crit;
	double		 parts_warn_ratio, parts_crit_ratio; /* of parts_to_delay_insert */
	int64_t		 backup_age_warn_ms, backup_age_crit_ms;
};

enum backup_schedule { BACKUP_DAILY, BACKUP_WEEKLY };

struct cfg_plan {
	char		*name;		/* from [backup.NAME] */
	char		*table;		/* db.table */
	char		*time_column;
	enum backup_schedule schedule;
	char		*engine;	/* stream | server */
	char		*format;	/* native | parquet */
	char		*compression;	/* zstd | gzip | none */
	int		 keep_days;
	int		 keep_weeks;
	int		 data_keep_days;	/* 0: never drop table data */
};

struct config {
	char			*path;	/* file read, or NULL when none */
	struct cfg_clickhouse	 clickhouse;
	struct cfg_s3		 s3;
	struct cfg_prometheus	 prometheus;
	struct cfg_kafka	 kafka;
	struct cfg_ui		 ui;
	struct cfg_plan		*plans;
	size_t			 n_plans;
	/* things the user should know but that are not errors (insecure TLS) */
	char			**warnings;
	size_t			 n_warnings;
};

/*
 * Loads configuration. `path` is --config (may be NULL). On success returns
 * 0 and *out; on failure -1 and *cause ("FILE:LINE: what was expected").
 */
int	 config_load(const char *path, struct config **out, char **cause);
/* Same, from a string (for tests); `name` stands in for the file name. */
int	 config_load_string(const char *text, const char *name,
	     struct config **out, char **cause);
void	 config_free(struct config *);
const struct cfg_plan *config_find_plan(const struct config *, const char *);

/*
 * Refuses a file that holds a secret when group or others have any access
 * to it (mode & 077). `what` names the secret ("password in [clickhouse]")
 * or is NULL. Returns 0, or -1 and *cause with the chmod that fixes it.
 */
int	 config_check_private(const char *path, const char *what,
	     char **cause);

/* Writes the option reference (section, key, type, default, help) as text. */
struct buf;
void	 config_reference(struct buf *);

#endif
