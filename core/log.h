/*
 * Diagnostics. Batch commands log to stderr; the console logs only to the
 * file given with --log (nothing may reach stderr while curses runs).
 * Messages never carry secrets: callers pass what they would show a user.
 */
#ifndef CHOPS_LOG_H
#define CHOPS_LOG_H

#include <stdbool.h>

#include "xmalloc.h"

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* path NULL: stderr (when to_stderr) or nowhere. Returns -1 with *cause. */
int	log_open(const char *path, bool to_stderr, enum log_level, char **cause);
void	log_close(void);
void	log_msg(enum log_level, const char *fmt, ...) CHOPS_PRINTFLIKE(2, 3);

#define log_error(...)	log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
