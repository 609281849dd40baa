/* A growable byte buffer, always NUL-terminated after its contents. */
#ifndef CHOPS_BUF_H
#define CHOPS_BUF_H

#include <stddef.h>
#include "xmalloc.h"

struct buf {
	char	*data;	/* NULL until something is added; then NUL-terminated */
	size_t	 len;
	size_t	 cap;
};

#define BUF_INIT { NULL, 0, 0 }

void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
void	 buf_reserve(struct buf *, size_t);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addstr(struct buf *, const char *);
void	 buf_addc(struct buf *, char);
void	 buf_printf(struct buf *, const char *, ...) CHOPS_PRINTFLIKE(2, 3);
const char *buf_str(const struct buf *);	/* "" when empty */
char	*buf_detach(struct buf *);		/* caller frees; buffer reset */
void	 buf_consume(struct buf *, size_t);	/* drop n bytes from the front */

#endif
