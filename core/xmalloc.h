/* Allocation that never returns NULL: failure is handled here, once. */
#ifndef CHOPS_XMALLOC_H
#define CHOPS_XMALLOC_H

#include <stddef.h>
#include <stdarg.h>

#define CHOPS_PRINTFLIKE(a, b) __attribute__((format(printf, a, b)))

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) CHOPS_PRINTFLIKE(1, 2);
char	*xvasprintf(const char *, va_list) CHOPS_PRINTFLIKE(1, 0);

#endif
