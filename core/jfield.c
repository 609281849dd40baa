#include "jfield.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

int
jfield_fail(struct jfield *j, const char *field, const char *fmt, ...)
{
	va_list	 ap;
	char	*what;

	if (j->cause != NULL)
		return -1;
	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	j->cause = xasprintf("%s %s: field '%s': %s", j->doc,
	    j->key != NULL ? j->key : "(unnamed)", field, what);
	free(what);
	return -1;
}

const cJSON *
jfield_get(struct jfield *j, const cJSON *obj, const char *field,
    const char *name)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, name);

	if (v == NULL || cJSON_IsNull(v)) {
		jfield_fail(j, field, "missing");
		return NULL;
	}
	return v;
}

const cJSON *
jfield_obj(struct jfield *j, const cJSON *obj, const char *field,
    const char *name)
{
	const cJSON	*v = jfield_get(j, obj, field, name);

	if (v != NULL && !cJSON_IsObject(v)) {
		jfield_fail(j, field, "expected an object");
		return NULL;
	}
	return v;
}

int
jfield_str(struct jfield *j, const cJSON *obj, const char *field,
    const char *name, char **out)
{
	const cJSON	*v = jfield_get(j, obj, field, name);

	if (v == NULL)
		return -1;
	if (!cJSON_IsString(v))
		return jfield_fail(j, field, "expected a string");
	free(*out);
	*out = xstrdup(v->valuestring);
	return 0;
}

int
jfield_str_null(struct jfield *j, const cJSON *obj, const char *field,
    const char *name, char **out)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, name);

	free(*out);
	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return jfield_fail(j, field, "expected a string or null");
	*out = xstrdup(v->valuestring);
	return 0;
}

int
jfield_int(struct jfield *j, const cJSON *obj, const char *field,
    const char *name, double min, int64_t *out)
{
	const cJSON	*v = jfield_get(j, obj, field, name);
	double		 d;

	if (v == NULL)
		return -1;
	d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
	if (!cJSON_IsNumber(v) || d != floor(d) || d < min ||
	    d > JFIELD_INT_MAX)
		return jfield_fail(j, field, "expected an integer%s",
		    min >= 0 ? " >= 0" : "");
	*out = (int64_t)d;
	return 0;
}

int
jfield_bool(struct jfield *j, const cJSON *obj, const char *field,
    const char *name, bool *out)
{
	const cJSON	*v = jfield_get(j, obj, field, name);

	if (v == NULL)
		return -1;
	if (!cJSON_IsBool(v))
		return jfield_fail(j, field, "expected true or false");
	*out = cJSON_IsTrue(v);
	return 0;
}
