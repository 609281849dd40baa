/*
 * Batch commands, one per file (cmd-NAME.c), each behind a descriptor. The
 * console calls the same core functions these do.
 */
#ifndef CHOPS_CMD_H
#define CHOPS_CMD_H

#include <stdbool.h>

struct config;
struct loop;

/* Exit codes shared by every command. */
enum {
	EXIT_OK = 0,
	EXIT_WARN = 1,		/* warn, failed or mismatch */
	EXIT_CRIT = 2,		/* crit, or refused */
	EXIT_USAGE = 3,		/* usage or configuration error */
};

struct cmd_ctx {
	struct config	*cfg;		/* NULL for no_config commands */
	const char	*config_path;	/* --config, or NULL */
	struct loop	*loop;
	bool		 read_only;
	bool		 stderr_tty;	/* progress only goes to a terminal */
};

struct cmd_entry {
	const char	*name;
	const char	*usage;		/* arguments after the name */
	const char	*summary;
	int		(*exec)(struct cmd_ctx *, int argc, char **argv);
	bool		 no_config;	/* runs without loading the config */
};

extern const struct cmd_entry cmd_audit_entry;
extern const struct cmd_entry cmd_backup_entry;
extern const struct cmd_entry cmd_config_entry;
extern const struct cmd_entry cmd_list_entry;
extern const struct cmd_entry cmd_prune_entry;
extern const struct cmd_entry cmd_restore_entry;
extern const struct cmd_entry cmd_status_entry;
extern const struct cmd_entry cmd_verify_entry;

/* The console (no command): returns 0, or 3 without a terminal. */
int	cmd_console(const char *config_path, const char *theme, bool read_only);

/* Prints "chops: ..." to stderr and returns EXIT_USAGE. */
int	cmd_usage_error(const struct cmd_entry *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
