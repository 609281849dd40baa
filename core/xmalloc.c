#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "xmalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void
xmalloc_die(size_t size)
{
	char	msg[96];
	int	n;

	/* stderr may belong to curses; write(2) is all that is safe here */
	n = snprintf(msg, sizeof msg, "chops: out of memory (%zu bytes)\n", size);
	if (n > 0)
		(void)!write(STDERR_FILENO, msg, (size_t)n);
	abort();
}

void *
xmalloc(size_t size)
{
	void	*p = malloc(size ? size : 1);

	if (p == NULL)
		xmalloc_die(size);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		xmalloc_die(n * size);
	return p;
}

void *
xrealloc(void *p, size_t size)
{
	void	*q = realloc(p, size ? size : 1);

	if (q == NULL)
		xmalloc_die(size);
	return q;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		xmalloc_die(SIZE_MAX);
	return xrealloc(p, n * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;
	size_t	 len = strnlen(s, n);

	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char	*s;

	if (vasprintf(&s, fmt, ap) < 0)
		xmalloc_die(strlen(fmt));
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}
