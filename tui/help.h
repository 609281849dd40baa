/*
 * The help screen: every key from the key table, grouped by context, then
 * what each pane shows and the theme in use. Nothing in it is written by
 * hand twice.
 */
#ifndef CHOPS_HELP_H
#define CHOPS_HELP_H

#include <stddef.h>

struct dialog;
struct pane;
struct theme;

struct dialog	*help_new(struct pane *const *panes, size_t npanes,
		     const struct theme *);

#endif
