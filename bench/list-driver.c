/*
 * bench/list-driver: lists every object under a prefix with chops' S3 client
 * (core/s3.h s3_list: ListObjectsV2 pages parsed by expat as they stream in)
 * and prints how many objects and bytes it saw. The benchmark's stand-in for
 * what chops does when it lists a bucket.
 *
 *   list-driver --config FILE --prefix PREFIX [--max-keys N]
 *
 * The endpoint, bucket and credentials come from the [s3] section of a chops
 * configuration file (never from argv). PREFIX is a full key prefix: the
 * configured s3.prefix is not added. Output, on success (exit 0):
 *
 *   objects 100000 bytes 52428800
 *
 * Exit 1 on any error (message on stderr), 2 on bad usage.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "loop.h"
#include "s3.h"

struct tally {
	uint64_t	objects;
	uint64_t	bytes;
};

static int
count_item(void *arg, const struct s3_item *it)
{
	struct tally	*t = arg;

	if (it->kind == S3_ITEM_OBJECT) {
		t->objects++;
		t->bytes += it->size;
	}
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: list-driver --config FILE --prefix PREFIX "
	    "[--max-keys N]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "max-keys", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	const char		*path = NULL, *prefix = NULL;
	struct config		*cfg;
	struct loop		*loop;
	struct s3_client	*c;
	struct s3_list_opts	 lo;
	struct s3_error		 e;
	struct tally		 t = { 0, 0 };
	char			*cause = NULL;
	int			 ch, max_keys = 0, rc;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'p': prefix = optarg; break;
		case 'k': max_keys = atoi(optarg); break;
		default: usage();
		}
	}
	if (path == NULL || prefix == NULL || optind != argc)
		usage();
	if (config_load(path, &cfg, &cause) != 0) {
		fprintf(stderr, "list-driver: %s\n", cause);
		free(cause);
		return 1;
	}
	loop = loop_new();
	c = s3_new(loop, &cfg->s3);
	memset(&lo, 0, sizeof lo);
	lo.prefix = prefix;
	lo.max_keys = max_keys;
	memset(&e, 0, sizeof e);
	rc = s3_list(c, &lo, count_item, &t, &e);
	if (rc != 0)
		fprintf(stderr, "list-driver: %s\n", e.message != NULL ?
		    e.message : "listing failed");
	else
		printf("objects %" PRIu64 " bytes %" PRIu64 "\n", t.objects,
		    t.bytes);
	s3_error_clear(&e);
	s3_free(c);
	loop_free(loop);
	config_free(cfg);
	return rc == 0 ? 0 : 1;
}
