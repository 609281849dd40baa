/*
 * chops audit [--days N] [--limit N] [--json]: the audit trail, this
 * host's records merged with the team's from the bucket, newest first.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "cmd.h"
#include "config.h"
#include "loop.h"
#include "s3.h"
#include "util.h"

static int	cmd_audit_exec(struct cmd_ctx *, int, char **);

const struct cmd_entry cmd_audit_entry = {
	.name = "audit",
	.usage = "[--days N] [--limit N] [--json]",
	.summary = "who did what: the audit trail, local and shared",
	.exec = cmd_audit_exec,
};

static int
audit_number(const char *s, long long max, int *out)
{
	long long	n;

	if (util_strtoll(s, strlen(s), &n) != 0 || n < 1 || n > max)
		return -1;
	*out = (int)n;
	return 0;
}

static int
audit_parse_args(int argc, char **argv, struct audit_read_opts *o,
    int *json)
{
	static const struct option longopts[] = {
		{ "days", required_argument, NULL, 'd' },
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int	c, n;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (audit_number(optarg, 366, &o->days) != 0)
				return cmd_usage_error(&cmd_audit_entry,
				    "--days is 1 to 366");
			break;
		case 'l':
			if (audit_number(optarg, 100000, &n) != 0)
				return cmd_usage_error(&cmd_audit_entry,
				    "--limit is 1 to 100000");
			o->limit = (size_t)n;
			break;
		case 'j': *json = 1; break;
		default:
			return cmd_usage_error(&cmd_audit_entry, "bad option");
		}
	}
	if (optind != argc)
		return cmd_usage_error(&cmd_audit_entry,
		    "unexpected argument '%s'", argv[optind]);
	return 0;
}

static cJSON *
audit_list_json(const struct audit_list *l)
{
	cJSON	*root = cJSON_CreateObject(), *a, *r;
	char	*text;
	size_t	 i;

	a = cJSON_AddArrayToObject(root, "records");
	for (i = 0; i < l->n; i++) {
		text = audit_rec_json(l->recs[i]);
		r = cJSON_Parse(text);
		cJSON_AddBoolToObject(r, "shared", l->recs[i]->shared);
		cJSON_AddItemToArray(a, r);
		free(text);
	}
	if (l->warning != NULL)
		cJSON_AddStringToObject(root, "warning", l->warning);
	else
		cJSON_AddNullToObject(root, "warning");
	return root;
}

static void
audit_print_text(const struct audit_list *l)
{
	const struct audit_rec	*r;
	char			 at[32], took[32];
	size_t			 i;

	for (i = 0; i < l->n; i++) {
		r = l->recs[i];
		util_fmt_iso8601(at, sizeof at, r->at_ms);
		util_fmt_duration(took, sizeof took, r->duration_ms);
		printf("%s  %-22s %-8s %-9s %s (%s)%s%s\n", at, r->who,
		    r->action, r->result, r->target != NULL ? r->target : "-",
		    took, r->error != NULL ? ": " : "",
		    r->error != NULL ? r->error : "");
	}
	if (l->n == 0)
		printf("no actions recorded in that time\n");
	if (l->warning != NULL)
		fprintf(stderr, "chops: warning: %s\n", l->warning);
}

static int
cmd_audit_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct audit_read_opts	 o;
	struct audit_list	 l;
	struct s3_client	*s3 = NULL;
	cJSON			*root;
	char			*text;
	int			 json = 0;

	memset(&o, 0, sizeof o);
	if (audit_parse_args(argc, argv, &o, &json) != 0)
		return EXIT_USAGE;
	if (ctx->cfg->s3.bucket != NULL && *ctx->cfg->s3.bucket != '\0')
		s3 = s3_new(ctx->loop, &ctx->cfg->s3);
	memset(&l, 0, sizeof l);
	audit_read(ctx->loop, s3, &o, &l);
	if (json) {
		root = audit_list_json(&l);
		text = cJSON_Print(root);
		printf("%s\n", text);
		cJSON_free(text);
		cJSON_Delete(root);
	} else
		audit_print_text(&l);
	audit_list_clear(&l);
	s3_free(s3);
	return EXIT_OK;
}
