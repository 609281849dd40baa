#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"

static void
test_add_and_printf(void **state)
{
	struct buf	b = BUF_INIT;

	assert_string_equal(buf_str(&b), "");
	buf_addstr(&b, "abc");
	buf_addc(&b, '-');
	buf_printf(&b, "%d:%s", 42, "x");
	assert_string_equal(buf_str(&b), "abc-42:x");
	assert_int_equal(b.len, 8);
	buf_free(&b);
}

static void
test_binary_and_growth(void **state)
{
	struct buf	b = BUF_INIT;
	char		chunk[1000];
	int		i;

	memset(chunk, 0, sizeof chunk);
	chunk[999] = 'z';
	for (i = 0; i < 100; i++)
		buf_add(&b, chunk, sizeof chunk);
	assert_int_equal(b.len, 100000);
	assert_int_equal(b.data[99999], 'z');
	assert_int_equal(b.data[100000], '\0');
	buf_free(&b);
}

static void
test_consume_and_detach(void **state)
{
	struct buf	 b = BUF_INIT;
	char		*s;

	buf_addstr(&b, "hello world");
	buf_consume(&b, 6);
	assert_string_equal(buf_str(&b), "world");
	buf_consume(&b, 100);
	assert_int_equal(b.len, 0);
	buf_addstr(&b, "kept");
	s = buf_detach(&b);
	assert_string_equal(s, "kept");
	assert_null(b.data);
	free(s);
	s = buf_detach(&b);
	assert_string_equal(s, "");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_printf),
		cmocka_unit_test(test_binary_and_growth),
		cmocka_unit_test(test_consume_and_detach),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
