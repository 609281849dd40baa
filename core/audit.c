/* Audit records: building, JSON, writing locally and to the bucket. */
#include "audit.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "backup_key.h"
#include "util.h"
#include "xmalloc.h"

#define AUDIT_VERSION	1

static const char *audit_secret_words[] = {
	"password", "passwd", "secret", "token", "credential", "access_key",
	"authorization",
};

/* Host name for ids and keys: [A-Za-z0-9.-] only. */
static char *
audit_host(void)
{
	char	host[256];
	size_t	i;

	if (gethostname(host, sizeof host) != 0 || host[0] == '\0')
		strcpy(host, "unknown");
	host[sizeof host - 1] = '\0';
	for (i = 0; host[i] != '\0'; i++) {
		if (!isalnum((unsigned char)host[i]) && host[i] != '.' &&
		    host[i] != '-')
			host[i] = '-';
	}
	return xstrdup(host);
}

/* "20261129T030012345Z" */
static void
audit_fmt_stamp(char *out, size_t size, int64_t ms)
{
	time_t		t = (time_t)(ms / 1000);
	struct tm	tm;
	char		s[24];

	gmtime_r(&t, &tm);
	strftime(s, sizeof s, "%Y%m%dT%H%M%S", &tm);
	snprintf(out, size, "%s%03dZ", s, (int)(ms % 1000));
}

struct audit_rec *
audit_begin(const char *action, const char *target)
{
	static unsigned		 counter;
	struct audit_rec	*r = xcalloc(1, sizeof *r);
	char			 stamp[32];

	r->at_ms = util_wall_ms();
	r->who = util_user_at_host();
	r->host = audit_host();
	r->pid = (int64_t)getpid();
	r->action = xstrdup(action);
	r->target = target != NULL ? xstrdup(target) : NULL;
	r->result = xstrdup("running");
	audit_fmt_stamp(stamp, sizeof stamp, r->at_ms);
	r->id = xasprintf("%s-%s-%lld-%u", stamp, r->host, (long long)r->pid,
	    ++counter);
	return r;
}

static bool
audit_secret_name(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(audit_secret_words); i++) {
		if (strcasestr(name, audit_secret_words[i]) != NULL)
			return true;
	}
	return false;
}

void
audit_param(struct audit_rec *r, const char *name, const char *value)
{
	struct audit_param	*p;

	r->params = xreallocarray(r->params, r->n_params + 1,
	    sizeof *r->params);
	p = &r->params[r->n_params++];
	p->name = xstrdup(name);
	if (value == NULL)
		p->value = NULL;
	else
		p->value = xstrdup(audit_secret_name(name) ? "<redacted>" :
		    value);
}

void
audit_end(struct audit_rec *r, const char *result, const char *error)
{
	free(r->result);
	r->result = xstrdup(result);
	free(r->error);
	r->error = error != NULL ? xstrdup(error) : NULL;
	r->duration_ms = util_wall_ms() - r->at_ms;
	if (r->duration_ms < 0)
		r->duration_ms = 0;
}

void
audit_rec_free(struct audit_rec *r)
{
	size_t	i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n_params; i++) {
		free(r->params[i].name);
		free(r->params[i].value);
	}
	free(r->params);
	free(r->id);
	free(r->who);
	free(r->host);
	free(r->action);
	free(r->target);
	free(r->result);
	free(r->error);
	free(r);
}

/* ---------------------------------------------------------------- JSON */

static void
audit_add_str(cJSON *o, const char *name, const char *v)
{
	if (v != NULL)
		cJSON_AddStringToObject(o, name, v);
	else
		cJSON_AddNullToObject(o, name);
}

char *
audit_rec_json(const struct audit_rec *r)
{
	cJSON	*o = cJSON_CreateObject(), *p;
	char	 at[40], *text;
	size_t	 i;

	util_fmt_iso8601(at, sizeof at, r->at_ms);
	snprintf(at + 19, sizeof at - 19, ".%03dZ", (int)(r->at_ms % 1000));
	cJSON_AddNumberToObject(o, "version", AUDIT_VERSION);
	cJSON_AddStringToObject(o, "id", r->id);
	cJSON_AddStringToObject(o, "at", at);
	cJSON_AddStringToObject(o, "who", r->who);
	cJSON_AddStringToObject(o, "host", r->host);
	cJSON_AddNumberToObject(o, "pid", (double)r->pid);
	cJSON_AddStringToObject(o, "action", r->action);
	audit_add_str(o, "target", r->target);
	p = cJSON_AddObjectToObject(o, "params");
	for (i = 0; i < r->n_params; i++)
		audit_add_str(p, r->params[i].name, r->params[i].value);
	cJSON_AddStringToObject(o, "result", r->result);
	audit_add_str(o, "error", r->error);
	cJSON_AddNumberToObject(o, "duration_ms", (double)r->duration_ms);
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

/* "2026-11-29T03:00:12.345Z" (milliseconds optional) to epoch ms. */
static int
audit_parse_at(const char *s, int64_t *ms)
{
	struct tm	tm;
	const char	*end;
	int		frac = 0;

	memset(&tm, 0, sizeof tm);
	end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (end == NULL)
		return -1;
	if (*end == '.') {
		if (!isdigit((unsigned char)end[1]) ||
		    !isdigit((unsigned char)end[2]) ||
		    !isdigit((unsigned char)end[3]))
			return -1;
		frac = (end[1] - '0') * 100 + (end[2] - '0') * 10 +
		    (end[3] - '0');
		end += 4;
		while (isdigit((unsigned char)*end))
			end++;
	}
	if (strcmp(end, "Z") != 0)
		return -1;
	*ms = (int64_t)timegm(&tm) * 1000 + frac;
	return 0;
}

static int
audit_get_str(const cJSON *o, const char *name, bool optional, char **out)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(o, name);

	*out = NULL;
	if (cJSON_IsString(v)) {
		*out = xstrdup(v->valuestring);
		return 0;
	}
	return optional && (v == NULL || cJSON_IsNull(v)) ? 0 : -1;
}

static void
audit_get_params(const cJSON *o, struct audit_rec *r)
{
	const cJSON	*p = cJSON_GetObjectItemCaseSensitive(o, "params");
	const cJSON	*v;

	cJSON_ArrayForEach(v, p) {
		if (v->string == NULL)
			continue;
		audit_param(r, v->string, cJSON_IsString(v) ? v->valuestring :
		    NULL);
	}
}

static int
audit_from_json(const cJSON *o, struct audit_rec *r, char **cause)
{
	const cJSON	*pid, *dur;
	char		*at = NULL;
	int		 rc;

	if (audit_get_str(o, "id", false, &r->id) != 0 ||
	    audit_get_str(o, "who", false, &r->who) != 0 ||
	    audit_get_str(o, "host", false, &r->host) != 0 ||
	    audit_get_str(o, "action", false, &r->action) != 0 ||
	    audit_get_str(o, "result", false, &r->result) != 0 ||
	    audit_get_str(o, "target", true, &r->target) != 0 ||
	    audit_get_str(o, "error", true, &r->error) != 0) {
		*cause = xstrdup("a field is missing or not a string");
		return -1;
	}
	rc = audit_get_str(o, "at", false, &at);
	if (rc != 0 || audit_parse_at(at, &r->at_ms) != 0) {
		*cause = xstrdup("field 'at' is not a time");
		free(at);
		return -1;
	}
	free(at);
	pid = cJSON_GetObjectItemCaseSensitive(o, "pid");
	dur = cJSON_GetObjectItemCaseSensitive(o, "duration_ms");
	r->pid = cJSON_IsNumber(pid) ? (int64_t)pid->valuedouble : 0;
	r->duration_ms = cJSON_IsNumber(dur) ? (int64_t)dur->valuedouble : 0;
	audit_get_params(o, r);
	return 0;
}

int
audit_rec_parse(const char *text, size_t len, struct audit_rec **out,
    char **cause)
{
	struct audit_rec	*r;
	cJSON			*o;

	*out = NULL;
	if ((o = cJSON_ParseWithLength(text, len)) == NULL ||
	    !cJSON_IsObject(o)) {
		cJSON_Delete(o);
		*cause = xstrdup("not a JSON object");
		return -1;
	}
	r = xcalloc(1, sizeof *r);
	if (audit_from_json(o, r, cause) != 0) {
		audit_rec_free(r);
		cJSON_Delete(o);
		return -1;
	}
	cJSON_Delete(o);
	*out = r;
	return 0;
}

/* ---------------------------------------------------------------- local */

char *
audit_local_path(char **cause)
{
	const char	*state = getenv("XDG_STATE_HOME");
	const char	*home = getenv("HOME");

	/* the XDG spec: a relative path is invalid and ignored */
	if (state != NULL && state[0] == '/')
		return xasprintf("%s/chops/audit.jsonl", state);
	if (home == NULL || home[0] != '/') {
		*cause = xstrdup("neither XDG_STATE_HOME nor HOME is set: "
		    "nowhere to keep the audit trail");
		return NULL;
	}
	return xasprintf("%s/.local/state/chops/audit.jsonl", home);
}

/* mkdir -p of the directory part of path, new directories 0700. */
static int
audit_mkdirs(const char *path, char **cause)
{
	char	*dir = xstrdup(path), *p, c;
	int	 rc = 0;

	if ((p = strrchr(dir, '/')) != NULL)
		*p = '\0';
	for (p = dir + 1; rc == 0; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			*cause = xasprintf("audit trail: cannot create %s: %s",
			    dir, strerror(errno));
			rc = -1;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(dir);
	return rc;
}

int
audit_append_local(const char *path, const struct audit_rec *r,
    char **cause)
{
	char	*json, *line;
	size_t	 len;
	ssize_t	 n;
	int	 fd, rc = 0;

	if (audit_mkdirs(path, cause) != 0)
		return -1;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1) {
		*cause = xasprintf("audit trail: cannot open %s: %s", path,
		    strerror(errno));
		return -1;
	}
	json = audit_rec_json(r);
	line = xasprintf("%s\n", json);
	len = strlen(line);
	/* one write: O_APPEND keeps concurrent writers' lines whole */
	n = write(fd, line, len);
	if (n != (ssize_t)len) {
		*cause = xasprintf("audit trail: cannot write %s: %s", path,
		    n == -1 ? strerror(errno) : "short write");
		rc = -1;
	}
	if (close(fd) != 0 && rc == 0) {
		*cause = xasprintf("audit trail: cannot write %s: %s", path,
		    strerror(errno));
		rc = -1;
	}
	free(json);
	free(line);
	return rc;
}

/* ---------------------------------------------------------------- bucket */

char *
audit_day_prefix(struct s3_client *s3, int64_t t)
{
	time_t		 tt = (time_t)t;
	struct tm	 tm;
	char		 day[16], *rel, *key;

	gmtime_r(&tt, &tm);
	strftime(day, sizeof day, "%Y/%m/%d", &tm);
	rel = xasprintf("%saudit/%s/", BACKUP_RESERVED, day);
	key = s3_key(s3, rel);
	free(rel);
	return key;
}

char *
audit_key(struct s3_client *s3, const struct audit_rec *r)
{
	char	*dir, *key;

	dir = audit_day_prefix(s3, r->at_ms / 1000);
	key = xasprintf("%s%s.json", dir, r->id);
	free(dir);
	return key;
}

struct s3_op *
audit_put_start(struct s3_client *s3, const struct audit_rec *r,
    s3_op_done_fn done, void *arg)
{
	struct s3_op	*op;
	char		*key, *json;

	key = audit_key(s3, r);
	json = audit_rec_json(r);
	op = s3_put_start(s3, key, json, strlen(json), NULL, done, arg);
	free(json);
	free(key);
	return op;
}

/* Synchronous PUT of the record; 0, or -1 with *cause. */
static int
audit_put(struct s3_client *s3, const struct audit_rec *r, char **cause)
{
	struct s3_error	 e;
	char		*key, *json;
	int		 rc;

	memset(&e, 0, sizeof e);
	key = audit_key(s3, r);
	json = audit_rec_json(r);
	rc = s3_put(s3, key, json, strlen(json), &e);
	if (rc != 0)
		*cause = xasprintf("audit trail: %s", e.message);
	s3_error_clear(&e);
	free(json);
	free(key);
	return rc;
}

int
audit_write(struct s3_client *s3, const struct audit_rec *r, char **cause)
{
	char	*path, *lc = NULL, *sc = NULL;
	int	 rc = 0;

	if ((path = audit_local_path(&lc)) == NULL ||
	    audit_append_local(path, r, &lc) != 0)
		rc = -1;
	free(path);
	if (s3 != NULL && audit_put(s3, r, &sc) != 0)
		rc = -1;
	if (rc != 0)
		*cause = xasprintf("%s%s%s", lc != NULL ? lc : "",
		    lc != NULL && sc != NULL ? "; " : "",
		    sc != NULL ? sc : "");
	free(lc);
	free(sc);
	return rc;
}
