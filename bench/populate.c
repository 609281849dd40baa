/*
 * bench/populate: fills a prefix with many small objects for the listing
 * benchmark, with chops' S3 client on the event loop: up to --inflight PUTs
 * at once over reused connections (radosgw is the bottleneck, not us).
 *
 *   populate --config FILE --prefix PREFIX --count N [--per-dir M]
 *            [--inflight K] [--start I] [--progress]
 *
 * Keys are PREFIX dNNNN/obj-NNNNNNN.dat, M objects a "directory" (default
 * 1000), like a bucket of daily backups. Object i holds 64 + (i * 7919) % 961
 * bytes, so the byte total is known in advance: listing it must find
 * exactly what this printed. Keys and bodies depend only on i, so a second
 * run overwrites the same objects (--start I resumes at object I).
 * --progress prints a line on stderr every 10,000 objects.
 *
 * Output, on success (exit 0):
 *
 *   objects 100000 bytes 54123456 seconds 71.3
 *
 * Endpoint, bucket and credentials come from the [s3] section of a chops
 * configuration file. Exit 1 on any failed PUT (after the client's
 * retries), 2 on bad usage.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "loop.h"
#include "s3.h"

struct pop {
	struct s3_client	*c;
	const char		*prefix;
	uint64_t		 next;		/* next object to start */
	uint64_t		 end;
	int			 per_dir;
	int			 inflight;
	int			 running;
	uint64_t		 done;
	uint64_t		 bytes;
	int			 failed;	/* stop starting new PUTs */
	int			 finished;	/* loop_run_until flag */
	int			 progress;	/* a line on stderr every 10,000 */
	char			 body[1100];
};

static size_t
obj_size(uint64_t i)
{
	return 64 + (size_t)((i * 7919) % 961);
}

static void	pop_fill(struct pop *);

static void
put_done(struct s3_op *op, const struct s3_error *e, void *arg)
{
	struct pop	*p = arg;

	p->running--;
	if (p->progress && e == NULL && (p->done + 1) % 10000 == 0)
		fprintf(stderr, "populate: %" PRIu64 " objects\n", p->done + 1);
	if (e != NULL) {
		if (!p->failed)
			fprintf(stderr, "populate: %s\n", e->message != NULL ?
			    e->message : "PUT failed");
		p->failed = 1;
	} else
		p->done++;
	s3_op_free(op);
	pop_fill(p);
}

/* Starts PUTs until --inflight are running or every object is started. */
static void
pop_fill(struct pop *p)
{
	char		 key[1200];
	uint64_t	 i;
	size_t		 len, klen;

	while (!p->failed && p->running < p->inflight && p->next < p->end) {
		i = p->next++;
		len = obj_size(i);
		snprintf(key, sizeof key, "%sd%04" PRIu64 "/obj-%07" PRIu64
		    ".dat", p->prefix, i / (uint64_t)p->per_dir, i);
		/* the body names its object: no two objects are the same */
		klen = strlen(key);
		if (klen > len - 1)
			klen = len - 1;
		memset(p->body, 'a' + (int)(i % 26), len);
		memcpy(p->body, key, klen);
		p->body[len - 1] = '\n';
		p->bytes += len;
		p->running++;
		if (s3_put_start(p->c, key, p->body, len, NULL, put_done,
		    p) == NULL) {
			p->running--;
			p->failed = 1;
		}
	}
	if (p->running == 0 && (p->failed || p->next >= p->end))
		p->finished = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: populate --config FILE --prefix PREFIX "
	    "--count N [--per-dir M] [--inflight K] [--start I] [--progress]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' },
		{ "per-dir", required_argument, NULL, 'd' },
		{ "inflight", required_argument, NULL, 'k' },
		{ "start", required_argument, NULL, 's' },
		{ "progress", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	const char		*path = NULL;
	struct config		*cfg;
	struct loop		*loop;
	struct pop		 p;
	struct timespec		 t0, t1;
	char			*cause = NULL;
	long long		 count = -1, start = 0;
	int			 ch;

	memset(&p, 0, sizeof p);
	p.per_dir = 1000;
	p.inflight = 32;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'p': p.prefix = optarg; break;
		case 'n': count = atoll(optarg); break;
		case 'd': p.per_dir = atoi(optarg); break;
		case 'k': p.inflight = atoi(optarg); break;
		case 's': start = atoll(optarg); break;
		case 'P': p.progress = 1; break;
		default: usage();
		}
	}
	if (path == NULL || p.prefix == NULL || count < 0 || start < 0 ||
	    p.per_dir < 1 || p.inflight < 1 || optind != argc)
		usage();
	if (config_load(path, &cfg, &cause) != 0) {
		fprintf(stderr, "populate: %s\n", cause);
		free(cause);
		return 1;
	}
	loop = loop_new();
	p.c = s3_new(loop, &cfg->s3);
	p.next = (uint64_t)start;
	p.end = (uint64_t)count;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pop_fill(&p);
	loop_run_until(loop, &p.finished);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!p.failed)
		printf("objects %" PRIu64 " bytes %" PRIu64 " seconds %.1f\n",
		    p.done, p.bytes, (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	s3_free(p.c);
	loop_free(loop);
	config_free(cfg);
	return p.failed ? 1 : 0;
}
