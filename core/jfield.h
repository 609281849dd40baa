/*
 * Reading JSON documents field by field (cJSON), with errors that name the
 * document and the field: "manifest KEY: field 'range.from': expected an
 * integer". The first error is kept; later calls fail quietly.
 */
#ifndef CHOPS_JFIELD_H
#define CHOPS_JFIELD_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "xmalloc.h"

/*
 * Largest integer written and read: cJSON prints numbers with 15 significant
 * digits when that reads back "close enough", so beyond this it loses digits.
 */
#define JFIELD_INT_MAX	999999999999999.0

struct jfield {
	const char	*doc;		/* "manifest" */
	const char	*key;		/* where it came from; NULL: unnamed */
	char		*cause;		/* the first error */
};

int		 jfield_fail(struct jfield *, const char *field,
		     const char *fmt, ...) CHOPS_PRINTFLIKE(3, 4);
/* A member that must be there (not null). */
const cJSON	*jfield_get(struct jfield *, const cJSON *obj,
		     const char *field, const char *name);
/* A member that must be an object. */
const cJSON	*jfield_obj(struct jfield *, const cJSON *obj,
		     const char *field, const char *name);
/* Strings: *out replaced by a copy. */
int		 jfield_str(struct jfield *, const cJSON *obj,
		     const char *field, const char *name, char **out);
/* Same, but null (or absent) gives NULL. */
int		 jfield_str_null(struct jfield *, const cJSON *obj,
		     const char *field, const char *name, char **out);
/* Integers in [min, JFIELD_INT_MAX]. */
int		 jfield_int(struct jfield *, const cJSON *obj,
		     const char *field, const char *name, double min,
		     int64_t *out);
int		 jfield_bool(struct jfield *, const cJSON *obj,
		     const char *field, const char *name, bool *out);

#endif
