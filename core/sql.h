/*
 * Building ClickHouse SQL without ever pasting unescaped input into it.
 *
 * Text that comes from a user, a configuration file or the server goes
 * through one of the quoting functions below, or through sql_appendf's own
 * directives; nothing else is supported on purpose (there is no "%s").
 */
#ifndef CHOPS_SQL_H
#define CHOPS_SQL_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* True for [A-Za-z_][A-Za-z0-9_]* (the names chops creates or accepts). */
bool	 sql_ident_valid(const char *);

/*
 * Splits "db.table" (or a bare "table": *db is NULL) and validates both
 * parts. Returns 0, or -1 with *cause (caller frees).
 */
int	 sql_split_table(const char *, char **db, char **table, char **cause);

/* `name`, escaping backtick and backslash; any bytes (for server names). */
void	 sql_quote_ident(struct buf *, const char *);
/* 'text', escaping \ ' and control bytes; other bytes pass unchanged. */
void	 sql_quote_string(struct buf *, const void *, size_t);

/*
 * Appends to the buffer a statement built from a format with its own
 * directives:
 *
 *	%I	const char *: identifier, validated, backtick-quoted
 *	%T	const char *: "db.table" or "table", validated, quoted
 *	%Q	const char *: any non-empty name (from the server), quoted
 *	%N	const char *: validated bare name (format, setting), unquoted
 *	%S	const char *: string literal
 *	%B	const void *, size_t: string literal from bytes (NUL allowed)
 *	%d	int
 *	%lld	long long
 *	%llu	unsigned long long
 *	%%	a percent sign
 *
 * Returns 0, or -1 with *cause (caller frees; cause may be NULL), leaving
 * the buffer as it was.
 */
int	 sql_appendf(struct buf *, char **cause, const char *fmt, ...);

/* KILL QUERY WHERE query_id = '...' SYNC */
void	 sql_kill_query(struct buf *, const char *query_id);

#endif
