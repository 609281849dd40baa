#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "buf.h"
#include "colors.h"
#include "ui.h"
#include "util.h"
#include "widgets.h"
#include "xmalloc.h"

/* Locale text to printable wide characters; caller frees. */
static wchar_t *
decode(const char *s, size_t *n)
{
	mbstate_t	 st;
	size_t		 len = strlen(s), k = 0, r;
	wchar_t		*out, wc;

	memset(&st, 0, sizeof st);
	out = xreallocarray(NULL, len + 1, sizeof *out);
	while (len > 0) {
		r = mbrtowc(&wc, s, len, &st);
		if (r == 0)
			break;
		if (r == (size_t)-1 || r == (size_t)-2) {
			memset(&st, 0, sizeof st);
			wc = L'?';
			r = 1;
		}
		if (!iswprint((wint_t)wc) || wcwidth(wc) < 0)
			wc = L'?';
		out[k++] = wc;
		s += r;
		len -= r;
	}
	out[k] = L'\0';
	*n = k;
	return out;
}

/* How many characters of w[] fit in `cols` columns; *used: their width. */
static size_t
fit(const wchar_t *w, size_t n, int cols, int *used)
{
	size_t	i;
	int	c = 0, cw;

	for (i = 0; i < n; i++) {
		cw = wcwidth(w[i]);
		if (c + cw > cols)
			break;
		c += cw;
	}
	*used = c;
	return i;
}

int
widget_width(const char *s)
{
	wchar_t	*w;
	size_t	 n;
	int	 used;

	w = decode(s, &n);
	fit(w, n, 1 << 30, &used);
	free(w);
	return used;
}

static void
put_wide(WINDOW *win, int y, int x, attr_t a, const wchar_t *w, size_t n)
{
	wattrset(win, (int)a);
	if (n > 0)
		mvwaddnwstr(win, y, x, w, (int)n);
}

static void
pad(WINDOW *win, int y, int x, int w, attr_t a)
{
	wattrset(win, (int)a);
	if (w > 0)
		mvwhline(win, y, x, ' ', w);
}

void
widget_fill(WINDOW *win, int y, int x, int w, enum theme_role role)
{
	pad(win, y, x, w, colors_role(win, role));
}

int
widget_put(WINDOW *win, int y, int x, int w, enum theme_role role,
    const char *s)
{
	wchar_t	*wc;
	size_t	 n, k;
	int	 used = 0;

	if (w <= 0)
		return 0;
	wc = decode(s, &n);
	k = fit(wc, n, w, &used);
	put_wide(win, y, x, colors_role(win, role), wc, k);
	free(wc);
	return used;
}

void
widget_text(WINDOW *win, int y, int x, int w, enum theme_role role,
    enum align align, const char *s)
{
	attr_t		 a = colors_role(win, role);
	wchar_t		*wc, dots = ui_utf8() ? L'\u2026' : L'~';
	size_t		 n, k;
	int		 used, total, left = 0;

	if (w <= 0)
		return;
	wc = decode(s, &n);
	fit(wc, n, 1 << 30, &total);
	if (total > w) {
		k = fit(wc, n, w - 1, &used);
		put_wide(win, y, x, a, wc, k);
		put_wide(win, y, x + used, a, &dots, 1);
		pad(win, y, x + used + 1, w - used - 1, a);
		free(wc);
		return;
	}
	if (align == ALIGN_RIGHT)
		left = w - total;
	else if (align == ALIGN_CENTER)
		left = (w - total) / 2;
	pad(win, y, x, left, a);
	put_wide(win, y, x + left, a, wc, n);
	pad(win, y, x + left + total, w - left - total, a);
	free(wc);
}

void
widget_textf(WINDOW *win, int y, int x, int w, enum theme_role role,
    enum align align, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	widget_text(win, y, x, w, role, align, s);
	free(s);
}

void
widget_number(WINDOW *win, int y, int x, int w, enum theme_role role,
    double v)
{
	char	buf[32];

	if (isnan(v))
		snprintf(buf, sizeof buf, "-");
	else
		util_fmt_count(buf, sizeof buf, v);
	widget_text(win, y, x, w, role, ALIGN_RIGHT, buf);
}

/* ------------------------------------------------------------ graphics */

static const char *const spark_utf8[] = {
	"\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587",
	"\u2588"
};
static const char *const spark_ascii[] = { "_", ".", "-", "=", "^" };

void
widget_spark(char *out, size_t len, const double *v, size_t n, int width)
{
	const char *const	*ticks = ui_utf8() ? spark_utf8 : spark_ascii;
	size_t			 levels = ui_utf8() ? nitems(spark_utf8) :
				    nitems(spark_ascii);
	struct buf		 b = BUF_INIT;
	double			 lo = INFINITY, hi = -INFINITY;
	size_t			 i, first, level;

	first = n > (size_t)width ? n - (size_t)width : 0;
	for (i = first; i < n; i++) {
		if (isfinite(v[i])) {
			lo = v[i] < lo ? v[i] : lo;
			hi = v[i] > hi ? v[i] : hi;
		}
	}
	for (i = first; i < n; i++) {
		if (!isfinite(v[i])) {
			buf_addc(&b, ' ');
			continue;
		}
		level = hi > lo ? (size_t)((v[i] - lo) / (hi - lo) *
		    (double)(levels - 1) + 0.5) : levels / 2;
		buf_addstr(&b, ticks[level < levels ? level : levels - 1]);
	}
	snprintf(out, len, "%s", buf_str(&b));
	buf_free(&b);
}

static const char *const eighths[] = {
	"", "\u258f", "\u258e", "\u258d", "\u258c", "\u258b", "\u258a", "\u2589"
};

void
widget_bar(char *out, size_t len, double fraction, int width)
{
	struct buf	b = BUF_INIT;
	int		units, full, part, i, per = ui_utf8() ? 8 : 1;

	if (!(fraction >= 0))
		fraction = 0;
	if (fraction > 1)
		fraction = 1;
	units = (int)(fraction * width * per + 0.5);
	full = units / per;
	part = units % per;
	for (i = 0; i < full; i++)
		buf_addstr(&b, ui_utf8() ? "\u2588" : "#");
	if (part > 0)
		buf_addstr(&b, eighths[part]);
	for (i = full + (part > 0); i < width; i++)
		buf_addc(&b, ui_utf8() ? ' ' : '.');
	snprintf(out, len, "%s", buf_str(&b));
	buf_free(&b);
}

void
widget_sparkline(WINDOW *win, int y, int x, int w, enum theme_role role,
    const double *values, size_t n)
{
	char	buf[1024];

	if (w <= 0)
		return;
	widget_spark(buf, sizeof buf, values, n, w > 256 ? 256 : w);
	widget_text(win, y, x, w, role, ALIGN_RIGHT, buf);
}

void
widget_progress(WINDOW *win, int y, int x, int w, enum theme_role role,
    double fraction)
{
	char	buf[1024];
	int	bw = w >= 8 ? w - 5 : w;

	if (w <= 0)
		return;
	widget_bar(buf, sizeof buf, fraction, bw > 256 ? 256 : bw);
	widget_text(win, y, x, bw, role, ALIGN_LEFT, buf);
	if (bw < w)
		widget_textf(win, y, x + bw, w - bw, role, ALIGN_RIGHT, "%d%%",
		    (int)(fraction * 100 + 0.5));
}

/* ------------------------------------------------------------ text */

static void
wrap_add(char ***lines, size_t *n, const char *s, size_t len)
{
	*lines = xreallocarray(*lines, *n + 1, sizeof **lines);
	(*lines)[(*n)++] = xstrndup(s, len);
}

/* One paragraph (no '\n') into lines. */
static void
wrap_paragraph(const char *p, size_t plen, int width, char ***lines,
    size_t *n)
{
	struct buf	 line = BUF_INIT;
	char		*word;
	size_t		 i = 0, start;
	int		 used = 0, ww;

	while (i < plen) {
		while (i < plen && p[i] == ' ')
			i++;
		if (i == plen)
			break;
		for (start = i; i < plen && p[i] != ' '; i++)
			/* nothing */;
		word = xstrndup(p + start, i - start);
		ww = widget_width(word);
		if (used > 0 && used + 1 + ww > width) {
			wrap_add(lines, n, buf_str(&line), line.len);
			buf_reset(&line);
			used = 0;
		}
		if (used > 0) {
			buf_addc(&line, ' ');
			used++;
		}
		buf_addstr(&line, word);
		used += ww;
		free(word);
	}
	wrap_add(lines, n, buf_str(&line), line.len);
	buf_free(&line);
}

size_t
widget_wrap(const char *text, int width, char ***lines)
{
	const char	*p = text, *nl;
	size_t		 n = 0;

	*lines = NULL;
	if (width < 1)
		width = 1;
	do {
		nl = strchr(p, '\n');
		wrap_paragraph(p, nl != NULL ? (size_t)(nl - p) : strlen(p),
		    width, lines, &n);
		p = nl + 1;
	} while (nl != NULL);
	return n;
}

void
widget_lines_free(char **lines, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

void
widget_box(WINDOW *win, int y, int x, int h, int w, enum theme_role role,
    const char *title, enum theme_role title_role)
{
	attr_t	a = colors_role(win, role);
	int	tw;

	if (h < 2 || w < 2)
		return;
	wattrset(win, (int)a);
	mvwaddch(win, y, x, ACS_ULCORNER | a);
	mvwhline(win, y, x + 1, ACS_HLINE | a, w - 2);
	mvwaddch(win, y, x + w - 1, ACS_URCORNER | a);
	mvwvline(win, y + 1, x, ACS_VLINE | a, h - 2);
	mvwvline(win, y + 1, x + w - 1, ACS_VLINE | a, h - 2);
	mvwaddch(win, y + h - 1, x, ACS_LLCORNER | a);
	mvwhline(win, y + h - 1, x + 1, ACS_HLINE | a, w - 2);
	mvwaddch(win, y + h - 1, x + w - 1, ACS_LRCORNER | a);
	if (title == NULL || *title == '\0' || w < 6)
		return;
	tw = widget_width(title) + 2;
	if (tw > w - 4)
		tw = w - 4;
	widget_text(win, y, x + 2, tw, title_role, ALIGN_CENTER, title);
}
