/*
 * A standalone driver for libFuzzer harnesses: runs LLVMFuzzerTestOneInput
 * over files and directories (recursively, in name order), so harnesses
 * build with any compiler and a seed corpus is replayed in `make check`
 * without clang.
 *
 * usage: fuzz_NAME [-m mutations] [-s seed] [path ...]
 *
 * -m N also runs every input N times mutated (byte flips, inserts of
 * format tokens, deletions, duplications, truncations): deterministic for
 * a seed, cheap, without coverage feedback. Without paths the driver reads
 * FUZZ_CORPUS, the ':'-separated paths it was built with, if any, else
 * stdin ("-"). FUZZ_MUTATIONS sets the default for -m.
 *
 * Each input is copied into a buffer of exactly its size, so an over-read
 * by one byte is an ASan or valgrind error.
 */

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef FUZZ_MUTATIONS
#define FUZZ_MUTATIONS	0
#endif
#define FUZZ_MAX_INPUT	(4 * 1024 * 1024)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char	*tokens[] = {
	"\n", "\r\n", "\"", "\\", "\\n", "{", "}", ",", "=", " ", "#",
	"# TYPE ", "# HELP ", "NaN", "+Inf", "-Inf", "-1", "1e308", "0x1p3", "9999999999",
	"[", "]", ":", "null", "true", "\"status\":\"success\"",
	"\"resultType\":\"vector\"", "\"result\":[]", "\"data\":{",
	"kafka_consumergroup_lag", "consumergroup=\"g\"", "partition=\"0\"",
	"topic=\"t\"", "\n---\n", "\xc3\xa9", "\0",
};

static uint64_t	rng = 0x2545f4914f6cdd1dULL;
static long	mutations = FUZZ_MUTATIONS;
static size_t	n_inputs, n_runs;

static uint64_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Runs the harness on an exact-size copy. */
static void
run(const unsigned char *data, size_t len)
{
	unsigned char	*copy = malloc(len > 0 ? len : 1);

	if (copy == NULL)
		abort();
	if (len > 0)
		memcpy(copy, data, len);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	n_runs++;
}

/* One mutation of in[0..len) into out (room for len + 64); new length. */
static size_t
mutate(const unsigned char *in, size_t len, unsigned char *out)
{
	const char	*tok;
	size_t		 at, n, tlen;

	memcpy(out, in, len);
	at = len > 0 ? next_rand() % len : 0;
	switch (next_rand() % 6) {
	case 0:		/* flip bits */
		if (len > 0)
			out[at] ^= (unsigned char)(1 + next_rand() % 255);
		return len;
	case 1:		/* a token */
		tok = tokens[next_rand() % (sizeof tokens / sizeof tokens[0])];
		tlen = *tok == '\0' ? 1 : strlen(tok);
		memmove(out + at + tlen, out + at, len - at);
		memcpy(out + at, tok, tlen);
		return len + tlen;
	case 2:		/* delete */
		n = len - at < 16 ? len - at : 1 + next_rand() % 16;
		memmove(out + at, out + at + n, len - at - n);
		return len - n;
	case 3:		/* duplicate */
		n = len - at < 32 ? len - at : 1 + next_rand() % 32;
		memmove(out + at + n, out + at, len - at);
		return len + n;
	case 4:		/* truncate */
		return at;
	default:	/* a random byte */
		memmove(out + at + 1, out + at, len - at);
		out[at] = (unsigned char)next_rand();
		return len + 1;
	}
}

static void
run_input(const unsigned char *data, size_t len)
{
	unsigned char	*a, *b, *t;
	size_t		 alen;
	long		 i;

	n_inputs++;
	run(data, len);
	if (mutations <= 0)
		return;
	/* at most 8 stacked mutations of at most 64 bytes each */
	a = malloc(len + 9 * 64);
	b = malloc(len + 9 * 64);
	if (a == NULL || b == NULL)
		abort();
	memcpy(a, data, len);
	alen = len;
	for (i = 0; i < mutations; i++) {
		/* mutations stack up, restarting from the seed now and then */
		if (i % 8 == 0) {
			memcpy(a, data, len);
			alen = len;
		}
		alen = mutate(a, alen, b);
		t = a;
		a = b;
		b = t;
		run(a, alen);
	}
	free(a);
	free(b);
}

static int
read_all(FILE *f, const char *name, unsigned char **data, size_t *len)
{
	size_t	cap = 65536, n;

	*len = 0;
	if ((*data = malloc(cap)) == NULL)
		abort();
	while ((n = fread(*data + *len, 1, cap - *len, f)) > 0) {
		*len += n;
		if (*len > FUZZ_MAX_INPUT) {
			fprintf(stderr, "%s: larger than %d bytes\n", name,
			    FUZZ_MAX_INPUT);
			free(*data);
			return -1;
		}
		if (*len == cap && (*data = realloc(*data, cap *= 2)) == NULL)
			abort();
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: %s\n", name, strerror(errno));
		free(*data);
		return -1;
	}
	return 0;
}

static int
run_file(const char *path)
{
	unsigned char	*data;
	size_t		 len;
	FILE		*f;
	int		 rc;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	rc = read_all(f, path, &data, &len);
	fclose(f);
	if (rc == 0) {
		run_input(data, len);
		free(data);
	}
	return rc;
}

static int
run_stdin(void)
{
	unsigned char	*data;
	size_t		 len;

	if (read_all(stdin, "stdin", &data, &len) != 0)
		return -1;
	run_input(data, len);
	free(data);
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int	run_path(const char *);

static int
run_dir(const char *path)
{
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL, *full;
	size_t		 n = 0, i;
	int		 rc = 0;

	if ((d = opendir(path)) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((names = realloc(names, (n + 1) * sizeof *names)) == NULL ||
		    (names[n] = strdup(de->d_name)) == NULL)
			abort();
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof *names, name_cmp);
	for (i = 0; i < n; i++) {
		if (asprintf(&full, "%s/%s", path, names[i]) == -1)
			abort();
		if (run_path(full) != 0)
			rc = -1;
		free(full);
		free(names[i]);
	}
	free(names);
	return rc;
}

static int
run_path(const char *path)
{
	struct stat	st;

	if (strcmp(path, "-") == 0)
		return run_stdin();
	if (stat(path, &st) != 0) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	return S_ISDIR(st.st_mode) ? run_dir(path) : run_file(path);
}

#ifdef FUZZ_CORPUS
static int
run_list(const char *list)
{
	char	*copy, *p, *path;
	int	 rc = 0;

	if ((copy = strdup(list)) == NULL)
		abort();
	for (p = copy; (path = strsep(&p, ":")) != NULL;) {
		if (*path != '\0' && run_path(path) != 0)
			rc = -1;
	}
	free(copy);
	return rc;
}
#endif

int
main(int argc, char **argv)
{
	const char	*prog = argv[0];
	char		*end;
	int		 ch, rc = 0, i;

	while ((ch = getopt(argc, argv, "m:s:")) != -1) {
		switch (ch) {
		case 'm':
			mutations = strtol(optarg, &end, 10);
			if (*end != '\0' || mutations < 0 || mutations > 100000)
				goto usage;
			break;
		case 's':
			rng = strtoull(optarg, &end, 10);
			if (*end != '\0')
				goto usage;
			if (rng == 0)
				rng = 1;	/* xorshift needs a bit */
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;

	if (argc == 0) {
#ifdef FUZZ_CORPUS
		rc = run_list(FUZZ_CORPUS);
#else
		rc = run_path("-");
#endif
	}
	for (i = 0; i < argc; i++) {
		if (run_path(argv[i]) != 0)
			rc = -1;
	}
	if (n_inputs == 0) {
		fprintf(stderr, "no inputs\n");
		return 1;
	}
	printf("%zu input%s, %zu run%s: ok\n", n_inputs,
	    n_inputs == 1 ? "" : "s", n_runs, n_runs == 1 ? "" : "s");
	return rc == 0 ? 0 : 1;

usage:
	fprintf(stderr, "usage: %s [-m mutations] [-s seed] [path ...]\n",
	    prog);
	return 2;
}
