/*
 * The event loop and HTTP requests without any server: timers, the extra
 * descriptor, and transport failures against sockets made here (a closed
 * port refuses; a listener that never accepts never answers).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"
#include "loop.h"
#include "util.h"

static int	fired[8];
static int	nfired;

static void
record(void *arg)
{
	fired[nfired++] = (int)(intptr_t)arg;
}

static void
test_timers_fire_in_order(void **state)
{
	struct loop		*loop = loop_new();
	struct loop_timer	*t;

	nfired = 0;
	loop_timer_add(loop, 30, record, (void *)3);
	loop_timer_add(loop, 10, record, (void *)1);
	t = loop_timer_add(loop, 20, record, (void *)2);
	loop_timer_add(loop, 20, record, (void *)4);
	loop_timer_cancel(loop, t);
	while (nfired < 3)
		loop_once(loop, -1, -1);
	assert_int_equal(fired[0], 1);
	assert_int_equal(fired[1], 4);
	assert_int_equal(fired[2], 3);
	loop_free(loop);
}

static void
test_extra_fd_wakes_the_loop(void **state)
{
	struct loop	*loop = loop_new();
	int		 p[2];

	assert_int_equal(pipe(p), 0);
	assert_false(loop_once(loop, p[0], 0));
	assert_int_equal(write(p[1], "k", 1), 1);
	assert_true(loop_once(loop, p[0], 5000));
	close(p[0]);
	close(p[1]);
	loop_free(loop);
}

/* A loopback port: listening but never accepting, or closed again. */
static int
make_listener(int *port, bool keep)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(fd, 8), 0);
	getsockname(fd, (struct sockaddr *)&sin, &len);
	*port = ntohs(sin.sin_port);
	if (!keep) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
test_connection_refused(void **state)
{
	struct loop		*loop = loop_new();
	struct http_req		*req;
	struct http_limits	 lim = { .connect_timeout_ms = 2000,
				    .timeout_ms = 5000 };
	char			*url;
	int			 port;

	make_listener(&port, false);
	url = xasprintf("http://127.0.0.1:%d/path?secret=hidden", port);
	req = http_new("GET", url);
	http_limits(req, &lim);
	assert_int_equal(http_perform(loop, req), HTTP_TRANSPORT);
	assert_int_equal(http_curl_code(req), CURLE_COULDNT_CONNECT);
	assert_non_null(strstr(http_error(req), "/path"));
	assert_non_null(strstr(http_error(req), "Connection refused"));
	assert_null(strstr(http_error(req), "hidden"));
	http_free(req);
	free(url);
	loop_free(loop);
}

static void
test_silent_server_times_out(void **state)
{
	struct loop		*loop = loop_new();
	struct http_req		*req;
	struct http_limits	 lim = { .timeout_ms = 300, .retries = 1,
				    .backoff_ms = 10 };
	char			*url;
	int			 port, fd;

	fd = make_listener(&port, true);
	url = xasprintf("http://127.0.0.1:%d/", port);
	req = http_new("GET", url);
	http_limits(req, &lim);
	http_idempotent(req, true);
	assert_int_equal(http_perform(loop, req), HTTP_TRANSPORT);
	assert_int_equal(http_curl_code(req), CURLE_OPERATION_TIMEDOUT);
	assert_non_null(strstr(http_error(req), "timed out"));
	assert_int_equal(http_attempts(req), 2);	/* retried once */
	http_free(req);
	free(url);
	close(fd);
	loop_free(loop);
}

static int	done_calls;

static void
count_done(struct http_req *req, void *arg)
{
	done_calls++;
}

static void
test_cancel_calls_done_once(void **state)
{
	struct loop	*loop = loop_new();
	struct http_req	*req;
	char		*url;
	int		 port, fd, turns = 0;

	fd = make_listener(&port, true);
	url = xasprintf("http://127.0.0.1:%d/", port);
	req = http_new("GET", url);
	done_calls = 0;
	http_start(loop, req, count_done, NULL);
	loop_once(loop, -1, 50);
	http_cancel(req);
	http_cancel(req);
	while (done_calls == 0 && turns++ < 100)
		loop_once(loop, -1, 100);
	assert_int_equal(done_calls, 1);
	assert_int_equal(http_result(req), HTTP_CANCELLED);
	assert_int_equal(loop_active(loop), 0);
	http_free(req);
	free(url);
	close(fd);
	loop_free(loop);
}

static void
test_only_http_schemes(void **state)
{
	struct loop	*loop = loop_new();
	struct http_req	*req = http_new("GET", "file:///etc/passwd");

	assert_int_equal(http_perform(loop, req), HTTP_TRANSPORT);
	assert_int_equal(http_curl_code(req), CURLE_UNSUPPORTED_PROTOCOL);
	assert_int_equal(http_response_body(req)->len, 0);
	http_free(req);
	loop_free(loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_fire_in_order),
		cmocka_unit_test(test_extra_fd_wakes_the_loop),
		cmocka_unit_test(test_connection_refused),
		cmocka_unit_test(test_silent_server_times_out),
		cmocka_unit_test(test_cancel_calls_done_once),
		cmocka_unit_test(test_only_http_schemes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
