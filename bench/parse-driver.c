/*
 * bench/parse-driver: parses a Prometheus text exposition (a kafka_exporter
 * /metrics page) with chops' streaming parser (core/prom_text.h), reading it
 * in 64 KiB chunks the way a scrape arrives, and prints what it saw.
 *
 *   parse-driver [FILE]        (no FILE or "-": standard input)
 *
 * Output, on success (exit 0):
 *
 *   samples 990000 lines 1000000 bytes 98765432 lag_sum 1.234e+09
 *
 * lag_sum adds up every kafka_consumergroup_lag sample, so the values are
 * really used (the console does the same arithmetic). Exit 1 on a read or
 * parse error (message on stderr), 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prom_text.h"

#define CHUNK	(64 * 1024)

struct tally {
	double		lag_sum;
};

static int
on_sample(const struct prom_sample *s, void *arg)
{
	struct tally	*t = arg;

	if (strcmp(s->name, "kafka_consumergroup_lag") == 0)
		t->lag_sum += s->value;
	return 0;
}

int
main(int argc, char **argv)
{
	struct prom_parser	*p;
	struct tally		 t = { 0 };
	static char		 buf[CHUNK];
	const char		*path = argc > 1 ? argv[1] : "-";
	uint64_t		 bytes = 0;
	ssize_t			 n;
	int			 fd, rc = 0;

	if (argc > 2) {
		fprintf(stderr, "usage: parse-driver [FILE]\n");
		return 2;
	}
	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY)) == -1) {
		fprintf(stderr, "parse-driver: %s: %s\n", path,
		    strerror(errno));
		return 1;
	}
	p = prom_parser_new(on_sample, &t);
	for (;;) {
		n = read(fd, buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			fprintf(stderr, "parse-driver: read: %s\n",
			    strerror(errno));
			rc = 1;
			break;
		}
		if (n == 0)
			break;
		bytes += (uint64_t)n;
		if (prom_parser_feed(p, buf, (size_t)n) != 0)
			break;
	}
	if (rc == 0 && prom_parser_finish(p) != 0) {
		fprintf(stderr, "parse-driver: %s\n", prom_parser_error(p));
		rc = 1;
	}
	if (rc == 0)
		printf("samples %" PRIu64 " lines %" PRIu64 " bytes %" PRIu64
		    " lag_sum %.17g\n", prom_parser_samples(p),
		    prom_parser_lines(p), bytes, t.lag_sum);
	prom_parser_free(p);
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}
