/*
 * `chops status`: one verdict from the monitor's state — ok, warn or crit
 * with the reasons in words — as JSON for machines and text for people.
 */
#ifndef CHOPS_STATUS_H
#define CHOPS_STATUS_H

#include <cjson/cJSON.h>

struct buf;
struct monitor;

enum status_level {
	STATUS_OK = 0,
	STATUS_WARN = 1,
	STATUS_CRIT = 2,
};

const char	*status_level_name(enum status_level);
/* The verdict; each reason ("kafka: group x lag 120000 >= 100000") is
 * appended to reasons as one line, when reasons is not NULL. */
enum status_level status_evaluate(const struct monitor *, struct buf *reasons);
/* The whole report as one JSON object (caller deletes). */
cJSON		*status_json(const struct monitor *);
/* The same for people, on several lines. */
void		 status_text(const struct monitor *, struct buf *);

#endif
