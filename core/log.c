#include "log.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static FILE		*log_file;
static bool		 log_owned;
static enum log_level	 log_max = LOG_WARN;

int
log_open(const char *path, bool to_stderr, enum log_level level, char **cause)
{
	FILE	*f = NULL;

	if (path != NULL) {
		f = fopen(path, "a");
		if (f == NULL) {
			*cause = xasprintf("%s: cannot open log file: %s", path,
			    strerror(errno));
			return -1;
		}
		setvbuf(f, NULL, _IOLBF, 0);
	} else if (to_stderr)
		f = stderr;
	log_close();
	log_file = f;
	log_owned = path != NULL;
	log_max = level;
	return 0;
}

void
log_close(void)
{
	if (log_file != NULL && log_owned)
		fclose(log_file);
	log_file = NULL;
	log_owned = false;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	char		 when[32];
	va_list		 ap;

	if (log_file == NULL || level > log_max)
		return;
	if (log_owned) {
		util_fmt_iso8601(when, sizeof when, util_wall_ms());
		fprintf(log_file, "%s ", when);
	} else
		fputs("chops: ", log_file);
	fprintf(log_file, "%s: ", names[level]);
	va_start(ap, fmt);
	vfprintf(log_file, fmt, ap);
	va_end(ap);
	fputc('\n', log_file);
}
