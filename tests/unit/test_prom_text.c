#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "prom_text.h"
#include "util.h"

#ifndef TEST_FIXTURES
#define TEST_FIXTURES "tests/fixtures"
#endif

/* Every sample in one canonical line; values as bits (locale-proof). */
struct collect {
	struct buf	out;
	int		n;
	int		stop_at;	/* stop after this many (0: never) */
};

static int
collect_cb(const struct prom_sample *sm, void *arg)
{
	struct collect	*c = arg;
	uint64_t	 bits;
	size_t		 i;

	memcpy(&bits, &sm->value, sizeof bits);
	buf_printf(&c->out, "%s|%s|%s|", sm->family, sm->name,
	    prom_type_name(sm->type));
	for (i = 0; i < sm->n_labels; i++) {
		buf_printf(&c->out, "%s=%s;", sm->labels[i].name,
		    sm->labels[i].value);
	}
	buf_printf(&c->out, "|%016llx", (unsigned long long)bits);
	if (sm->has_timestamp)
		buf_printf(&c->out, "@%lld", (long long)sm->timestamp_ms);
	buf_printf(&c->out, "#%llu\n", (unsigned long long)sm->line);
	c->n++;
	return c->stop_at != 0 && c->n >= c->stop_at;
}

static void
read_fixture(const char *rel, struct buf *b)
{
	char	 path[1024], chunk[8192];
	FILE	*f;
	size_t	 n;

	snprintf(path, sizeof path, "%s/%s", TEST_FIXTURES, rel);
	f = fopen(path, "rb");
	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(b, chunk, n);
	fclose(f);
}

/* Parses in chunks of `step` bytes (0: whole); returns the parser status. */
static int
parse_chunked(const char *data, size_t len, size_t step, struct collect *c,
    char **err)
{
	struct prom_parser	*p;
	size_t			 off = 0, n;
	int			 rc = 0;

	p = prom_parser_new(collect_cb, c);
	if (step == 0)
		step = len;
	while (rc == 0 && off < len) {
		n = len - off < step ? len - off : step;
		rc = prom_parser_feed(p, data + off, n);
		off += n;
	}
	if (rc == 0)
		rc = prom_parser_finish(p);
	*err = rc != 0 ? xstrdup(prom_parser_error(p)) : NULL;
	prom_parser_free(p);
	return rc;
}

/* The value of the sample line containing `needle`. */
static double
value_of(struct collect *c, const char *needle)
{
	const char	*s = buf_str(&c->out), *hit, *p;
	uint64_t	 bits;
	double		 v;
	int		 bars = 0;

	hit = strstr(s, needle);
	if (hit == NULL)
		fail_msg("no sample matches \"%s\"", needle);
	for (p = hit; p > s && p[-1] != '\n'; p--)
		;
	while (bars < 4) {
		if (*p++ == '|')
			bars++;
	}
	bits = strtoull(p, NULL, 16);
	memcpy(&v, &bits, sizeof v);
	return v;
}

static void
test_fixture_counts(void **state)
{
	struct buf	 in = BUF_INIT;
	struct collect	 c = { BUF_INIT, 0, 0 };
	char		*err;

	read_fixture("kafka_exporter/sample_t0.prom", &in);
	assert_int_equal(parse_chunked(in.data, in.len, 0, &c, &err), 0);
	assert_null(err);
	assert_int_equal(c.n, 171);
	/* summary parts join their family; the _sum gauge stands alone */
	assert_non_null(strstr(c.out.data, "go_gc_duration_seconds|"
	    "go_gc_duration_seconds_sum|summary||"));
	assert_non_null(strstr(c.out.data, "go_gc_duration_seconds|"
	    "go_gc_duration_seconds_count|summary||"));
	assert_non_null(strstr(c.out.data, "kafka_consumergroup_lag_sum|"
	    "kafka_consumergroup_lag_sum|gauge|consumergroup=audit_sink;"));
	assert_non_null(strstr(c.out.data, "process_cpu_seconds_total|"
	    "process_cpu_seconds_total|counter||"));
	assert_true(value_of(&c, "kafka_topic_partition_current_offset|"
	    "kafka_topic_partition_current_offset|gauge|partition=0;"
	    "topic=posting_data;") == 48213377.0);
	assert_true(value_of(&c, "|kafka_consumergroup_lag|gauge|"
	    "consumergroup=clickhouse_posting;partition=7;") == 18466.0);
	assert_true(value_of(&c, "|process_virtual_memory_max_bytes|") ==
	    1.8446744073709552e+19);
	assert_true(value_of(&c, "|go_gc_duration_seconds|summary|"
	    "quantile=1;") == 0.000913877);
	buf_free(&in);
	buf_free(&c.out);
}

static void
test_edge_cases(void **state)
{
	struct buf	 in = BUF_INIT;
	struct collect	 c = { BUF_INIT, 0, 0 };
	char		*err;
	const char	*o;

	read_fixture("prom/edge.prom", &in);
	assert_int_equal(parse_chunked(in.data, in.len, 0, &c, &err), 0);
	o = c.out.data;
	assert_int_equal(c.n, 20);
	assert_non_null(strstr(o, "http_requests_total|http_requests_total|"
	    "counter|method=post;code=400;|4008000000000000@1395066363000#5"));
	assert_non_null(strstr(o, "|path=C:\\DIR\\FILE.TXT;error=Cannot find "
	    "file:\n\"FILE.TXT\";|"));
	assert_true(value_of(&c, "|something_weird|") == INFINITY);
	assert_non_null(strstr(o, "|7ff0000000000000@-3982045#"));
	assert_non_null(strstr(o, "http_request_duration_seconds|"
	    "http_request_duration_seconds_bucket|histogram|le=+Inf;|"));
	assert_non_null(strstr(o, "rpc_duration_seconds|rpc_duration_seconds_"
	    "sum|summary||"));
	/* a summary has no buckets: that sample is its own family */
	assert_non_null(strstr(o, "rpc_duration_seconds_bucket|"
	    "rpc_duration_seconds_bucket|untyped||"));
	assert_true(value_of(&c, "|rpc_duration_seconds_sum|") == 17560473.0);
	assert_true(value_of(&c, "kafka_consumergroup_lag_sum|") ==
	    48213377.0);
	assert_true(isnan(value_of(&c, "|indented_metric|untyped|a=1;b=2;|")));
	assert_true(value_of(&c, "|empty_labels|untyped||") == -INFINITY);
	assert_true(value_of(&c, "|unicode_value|untyped|city=Zürich;|") ==
	    -0.0005);
	assert_non_null(strstr(o, "|tabbed|untyped|x=y;|401c000000000000@42#"));
	buf_free(&in);
	buf_free(&c.out);
}

static void
test_crlf_and_last_line(void **state)
{
	struct buf	 in = BUF_INIT;
	struct collect	 c = { BUF_INIT, 0, 0 };
	char		*err;

	read_fixture("prom/crlf.prom", &in);
	assert_int_equal(parse_chunked(in.data, in.len, 0, &c, &err), 0);
	assert_int_equal(c.n, 3);
	assert_non_null(strstr(c.out.data, "crlf_metric|crlf_metric|untyped|"
	    "a=b;|3ff0000000000000#1\n"));
	assert_non_null(strstr(c.out.data, "crlf_gauge|crlf_gauge|gauge||"));
	assert_non_null(strstr(c.out.data, "|no_final_newline|untyped||"
	    "4008000000000000#4\n"));
	buf_free(&in);
	buf_free(&c.out);
}

/* Any chunking gives exactly what a whole buffer gives. */
static void
test_chunked_identical(void **state)
{
	static const char *files[] = { "kafka_exporter/sample_t0.prom",
	    "kafka_exporter/sample_t1.prom", "prom/edge.prom",
	    "prom/crlf.prom", "prom/kafka_edge.prom" };
	static const size_t steps[] = { 1, 2, 3, 7, 64, 4093 };
	struct buf	 in = BUF_INIT;
	struct collect	 whole, part;
	char		*err;
	size_t		 f, s;

	for (f = 0; f < nitems(files); f++) {
		buf_reset(&in);
		read_fixture(files[f], &in);
		memset(&whole, 0, sizeof whole);
		assert_int_equal(parse_chunked(in.data, in.len, 0, &whole,
		    &err), 0);
		assert_true(whole.n > 0);
		for (s = 0; s < nitems(steps); s++) {
			memset(&part, 0, sizeof part);
			assert_int_equal(parse_chunked(in.data, in.len,
			    steps[s], &part, &err), 0);
			assert_int_equal(part.n, whole.n);
			assert_string_equal(buf_str(&part.out),
			    buf_str(&whole.out));
			buf_free(&part.out);
		}
		buf_free(&whole.out);
	}
	buf_free(&in);
}

/* Random damage: never a crash, and chunking never changes the outcome. */
static void
test_mutations(void **state)
{
	static const char junk[] = "{}=\",\\ \n\r#\t0e.-+aZ_:\xc3\xff";
	struct buf	 in = BUF_INIT, m = BUF_INIT;
	struct collect	 whole, part;
	char		*e1, *e2;
	int		 i, k, r1, r2;

	read_fixture("prom/edge.prom", &in);
	srandom(7);
	for (i = 0; i < 400; i++) {
		buf_reset(&m);
		buf_add(&m, in.data, in.len);
		for (k = 0; k < 1 + i % 4; k++)
			m.data[random() % m.len] = junk[random() %
			    (sizeof junk - 1)];
		memset(&whole, 0, sizeof whole);
		memset(&part, 0, sizeof part);
		r1 = parse_chunked(m.data, m.len, 0, &whole, &e1);
		r2 = parse_chunked(m.data, m.len, 1 + i % 13, &part, &e2);
		assert_int_equal(r1, r2);
		assert_int_equal(whole.n, part.n);
		assert_string_equal(buf_str(&whole.out), buf_str(&part.out));
		if (r1 != 0)
			assert_string_equal(e1, e2);
		free(e1);
		free(e2);
		buf_free(&whole.out);
		buf_free(&part.out);
	}
	buf_free(&in);
	buf_free(&m);
}

static const struct {
	const char	*input;
	const char	*error;		/* expected message, from the start */
} malformed[] = {
	{ "foo{a=\"b\" 1\n",
	  "line 1: expected ',' or '}' after the value of label \"a\", got '1'" },
	{ "ok 1\nfoo{a=\"b} 1\n",
	  "line 2: unterminated quoted value of label \"a\"" },
	{ "foo{a=\"\\x\"} 1\n",
	  "line 1: bad escape '\\' then 'x' in the value of label \"a\"" },
	{ "foo{a=\"b\\\n",
	  "line 1: unterminated escape in the value of label \"a\"" },
	{ "foo abc\n", "line 1: bad number \"abc\" as the value of foo" },
	{ "foo 1e\n", "line 1: bad number \"1e\"" },
	{ "foo 0x10\n", "line 1: bad number \"0x10\"" },
	{ "foo 1,5\n", "line 1: bad number \"1,5\"" },
	{ "foo 1 2 3\n",
	  "line 1: expected end of line after the timestamp of foo, got '3'" },
	{ "foo 1 abc\n", "line 1: bad timestamp \"abc\" for foo" },
	{ "foo 1 1.5\n", "line 1: bad timestamp \"1.5\"" },
	{ "foo 1 99999999999999999999\n", "line 1: bad timestamp" },
	{ "foo{a=\"1\",b=\"2\",a=\"3\"} 1\n",
	  "line 1: duplicate label name \"a\"" },
	{ "\n\n1foo 1\n", "line 3: expected a metric name or '#', got '1'" },
	{ "foo{1a=\"x\"} 1\n",
	  "line 1: expected a label name or '}' in the labels of foo, got '1'" },
	{ "foo{a\"x\"} 1\n",
	  "line 1: expected '=' after label name \"a\", got '\"'" },
	{ "foo{a=x} 1\n",
	  "line 1: expected '\"' to open the value of label \"a\", got 'x'" },
	{ "foo{,} 1\n", "line 1: expected a label name or '}'" },
	{ "foo{a=\"x\",,} 1\n", "line 1: expected a label name or '}'" },
	{ "foo{a=\"x\"\n", "line 1: expected ',' or '}' after the value of "
	  "label \"a\", got end of line" },
	{ "foo\n", "line 1: expected a value for foo" },
	{ "foo{} \n", "line 1: expected a value for foo" },
	{ "foo-bar 1\n",
	  "line 1: expected '{' or a blank after metric name foo, got '-'" },
	{ "foo{a=\"\xff\"} 1\n",
	  "line 1: the value of label \"a\" is not valid UTF-8" },
	{ "foo{a=\"\xc3\"} 1\n", "line 1: the value of label \"a\" is not" },
	{ "foo{a=\"\xed\xa0\x80\"} 1\n", "line 1: the value of label \"a\"" },
	{ "# TYPE foo gaugeish\n", "line 1: unknown metric type \"gaugeish\" "
	  "for foo (expected counter, gauge, summary, histogram or untyped)" },
	{ "# TYPE foo\n", "line 1: unknown metric type \"\" for foo" },
	{ "# TYPE\n", "line 1: expected a metric name after # TYPE" },
	{ "# HELP 9x help\n", "line 1: expected a metric name after # HELP" },
	{ "# TYPE foo gauge extra\n",
	  "line 1: expected end of line after # TYPE foo, got 'e'" },
	{ "a 1\nb 2\r\nc{x=\"y\"} 3 4\nd{\n", "line 4: expected a label name" },
};

static void
test_malformed(void **state)
{
	struct collect	 c;
	char		*err;
	size_t		 i, step;

	for (i = 0; i < nitems(malformed); i++) {
		for (step = 0; step <= 1; step++) {
			memset(&c, 0, sizeof c);
			if (parse_chunked(malformed[i].input,
			    strlen(malformed[i].input), step, &c, &err) == 0)
				fail_msg("no error for input %zu", i);
			if (strncmp(err, malformed[i].error,
			    strlen(malformed[i].error)) != 0) {
				fail_msg("input %zu: got \"%s\", expected "
				    "\"%s\"", i, err, malformed[i].error);
			}
			free(err);
			buf_free(&c.out);
		}
	}
}

/* After the first error, nothing more is parsed or reported. */
static void
test_error_is_sticky(void **state)
{
	struct collect		 c = { BUF_INIT, 0, 0 };
	struct prom_parser	*p;

	p = prom_parser_new(collect_cb, &c);
	assert_int_equal(prom_parser_feed(p, "a 1\nb x\nc 3\n", 12), -1);
	assert_int_equal(c.n, 1);
	assert_int_equal(prom_parser_feed(p, "d 4\n", 4), -1);
	assert_int_equal(prom_parser_finish(p), -1);
	assert_int_equal(c.n, 1);
	assert_string_equal(prom_parser_error(p),
	    "line 2: bad number \"x\" as the value of b");
	prom_parser_reset(p);
	assert_null(prom_parser_error(p));
	assert_int_equal(prom_parser_feed(p, "d 4\n", 4), 0);
	assert_int_equal(prom_parser_finish(p), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(prom_parser_samples(p), 1);
	assert_int_equal(prom_parser_lines(p), 1);
	prom_parser_free(p);
	buf_free(&c.out);
}

static void
test_callback_stops(void **state)
{
	struct collect	 c = { BUF_INIT, 0, 2 };
	char		*err;

	assert_int_equal(parse_chunked("a 1\nb 2\nc 3\n", 12, 0, &c, &err),
	    -1);
	assert_int_equal(c.n, 2);
	assert_string_equal(err, "line 2: stopped by the caller");
	free(err);
	buf_free(&c.out);
}

static void
test_long_line(void **state)
{
	struct collect	 c;
	struct buf	 in = BUF_INIT;
	char		*err;
	size_t		 step;

	buf_addstr(&in, "ok 1\n");
	buf_reserve(&in, PROM_MAX_LINE + 100);
	memset(in.data + in.len, 'a', PROM_MAX_LINE + 1);
	in.len += PROM_MAX_LINE + 1;
	buf_addstr(&in, " 1\n");
	for (step = 0; step <= 4096; step += 4096) {
		memset(&c, 0, sizeof c);
		assert_int_equal(parse_chunked(in.data, in.len, step, &c,
		    &err), -1);
		assert_string_equal(err, "line 2: line longer than 1048576 "
		    "bytes");
		assert_int_equal(c.n, 1);
		free(err);
		buf_free(&c.out);
	}
	/* just under the limit is fine */
	buf_reset(&in);
	buf_reserve(&in, PROM_MAX_LINE);
	memset(in.data, 'b', PROM_MAX_LINE - 3);
	in.len = PROM_MAX_LINE - 3;
	buf_addstr(&in, " 1\n");
	memset(&c, 0, sizeof c);
	assert_int_equal(parse_chunked(in.data, in.len, 1000, &c, &err), 0);
	assert_int_equal(c.n, 1);
	buf_free(&c.out);
	buf_free(&in);
}

static void
test_sample_label_and_types(void **state)
{
	struct prom_label	l[2] = { { "a", "1" }, { "b", "2" } };
	struct prom_sample	sm;

	memset(&sm, 0, sizeof sm);
	sm.labels = l;
	sm.n_labels = 2;
	assert_string_equal(prom_sample_label(&sm, "b"), "2");
	assert_null(prom_sample_label(&sm, "c"));
	assert_string_equal(prom_type_name(PROM_HISTOGRAM), "histogram");
	assert_string_equal(prom_type_name(PROM_UNTYPED), "untyped");
}

/* The fast path must give exactly what strtod gives. */
static void
test_number_exactness(void **state)
{
	static const char *fixed[] = { "0", "-0", "1", "+1", "4.8213377e+07",
	    "2.1431e-05", "0.000913877", "1.7721043914817326e+09", "1e22",
	    "1e23", "9007199254740993", "123456789012345678901234",
	    "1.8446744073709552e+19", ".5", "5.", "1E3", "0.1", "3.14159",
	    "1e-400", "1e400", "00000000000000000000000012.5" };
	char	 s[64];
	double	 a, b;
	size_t	 i;

	for (i = 0; i < nitems(fixed); i++) {
		assert_int_equal(prom_parse_double(fixed[i], strlen(fixed[i]),
		    &a), 0);
		b = strtod(fixed[i], NULL);
		if (memcmp(&a, &b, sizeof a) != 0)
			fail_msg("%s: %.17g != %.17g", fixed[i], a, b);
	}
	srandom(42);
	for (i = 0; i < 200000; i++) {
		snprintf(s, sizeof s, "%s%ld.%lde%d", random() % 2 ? "-" : "",
		    random() % 100000000, random() % 10000000,
		    (int)(random() % 60) - 30);
		assert_int_equal(prom_parse_double(s, strlen(s), &a), 0);
		b = strtod(s, NULL);
		if (memcmp(&a, &b, sizeof a) != 0)
			fail_msg("%s: %.17g != %.17g", s, a, b);
	}
	assert_int_equal(prom_parse_double("NaN", 3, &a), 0);
	assert_true(isnan(a));
	assert_int_equal(prom_parse_double("-Inf", 4, &a), 0);
	assert_true(isinf(a) && a < 0);
	assert_int_equal(prom_parse_double("", 0, &a), -1);
	assert_int_equal(prom_parse_double("-", 1, &a), -1);
	assert_int_equal(prom_parse_double("1e+", 3, &a), -1);
	assert_int_equal(prom_parse_double("1.2.3", 5, &a), -1);
}

/*
 * A decimal-comma locale, made with localedef in a temp dir when none is
 * installed (glibc reads LOCPATH at each setlocale). NULL if impossible.
 */
static const char *
comma_locale(char *dir, size_t size)
{
	static const char *names[] = { "de_DE.UTF-8", "de_DE.utf8", "de_DE",
	    "fr_FR.UTF-8", "fr_FR.utf8", "nl_NL.UTF-8", "ru_RU.UTF-8" };
	static const char def[] = "LC_NUMERIC\ndecimal_point \"<U002C>\"\n"
	    "thousands_sep \"<U002E>\"\ngrouping 3;3\nEND LC_NUMERIC\n";
	char	 cmd[1200];
	FILE	*f;
	size_t	 i;

	for (i = 0; i < nitems(names); i++) {
		if (setlocale(LC_NUMERIC, names[i]) != NULL &&
		    strcmp(localeconv()->decimal_point, ",") == 0)
			return names[i];
	}
	snprintf(dir, size, "%s/chops-locale-XXXXXX", getenv("TMPDIR") != NULL ?
	    getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return NULL;
	snprintf(cmd, sizeof cmd, "%s/comma.def", dir);
	if ((f = fopen(cmd, "w")) == NULL)
		return NULL;
	fputs(def, f);
	fclose(f);
	snprintf(cmd, sizeof cmd, "localedef -c -i %s/comma.def -f "
	    "ANSI_X3.4-1968 %s/xx_COMMA >/dev/null 2>&1", dir, dir);
	if (system(cmd) == -1)
		return NULL;
	setenv("LOCPATH", dir, 1);
	if (setlocale(LC_NUMERIC, "xx_COMMA") != NULL &&
	    strcmp(localeconv()->decimal_point, ",") == 0)
		return "xx_COMMA (generated)";
	return NULL;
}

/* A decimal-comma locale must not change how numbers are read. */
static void
test_locale_independent(void **state)
{
	static const char in[] = "a 1.5\nb 4.8213377e+07\n"
	    "c 1.7721043914817326e+09\nd{x=\"1,5\"} 0.25 17\n";
	struct collect	 c = { BUF_INIT, 0, 0 };
	const char	*found;
	char		*err, dir[512] = "", cmd[600];

	found = comma_locale(dir, sizeof dir);
	if (*dir != '\0') {
		unsetenv("LOCPATH");
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			print_message("could not remove %s\n", dir);
	}
	if (found == NULL) {
		setlocale(LC_NUMERIC, "C");
		print_message("no decimal-comma locale: skipped\n");
		skip();
	}
	assert_true(strtod("1.5", NULL) != 1.5);	/* the trap is armed */
	assert_int_equal(parse_chunked(in, sizeof in - 1, 0, &c, &err), 0);
	setlocale(LC_NUMERIC, "C");
	assert_int_equal(c.n, 4);
	assert_true(value_of(&c, "|a|") == 1.5);
	assert_true(value_of(&c, "|b|") == 48213377.0);
	assert_true(value_of(&c, "|c|") == 1772104391.4817326);
	assert_true(value_of(&c, "|d|") == 0.25);
	buf_free(&c.out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_counts),
		cmocka_unit_test(test_edge_cases),
		cmocka_unit_test(test_crlf_and_last_line),
		cmocka_unit_test(test_chunked_identical),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_error_is_sticky),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_sample_label_and_types),
		cmocka_unit_test(test_number_exactness),
		cmocka_unit_test(test_locale_independent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
