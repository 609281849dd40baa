/*
 * libFuzzer harness for the Prometheus HTTP API reply parsers: query
 * replies (every result type), target lists, and error envelopes, each
 * read as an answer with a 2xx and with an error status. A vector that
 * parses also goes through the lag builder, as lag_fetch_prometheus does.
 *
 *	clang -fsanitize=fuzzer,address ... tests/fuzz/fuzz_prom_api.c
 *	gcc ... tests/fuzz/fuzz_prom_api.c tests/fuzz/driver.c (replay)
 *
 * Beyond "no crash, no leak": a reply is PROM_OK exactly when the parser
 * says 0, carries an error message exactly when it is not OK, and holds
 * what its type promises.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lag.h"
#include "prom_api.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_reply(const struct prom_reply *r, int rc)
{
	size_t	i, j;

	if ((rc == 0) != (r->status == PROM_OK) ||
	    (r->status == PROM_OK) != (r->error == NULL))
		abort();
	if (r->status == PROM_ERR_API && r->error_type == NULL)
		abort();
	for (i = 0; i < r->n_warnings; i++) {
		if (r->warnings[i] == NULL)
			abort();
	}
	if (r->status != PROM_OK)
		return;
	if (r->type == PROM_RESULT_STRING && r->string == NULL)
		abort();
	if (r->type == PROM_RESULT_SCALAR &&
	    (r->n_series != 1 || r->series[0].n_points != 1))
		abort();
	for (i = 0; i < r->n_series; i++) {
		for (j = 0; j < r->series[i].n_labels; j++) {
			if (r->series[i].labels[j].name == NULL ||
			    r->series[i].labels[j].value == NULL)
				abort();
		}
		if (r->type == PROM_RESULT_VECTOR &&
		    r->series[i].n_points > 1)
			abort();
	}
	for (i = 0; i < r->n_targets; i++) {
		if (r->targets[i].job == NULL ||
		    r->targets[i].instance == NULL ||
		    r->targets[i].last_error == NULL ||
		    r->targets[i].scrape_url == NULL)
			abort();
		(void)prom_target_label(&r->targets[i], "job");
	}
}

static void
check_lag(const struct prom_reply *r)
{
	struct lag_builder	*b;
	struct lag_snapshot	*s;
	size_t			 i;

	if (r->status != PROM_OK || r->type != PROM_RESULT_VECTOR)
		return;
	b = lag_builder_new();
	for (i = 0; i < r->n_series; i++)
		lag_builder_add_series(b, &r->series[i]);
	s = lag_builder_finish(b, 0);
	lag_snapshot_free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long	 statuses[] = { 200, 422, 503 };
	const char		*body = (const char *)data;
	struct prom_reply	*r;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
		r = calloc(1, sizeof *r);
		if (r == NULL)
			abort();
		rc = prom_reply_parse_query(r, statuses[i], body, size);
		check_reply(r, rc);
		check_lag(r);
		prom_reply_free(r);

		r = calloc(1, sizeof *r);
		if (r == NULL)
			abort();
		rc = prom_reply_parse_targets(r, statuses[i], body, size);
		check_reply(r, rc);
		prom_reply_free(r);
	}
	return 0;
}
