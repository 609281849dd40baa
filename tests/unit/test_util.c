#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static void
test_durations(void **state)
{
	static const struct { const char *in; int64_t ms; } ok[] = {
		{ "500ms", 500 }, { "10s", 10000 }, { "2m", 120000 },
		{ "1h", 3600000 }, { "3", 3000 }, { "1.5s", 1500 },
	};
	static const char *bad[] = { "", "s", "10x", "-1s", "1e3s", "10 s",
	    "ms", "1.2.3s" };
	int64_t	 ms;
	char	*cause = NULL;
	size_t	 i;

	for (i = 0; i < nitems(ok); i++) {
		assert_int_equal(util_parse_duration(ok[i].in, &ms, &cause), 0);
		assert_int_equal(ms, ok[i].ms);
	}
	for (i = 0; i < nitems(bad); i++) {
		assert_int_equal(util_parse_duration(bad[i], &ms, &cause), -1);
		assert_non_null(strstr(cause, "not a duration"));
		free(cause);
	}
}

static void
test_sizes_and_bools(void **state)
{
	uint64_t	 b;
	bool		 v;
	char		*cause;

	assert_int_equal(util_parse_size("8MiB", &b, &cause), 0);
	assert_int_equal(b, 8 * 1048576);
	assert_int_equal(util_parse_size("65536", &b, &cause), 0);
	assert_int_equal(b, 65536);
	assert_int_equal(util_parse_size("10MB", &b, &cause), 0);
	assert_int_equal(b, 10000000);
	assert_int_equal(util_parse_size("8 parsecs", &b, &cause), -1);
	free(cause);
	assert_int_equal(util_parse_bool("Yes", &v, &cause), 0);
	assert_true(v);
	assert_int_equal(util_parse_bool("off", &v, &cause), 0);
	assert_false(v);
	assert_int_equal(util_parse_bool("maybe", &v, &cause), -1);
	assert_non_null(strstr(cause, "maybe"));
	free(cause);
}

static void
test_numbers_ignore_locale(void **state)
{
	double		d;
	long long	ll;

	/* a comma-decimal locale must not change how numbers are read */
	if (setlocale(LC_NUMERIC, "de_DE.UTF-8") == NULL)
		setlocale(LC_NUMERIC, "fr_FR.UTF-8");
	assert_int_equal(util_strtod("1.5", 3, &d), 0);
	assert_true(d == 1.5);
	assert_int_equal(util_strtod("4.8213377e+07", 13, &d), 0);
	assert_true(d == 48213377.0);
	assert_int_equal(util_strtod("NaN", 3, &d), 0);
	assert_true(isnan(d));
	assert_int_equal(util_strtod("+Inf", 4, &d), 0);
	assert_true(isinf(d) && d > 0);
	assert_int_equal(util_strtod("-Inf", 4, &d), 0);
	assert_true(isinf(d) && d < 0);
	assert_int_equal(util_strtod("1,5", 3, &d), -1);
	assert_int_equal(util_strtod("0x10", 4, &d), -1);
	assert_int_equal(util_strtod(" 1", 2, &d), -1);
	assert_int_equal(util_strtod("12abc", 2, &d), 0);	/* length bound */
	assert_true(d == 12);
	assert_int_equal(util_strtoll("-1", 2, &ll), 0);
	assert_int_equal(ll, -1);
	assert_int_equal(util_strtoll("99999999999999999999", 20, &ll), -1);
	setlocale(LC_NUMERIC, "C");
}

static void
test_formatting(void **state)
{
	char	s[64];

	util_fmt_bytes(s, sizeof s, 1536);
	assert_string_equal(s, "1.5 KiB");
	util_fmt_bytes(s, sizeof s, NAN);
	assert_string_equal(s, "?");
	util_fmt_duration(s, sizeof s, 125000);
	assert_string_equal(s, "2m 05s");
	util_fmt_duration(s, sizeof s, -1);
	assert_string_equal(s, "?");
	util_fmt_count(s, sizeof s, 48213377);
	assert_string_equal(s, "48M");
	util_fmt_iso8601(s, sizeof s, 1764374400000LL);
	assert_string_equal(s, "2025-11-29T00:00:00Z");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_sizes_and_bools),
		cmocka_unit_test(test_numbers_ignore_locale),
		cmocka_unit_test(test_formatting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
