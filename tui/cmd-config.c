/*
 * chops config [--reference]: which file is read and whether it loads (a
 * broken one: FILE:LINE and exit 3), or the reference of every option, which
 * needs no configuration at all (the man page is built from it).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "cmd.h"
#include "config.h"

static int	cmd_config_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_config_entry = {
	.name = "config",
	.usage = "[--reference]",
	.summary = "check the configuration, or print the option reference",
	.exec = cmd_config_exec,
	.no_config = true,
};

static void
print_summary(const struct config *cfg)
{
	size_t	i;

	printf("configuration: %s\n", cfg->path != NULL ? cfg->path :
	    "(no file: defaults and environment)");
	for (i = 0; i < cfg->clickhouse.n_urls; i++)
		printf("clickhouse:    %s (user %s, password %s)\n",
		    cfg->clickhouse.urls[i], cfg->clickhouse.user,
		    *cfg->clickhouse.password != '\0' ? "set" : "empty");
	printf("s3:            %s bucket %s prefix '%s' (credentials %s)\n",
	    cfg->s3.endpoint, cfg->s3.bucket, cfg->s3.prefix,
	    *cfg->s3.access_key != '\0' ? "set" : "not set");
	printf("prometheus:    %s\n", cfg->prometheus.url != NULL ?
	    cfg->prometheus.url : "(not set)");
	printf("kafka:         %s\n", cfg->kafka.source ==
	    KAFKA_SOURCE_PROMETHEUS ? "via prometheus" :
	    cfg->kafka.exporter_url);
	for (i = 0; i < cfg->n_plans; i++)
		printf("plan:          %s (%s, %s)\n", cfg->plans[i].name,
		    cfg->plans[i].table, cfg->plans[i].schedule ==
		    BACKUP_WEEKLY ? "weekly" : "daily");
	for (i = 0; i < cfg->n_warnings; i++)
		printf("warning:       %s\n", cfg->warnings[i]);
}

static int
check_config(const char *path)
{
	struct config	*cfg;
	char		*cause = NULL;

	if (config_load(path, &cfg, &cause) != 0) {
		fprintf(stderr, "chops: %s\n", cause);
		free(cause);
		return EXIT_USAGE;
	}
	print_summary(cfg);
	config_free(cfg);
	return EXIT_OK;
}

static int
cmd_config_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "reference", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	struct buf	b = BUF_INIT;
	int		c, reference = 0;

	while ((c = getopt_long(argc, argv, "r", longopts, NULL)) != -1) {
		if (c != 'r')
			return cmd_usage_error(&cmd_config_entry, "bad option");
		reference = 1;
	}
	if (optind != argc)
		return cmd_usage_error(&cmd_config_entry,
		    "unexpected argument '%s'", argv[optind]);
	if (reference) {
		config_reference(&b);
		fputs(buf_str(&b), stdout);
		buf_free(&b);
		return EXIT_OK;
	}
	return check_config(ctx->config_path);
}
