/* chops status [--json]: every configured source checked once. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "cmd.h"
#include "monitor.h"
#include "status.h"

static int	cmd_status_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.usage = "[--json]",
	.summary = "check every source once and print a summary",
	.exec = cmd_status_exec,
};

static int
cmd_status_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct monitor		*mon;
	struct buf		 out = BUF_INIT;
	enum status_level	 level;
	cJSON			*json;
	char			*text;
	int			 c, as_json = 0;

	while ((c = getopt_long(argc, argv, "j", longopts, NULL)) != -1) {
		if (c != 'j')
			return cmd_usage_error(&cmd_status_entry, "bad option");
		as_json = 1;
	}
	if (optind != argc)
		return cmd_usage_error(&cmd_status_entry,
		    "unexpected argument '%s'", argv[optind]);

	mon = monitor_new(ctx->loop, ctx->cfg, NULL, NULL);
	monitor_refresh(mon, MON_ALL);
	monitor_wait(mon);
	level = status_evaluate(mon, NULL);
	if (as_json) {
		json = status_json(mon);
		text = cJSON_Print(json);
		printf("%s\n", text);
		free(text);
		cJSON_Delete(json);
	} else {
		status_text(mon, &out);
		fputs(buf_str(&out), stdout);
		buf_free(&out);
	}
	monitor_free(mon);
	return (int)level;
}
