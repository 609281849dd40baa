/*
 * chops: the command line. With no command it opens the console; with one
 * it runs that command in batch mode over the same core.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "util.h"

static const struct cmd_entry *cmd_table[] = {
	&cmd_status_entry,
	&cmd_list_entry,
	&cmd_backup_entry,
	&cmd_verify_entry,
	&cmd_restore_entry,
	&cmd_prune_entry,
	&cmd_audit_entry,
	&cmd_config_entry,
};

static void
usage(FILE *f)
{
	size_t	i;

	fprintf(f, "usage: chops [--config FILE] [--log FILE] [--read-only] "
	    "[--theme NAME] [COMMAND [ARGS]]\n\n"
	    "With no command, opens the console (needs a terminal).\n\n"
	    "commands:\n");
	for (i = 0; i < nitems(cmd_table); i++) {
		fprintf(f, "  %-8s %s\n", cmd_table[i]->name,
		    cmd_table[i]->summary);
		fprintf(f, "           chops %s %s\n", cmd_table[i]->name,
		    cmd_table[i]->usage);
	}
	fprintf(f, "\nexit codes: 0 ok, 1 warn/failed, 2 crit/refused, "
	    "3 usage or configuration error\n");
}

int
cmd_usage_error(const struct cmd_entry *entry, const char *fmt, ...)
{
	va_list	ap;

	fputs("chops: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (entry != NULL)
		fprintf(stderr, "\nusage: chops %s %s\n", entry->name,
		    entry->usage);
	else
		fputc('\n', stderr);
	return EXIT_USAGE;
}

static const struct cmd_entry *
find_command(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(cmd_table); i++) {
		if (strcmp(cmd_table[i]->name, name) == 0)
			return cmd_table[i];
	}
	return NULL;
}

struct global_opts {
	const char	*config;
	const char	*log;
	const char	*theme;
	bool		 read_only;
};

/* Parses options before the command; returns the index of the command. */
static int
parse_global(int argc, char **argv, struct global_opts *g)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "log", required_argument, NULL, 'l' },
		{ "theme", required_argument, NULL, 't' },
		{ "read-only", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int	c;

	while ((c = getopt_long(argc, argv, "+c:l:t:rhV", longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'c': g->config = optarg; break;
		case 'l': g->log = optarg; break;
		case 't': g->theme = optarg; break;
		case 'r': g->read_only = true; break;
		case 'h': usage(stdout); exit(EXIT_OK);
		case 'V': printf("chops %s\n", PACKAGE_VERSION); exit(EXIT_OK);
		default: usage(stderr); exit(EXIT_USAGE);
		}
	}
	return optind;
}

/* "chops CMD --help" answers for every command the same way. */
static bool
wants_help(int argc, char **argv)
{
	int	i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	}
	return false;
}

static int
run_command(const struct cmd_entry *entry, struct global_opts *g,
    int argc, char **argv)
{
	struct cmd_ctx	 ctx;
	char		*cause = NULL;
	size_t		 i;
	int		 rc;

	if (wants_help(argc, argv)) {
		printf("usage: chops %s %s\n\n%s\n", entry->name, entry->usage,
		    entry->summary);
		return EXIT_OK;
	}
	memset(&ctx, 0, sizeof ctx);
	ctx.config_path = g->config;
	if (!entry->no_config) {
		if (config_load(g->config, &ctx.cfg, &cause) != 0) {
			fprintf(stderr, "chops: %s\n", cause);
			free(cause);
			return EXIT_USAGE;
		}
		for (i = 0; i < ctx.cfg->n_warnings; i++)
			log_warn("%s", ctx.cfg->warnings[i]);
	}
	ctx.read_only = g->read_only || (ctx.cfg != NULL &&
	    ctx.cfg->ui.read_only);
	ctx.stderr_tty = isatty(STDERR_FILENO);
	ctx.loop = loop_new();
	/* commands parse their own options from argv[0]; 0 also resets the
	 * "+" (stop at the first argument) mode of the global parse */
	optind = 0;
	rc = entry->exec(&ctx, argc, argv);
	loop_free(ctx.loop);
	config_free(ctx.cfg);
	return rc;
}

int
main(int argc, char **argv)
{
	struct global_opts	 g = { 0 };
	const struct cmd_entry	*entry;
	char			*cause = NULL;
	int			 first, rc;

	first = parse_global(argc, argv, &g);
	/* the console logs only to --log: stderr belongs to the terminal */
	if (log_open(g.log, g.log == NULL && first < argc,
	    first < argc ? LOG_WARN : LOG_INFO, &cause) != 0) {
		fprintf(stderr, "chops: %s\n", cause);
		free(cause);
		return EXIT_USAGE;
	}
	if (first >= argc) {
		rc = cmd_console(g.config, g.theme, g.read_only);
		log_close();
		return rc;
	}
	entry = find_command(argv[first]);
	if (entry == NULL) {
		fprintf(stderr, "chops: unknown command '%s'\n", argv[first]);
		usage(stderr);
		return EXIT_USAGE;
	}
	rc = run_command(entry, &g, argc - first, argv + first);
	log_close();
	return rc;
}
