/*
 * Shared by the integration tests: the servers they talk to are started by
 * tests/run (tests/lib/servers.sh), which exports their addresses.
 */
#ifndef CHOPS_IT_ENV_H
#define CHOPS_IT_ENV_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

/* The value of a harness variable; fails the test when it is missing. */
static inline const char *
it_env(const char *name)
{
	const char	*v = getenv(name);

	if (v == NULL || *v == '\0') {
		fail_msg("%s is not set: run integration tests through tests/run",
		    name);
	}
	return v;
}

#endif
