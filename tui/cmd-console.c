/*
 * The console: `chops` with no command. Loads the configuration, starts the
 * monitor's periodic refreshes on the loop, and hands the panes to the
 * console; the monitor tells each pane when its source has new data.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "console.h"
#include "log.h"
#include "loop.h"
#include "monitor.h"
#include "pane-backups.h"
#include "pane-clickhouse.h"
#include "pane-kafka.h"
#include "util.h"

/* A kind of pane and the monitor sources it shows. */
struct pane_kind {
	const struct pane_ops	*ops;
	void			*(*create)(struct monitor *, const struct config *);
	void			 (*attach)(void *, struct pane *);
	void			 (*changed)(void *);
	unsigned		   sources;
};

static const struct pane_kind pane_kinds[] = {
	{ &pane_clickhouse_ops, pane_clickhouse_new, pane_clickhouse_attach,
	  pane_clickhouse_changed, MON_CLICKHOUSE },
	{ &pane_kafka_ops, pane_kafka_new, pane_kafka_attach,
	  pane_kafka_changed, MON_KAFKA | MON_TARGETS },
	{ &pane_backups_ops, pane_backups_new, pane_backups_attach,
	  pane_backups_changed, MON_S3 },
};

struct console_state {
	void	*panes[nitems(pane_kinds)];
};

static void
monitor_changed(struct monitor *mon, unsigned which, void *arg)
{
	struct console_state	*cs = arg;
	size_t			 i;

	for (i = 0; i < nitems(pane_kinds); i++) {
		if (pane_kinds[i].sources & which)
			pane_kinds[i].changed(cs->panes[i]);
	}
	console_header_dirty();
}

static const char *
profile_name(const struct config *cfg, char *buf, size_t len)
{
	char	*copy;

	if (cfg->path == NULL)
		return "defaults";
	copy = xstrdup(cfg->path);
	snprintf(buf, len, "%s", basename(copy));
	free(copy);
	return buf;
}

static void
add_panes(struct console_state *cs, struct monitor *mon,
    const struct config *cfg)
{
	struct pane	*p;
	size_t		 i;

	for (i = 0; i < nitems(pane_kinds); i++) {
		cs->panes[i] = pane_kinds[i].create(mon, cfg);
		p = console_add_pane(pane_kinds[i].ops, cs->panes[i]);
		pane_kinds[i].attach(cs->panes[i], p);
	}
}

int
cmd_console(const char *config_path, const char *theme, bool read_only)
{
	struct console_state	 cs;
	struct console_opts	 opts;
	struct config		*cfg;
	struct monitor		*mon;
	struct loop		*loop;
	char			*cause = NULL, name[256];
	size_t			 i;
	int			 rc;
	bool			 placeholders;

	if (config_load(config_path, &cfg, &cause) != 0) {
		fprintf(stderr, "chops: %s\n", cause);
		free(cause);
		return EXIT_USAGE;
	}
	memset(&cs, 0, sizeof cs);
	loop = loop_new();
	/* the framework's screen tests run it with stand-in panes only */
	placeholders = getenv("CHOPS_PLACEHOLDER_PANES") != NULL;
	mon = monitor_new(loop, cfg, placeholders ? NULL : monitor_changed,
	    &cs);
	if (!placeholders)
		add_panes(&cs, mon, cfg);
	for (i = 0; i < cfg->n_warnings; i++)
		console_set_status(ROLE_WARN, "%s", cfg->warnings[i]);
	if (!placeholders)
		monitor_start(mon);
	memset(&opts, 0, sizeof opts);
	opts.loop = loop;
	opts.profile = profile_name(cfg, name, sizeof name);
	opts.theme = theme != NULL ? theme : cfg->ui.theme;
	opts.read_only = read_only || cfg->ui.read_only;
	rc = console_run(&opts);	/* frees the panes */
	loop_once(loop, -1, 0);		/* let cancelled requests finish */
	monitor_free(mon);
	loop_free(loop);
	config_free(cfg);
	return rc;
}
