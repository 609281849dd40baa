#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "buf.h"
#include "colors.h"
#include "input.h"
#include "keys.h"
#include "xmalloc.h"

void
input_init(struct input *in, const char *initial)
{
	mbstate_t	st;
	const char	*s = initial != NULL ? initial : "";
	size_t		 n;

	memset(in, 0, sizeof *in);
	memset(&st, 0, sizeof st);
	n = mbsrtowcs(in->text, &s, INPUT_MAX, &st);
	in->len = n == (size_t)-1 ? 0 : n;
	in->text[in->len] = L'\0';
	in->cur = in->len;
}

char *
input_text(const struct input *in)
{
	struct buf	b = BUF_INIT;
	char		mb[MB_LEN_MAX];
	mbstate_t	st;
	size_t		i, n;

	memset(&st, 0, sizeof st);
	for (i = 0; i < in->len; i++) {
		n = wcrtomb(mb, in->text[i], &st);
		if (n != (size_t)-1)
			buf_add(&b, mb, n);
	}
	return buf_detach(&b);
}

static enum input_result
input_insert(struct input *in, int key)
{
	if (KEYC_IS_FN(key) || key < 32 || key == 127 ||
	    !iswprint((wint_t)key) || in->len == INPUT_MAX)
		return INPUT_NONE;
	memmove(in->text + in->cur + 1, in->text + in->cur,
	    (in->len - in->cur + 1) * sizeof *in->text);
	in->text[in->cur++] = (wchar_t)key;
	in->len++;
	return INPUT_CHANGED;
}

/* Removes [from, to) of the text. */
static enum input_result
input_cut(struct input *in, size_t from, size_t to)
{
	if (from >= to)
		return INPUT_NONE;
	memmove(in->text + from, in->text + to,
	    (in->len - to + 1) * sizeof *in->text);
	in->len -= to - from;
	in->cur = from;
	return INPUT_CHANGED;
}

static size_t
word_start(const struct input *in)
{
	size_t	i = in->cur;

	while (i > 0 && iswspace((wint_t)in->text[i - 1]))
		i--;
	while (i > 0 && !iswspace((wint_t)in->text[i - 1]))
		i--;
	return i;
}

static enum input_result
input_move(struct input *in, size_t to)
{
	if (to == in->cur)
		return INPUT_NONE;
	in->cur = to;
	return INPUT_CHANGED;
}

enum input_result
input_key(struct input *in, int key)
{
	switch (keys_lookup(KEYCTX_INPUT, NULL, key)) {
	case ACT_INPUT_ACCEPT:
		return INPUT_ACCEPT;
	case ACT_INPUT_CANCEL:
		return INPUT_CANCEL;
	case ACT_INPUT_ERASE:
		return in->cur > 0 ? input_cut(in, in->cur - 1, in->cur) :
		    INPUT_NONE;
	case ACT_INPUT_DELETE:
		return input_cut(in, in->cur, in->cur < in->len ? in->cur + 1 :
		    in->cur);
	case ACT_INPUT_CLEAR:
		return input_cut(in, 0, in->len);
	case ACT_INPUT_WORD:
		return input_cut(in, word_start(in), in->cur);
	case ACT_INPUT_LEFT:
		return input_move(in, in->cur > 0 ? in->cur - 1 : 0);
	case ACT_INPUT_RIGHT:
		return input_move(in, in->cur < in->len ? in->cur + 1 : in->len);
	case ACT_INPUT_HOME:
		return input_move(in, 0);
	case ACT_INPUT_END:
		return input_move(in, in->len);
	default:
		return input_insert(in, key);
	}
}

/* Columns of text[from, to). */
static int
span_width(const struct input *in, size_t from, size_t to)
{
	int	w = 0, cw;

	for (; from < to; from++) {
		cw = wcwidth(in->text[from]);
		w += cw > 0 ? cw : 0;
	}
	return w;
}

void
input_draw(struct input *in, WINDOW *win, int y, int x, int w,
    enum theme_role role)
{
	size_t	n;
	int	cw;

	if (w <= 1)
		return;
	/* scroll so the cursor stays inside, one column kept for it */
	if (in->cur < in->left)
		in->left = in->cur;
	while (span_width(in, in->left, in->cur) > w - 1)
		in->left++;
	wattrset(win, (int)colors_role(win, role));
	mvwhline(win, y, x, ' ', w);
	for (n = in->left, cw = 0; n < in->len; n++) {
		if (cw + wcwidth(in->text[n]) > w)
			break;
		cw += wcwidth(in->text[n]);
	}
	mvwaddnwstr(win, y, x, in->text + in->left, (int)(n - in->left));
	wmove(win, y, x + span_width(in, in->left, in->cur));
}
