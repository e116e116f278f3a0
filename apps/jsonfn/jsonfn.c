/*
 * jsonfn: a function-mode app that canonicalizes JSON. A call's input is one
 * JSON document (RFC 8259, read strictly); the answer is
 *   {"ok":true,"canonical":DOC,"stats":{"values":N,"depth":D,"bytes_in":B}}
 * with status 0, where DOC is the document with the keys of every object
 * sorted bytewise (code point order, as keys are UTF-8), no whitespace,
 * strings re-escaped minimally and numbers copied verbatim. Invalid input is
 * answered with status 1 and
 *   {"ok":false,"error":"MESSAGE","offset":BYTE}
 * An answer that does not fit gets status 2, running out of heap status 3.
 *
 * Strings come out escaped as RFC 8785 (JCS) and Python's
 * json.dumps(ensure_ascii=False) escape them: '"' and '\' with a backslash,
 * \b \t \n \f \r in their short forms, other control characters as \u00xx,
 * everything else as raw UTF-8. Lone surrogates and invalid UTF-8 are
 * rejected, since neither has a UTF-8 form to write.
 *
 * values counts every value (containers included, keys not); depth is the
 * deepest nesting of containers (a scalar document has depth 0).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <svm.h>

#define IN_CAP (1u << 20)
/*
 * The canonical form is never longer than its input: each escape comes out
 * no longer than it went in and whitespace goes. The wrapper adds well under
 * 4 KiB, so this much output always suffices; the check stays all the same.
 */
#define OUT_CAP (IN_CAP + 4096)
/* Containers nest at most this deep: it bounds the parser's recursion. */
#define MAX_DEPTH 64

/* One member of an object being parsed. */
struct member {
	const char *key;  /* decoded, in the key arena */
	uint32_t key_len; /* offsets fit: the input is at most IN_CAP bytes */
	uint32_t in_off;  /* of the key's opening quote, for errors */
	uint32_t out_off; /* where "key":value starts in the output */
	uint32_t out_len; /* and its length */
};

struct json {
	const unsigned char *in;
	size_t len, pos;
	char *out;
	size_t out_len, out_cap;
	/*
	 * The decoded keys of all open objects, as a stack. A decoded key is
	 * never longer than its source, so len bytes suffice.
	 */
	char *keys;
	size_t keys_len;
	/* The members of all open objects, as a stack that grows. */
	struct member *mem;
	size_t nmem, mem_cap;
	/* len bytes to reorder an object's members through. */
	char *scratch;
	unsigned long values;
	int depth;
	int status; /* of the answer when an error ends the parse */
	const char *err;
	size_t err_off;
};

static int parse_value(struct json *j, int depth);

static int fail(struct json *j, int status, const char *msg, size_t off)
{
	j->status = status;
	j->err = msg;
	j->err_off = off;
	return -1;
}

static int peek(const struct json *j)
{
	return j->pos < j->len ? j->in[j->pos] : -1;
}

/* An error at the current byte, or at the end if the input ran out. */
static int unexpected(struct json *j, const char *msg)
{
	if (j->pos >= j->len)
		return fail(j, 1, "unexpected end of input", j->len);
	return fail(j, 1, msg, j->pos);
}

static int put(struct json *j, const void *s, size_t n)
{
	if (n > j->out_cap - j->out_len)
		return fail(j, 2, "output too large", j->pos);
	memcpy(j->out + j->out_len, s, n);
	j->out_len += n;
	return 0;
}

static void skip_ws(struct json *j)
{
	int c;

	/* Exactly JSON's four whitespace characters, not isspace(). */
	while ((c = peek(j)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		j->pos++;
}

/*
 * Writes one decoded byte of a string, escaped, to the output, and raw to the
 * key arena when the string is a key. Only ASCII needs escaping, so going
 * byte by byte through UTF-8 is safe.
 */
static int put_str_byte(struct json *j, unsigned char c, int key)
{
	static const char hex[] = "0123456789abcdef";
	static const char ctl[] = "\b\t\n\f\r", ctl_esc[] = "btnfr";
	char e[6] = { '\\', 'u', '0', '0' };
	const char *p;

	if (key)
		j->keys[j->keys_len++] = (char)c;
	if (c == '"' || c == '\\') {
		e[1] = (char)c;
		return put(j, e, 2);
	}
	if (c >= 0x20)
		return put(j, &c, 1);
	if ((p = memchr(ctl, c, 5)) != NULL) {
		e[1] = ctl_esc[p - ctl];
		return put(j, e, 2);
	}
	e[4] = hex[c >> 4];
	e[5] = hex[c & 15];
	return put(j, e, 6);
}

/*
 * The length of the well-formed UTF-8 sequence at s (at most avail bytes),
 * or 0. The second byte's range rules out overlong forms, surrogates and
 * code points past U+10FFFF (Unicode's table 3-7).
 */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
	unsigned char lo, hi;
	size_t n, i;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	lo = s[0] == 0xe0 ? 0xa0 : s[0] == 0xf0 ? 0x90 : 0x80;
	hi = s[0] == 0xed ? 0x9f : s[0] == 0xf4 ? 0x8f : 0xbf;
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* The four hex digits at offset at, or -1. */
static long hex4(const struct json *j, size_t at)
{
	long v = 0;
	int i, c;

	if (at > j->len || j->len - at < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		c = j->in[at + i];
		if (!isxdigit(c))
			return -1;
		v = v * 16 + (isdigit(c) ? c - '0' : (c | 32) - 'a' + 10);
	}
	return v;
}

/* One escape sequence; j->pos is at its backslash, not the last byte. */
static int parse_escape(struct json *j, int key)
{
	static const char name[] = "\"\\/bfnrt", value[] = "\"\\/\b\f\n\r\t";
	static const unsigned char lead[] = { 0, 0, 0xc0, 0xe0, 0xf0 };
	size_t at = j->pos, n, i;
	unsigned char u[4];
	const char *p;
	long cp, lo;
	int c;

	if ((c = j->in[at + 1]) != 'u') {
		if ((p = memchr(name, c, 8)) == NULL)
			return fail(j, 1, "invalid escape", at);
		j->pos += 2;
		return put_str_byte(j, (unsigned char)value[p - name], key);
	}
	if ((cp = hex4(j, at + 2)) < 0)
		return fail(j, 1, "invalid unicode escape", at);
	j->pos = at + 6;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail(j, 1, "lone surrogate", at);
	if (cp >= 0xd800 && cp <= 0xdbff) {
		/* A high surrogate only counts with a \u low one after it. */
		if (j->len - j->pos < 6 || j->in[j->pos] != '\\' ||
		    j->in[j->pos + 1] != 'u' ||
		    (lo = hex4(j, j->pos + 2)) < 0xdc00 || lo > 0xdfff)
			return fail(j, 1, "lone surrogate", at);
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		j->pos += 6;
	}
	/* To UTF-8: continuation bytes from the last, then the lead. */
	n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
	for (i = n - 1; i > 0; i--, cp >>= 6)
		u[i] = (unsigned char)(0x80 | (cp & 0x3f));
	u[0] = (unsigned char)(lead[n] | cp);
	for (i = 0; i < n; i++)
		if (put_str_byte(j, u[i], key) < 0)
			return -1;
	return 0;
}

/* A string; j->pos is at its opening quote. Keys also go to the arena. */
static int parse_string(struct json *j, int key)
{
	size_t start = j->pos, n, i;
	int c;

	j->pos++;
	if (put(j, "\"", 1) < 0)
		return -1;
	for (;;) {
		c = peek(j);
		if (c < 0 || (c == '\\' && j->pos + 1 == j->len))
			return fail(j, 1, "unterminated string", start);
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(j, 1, "control character in string",
			    j->pos);
		if (c == '\\') {
			if (parse_escape(j, key) < 0)
				return -1;
			continue;
		}
		n = c < 0x80 ? 1 : utf8_len(j->in + j->pos, j->len - j->pos);
		if (n == 0)
			return fail(j, 1, "invalid UTF-8", j->pos);
		for (i = 0; i < n; i++)
			if (put_str_byte(j, j->in[j->pos++], key) < 0)
				return -1;
	}
	j->pos++;
	return put(j, "\"", 1);
}

/* One or more digits. */
static int digits(struct json *j)
{
	size_t start = j->pos;

	while (isdigit(peek(j)))
		j->pos++;
	return j->pos > start ? 0 : unexpected(j, "digit expected in number");
}

/* A number, checked against the grammar and then copied verbatim. */
static int parse_number(struct json *j)
{
	size_t start = j->pos;
	int c;

	if (peek(j) == '-')
		j->pos++;
	if (peek(j) == '0')
		j->pos++;
	else if (digits(j) < 0)
		return -1;
	/* Only a 0 can be followed by a digit here. */
	if (isdigit(peek(j)))
		return fail(j, 1, "leading zero in number", j->pos);
	if (peek(j) == '.') {
		j->pos++;
		if (digits(j) < 0)
			return -1;
	}
	if ((c = peek(j)) == 'e' || c == 'E') {
		j->pos++;
		if ((c = peek(j)) == '+' || c == '-')
			j->pos++;
		if (digits(j) < 0)
			return -1;
	}
	return put(j, j->in + start, j->pos - start);
}

static int parse_literal(struct json *j, const char *word)
{
	size_t start = j->pos, n = strlen(word);

	for (; *word; word++, j->pos++) {
		if (j->pos >= j->len)
			return unexpected(j, NULL);
		if (j->in[j->pos] != (unsigned char)*word)
			return fail(j, 1, "invalid literal", start);
	}
	return put(j, j->in + start, n);
}

/*
 * Opens a container at depth (the outermost is at 1). Returns 1 if it closes
 * right away (the close is consumed, not copied), 0 if not, -1 on error.
 */
static int enter(struct json *j, int depth, const char *open, int close)
{
	if (depth > MAX_DEPTH)
		return fail(j, 1, "nesting too deep", j->pos);
	if (depth > j->depth)
		j->depth = depth;
	j->pos++;
	if (put(j, open, 1) < 0)
		return -1;
	skip_ws(j);
	if (peek(j) != close)
		return 0;
	j->pos++;
	return 1;
}

/* After an element or member, the same: a ',' (copied) gives 0. */
static int next(struct json *j, int close, const char *msg)
{
	int c;

	skip_ws(j);
	if ((c = peek(j)) != ',' && c != close)
		return unexpected(j, msg);
	j->pos++;
	if (c == close)
		return 1;
	skip_ws(j);
	return put(j, ",", 1);
}

static int parse_array(struct json *j, int depth)
{
	int r = enter(j, depth, "[", ']');

	while (r == 0 && (r = parse_value(j, depth)) == 0)
		r = next(j, ']', "expected ',' or ']'");
	return r < 0 ? -1 : put(j, "]", 1);
}

/* Orders members by key, and equal keys by position in the input. */
static int cmp_member(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	uint32_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int c = memcmp(x->key, y->key, n);

	if (c)
		return c;
	if (x->key_len != y->key_len)
		return x->key_len < y->key_len ? -1 : 1;
	return x->in_off < y->in_off ? -1 : x->in_off > y->in_off;
}

/*
 * Sorts the members of the object whose body starts at out offset body (just
 * past its '{'), rejects duplicate keys, and rewrites the body in order.
 */
static int sort_members(struct json *j, size_t base, size_t body)
{
	struct member *m = j->mem + base;
	size_t n = j->nmem - base, len = j->out_len - body, w, i;
	uint32_t dup = UINT32_MAX;

	if (n < 2)
		return 0;
	qsort(m, n, sizeof(*m), cmp_member);
	/*
	 * Equal keys sit together in input order, so the first repeat in the
	 * input is the later key of one of the adjacent equal pairs.
	 */
	for (i = 1; i < n; i++)
		if (m[i].key_len == m[i - 1].key_len &&
		    memcmp(m[i].key, m[i - 1].key, m[i].key_len) == 0 &&
		    m[i].in_off < dup)
			dup = m[i].in_off;
	if (dup != UINT32_MAX)
		return fail(j, 1, "duplicate key", dup);
	/* The body holds the members and n - 1 commas: it keeps its size. */
	memcpy(j->scratch, j->out + body, len);
	for (w = body, i = 0; i < n; i++) {
		if (i)
			j->out[w++] = ',';
		memcpy(j->out + w, j->scratch + (m[i].out_off - body),
		    m[i].out_len);
		w += m[i].out_len;
	}
	return 0;
}

/*
 * A new member on the stack. It grows by doubling, and stays bounded: every
 * member of an open object has used at least 3 bytes of input ("":).
 */
static int push_member(struct json *j)
{
	struct member *m;
	size_t cap;

	if (j->nmem == j->mem_cap) {
		cap = j->mem_cap ? 2 * j->mem_cap : 64;
		if ((m = realloc(j->mem, cap * sizeof(*m))) == NULL)
			return fail(j, 3, "out of memory", j->pos);
		j->mem = m;
		j->mem_cap = cap;
	}
	j->nmem++;
	return 0;
}

static int parse_object(struct json *j, int depth)
{
	size_t base = j->nmem, keys_mark = j->keys_len, body, i;
	struct member *m;
	int r = enter(j, depth, "{", '}');

	body = j->out_len;
	while (r == 0) {
		if (peek(j) != '"')
			return unexpected(j, "expected a string key");
		if (push_member(j) < 0)
			return -1;
		/* By index: nested objects may move the stack. */
		i = j->nmem - 1;
		m = &j->mem[i];
		m->key = j->keys + j->keys_len;
		m->in_off = (uint32_t)j->pos;
		m->out_off = (uint32_t)j->out_len;
		if (parse_string(j, 1) < 0)
			return -1;
		m->key_len = (uint32_t)(j->keys + j->keys_len - m->key);
		skip_ws(j);
		if (peek(j) != ':')
			return unexpected(j, "expected ':'");
		j->pos++;
		skip_ws(j);
		if (put(j, ":", 1) < 0 || parse_value(j, depth) < 0)
			return -1;
		m = &j->mem[i];
		m->out_len = (uint32_t)(j->out_len - m->out_off);
		r = next(j, '}', "expected ',' or '}'");
	}
	if (r < 0 || sort_members(j, base, body) < 0)
		return -1;
	j->nmem = base;
	j->keys_len = keys_mark;
	return put(j, "}", 1);
}

/* A value at j->pos, inside depth containers. */
static int parse_value(struct json *j, int depth)
{
	int c = peek(j);

	j->values++;
	if (c == '-' || isdigit(c))
		return parse_number(j);
	switch (c) {
	case '{':
		return parse_object(j, depth + 1);
	case '[':
		return parse_array(j, depth + 1);
	case '"':
		return parse_string(j, 0);
	case 't':
		return parse_literal(j, "true");
	case 'f':
		return parse_literal(j, "false");
	case 'n':
		return parse_literal(j, "null");
	}
	return unexpected(j, "expected a value");
}

static int parse_document(struct json *j)
{
	skip_ws(j);
	if (parse_value(j, 0) < 0)
		return -1;
	skip_ws(j);
	if (j->pos != j->len)
		return fail(j, 1, "trailing characters after the document",
		    j->pos);
	return 0;
}

static int handle(const void *in, size_t in_len, void *out, size_t out_cap,
    size_t *out_len)
{
	static const char head[] = "{\"ok\":true,\"canonical\":";
	struct json j = { .in = in, .len = in_len, .out = out };
	char tail[128];
	int n;

	j.out_cap = out_cap;
	/* Both bounded by in_cap; +1 as malloc(0) may be NULL. */
	j.keys = malloc(in_len + 1);
	j.scratch = malloc(in_len + 1);
	if (!j.keys || !j.scratch) {
		fail(&j, 3, "out of memory", 0);
	} else if (put(&j, head, sizeof(head) - 1) == 0 &&
	    parse_document(&j) == 0) {
		n = snprintf(tail, sizeof(tail),
		    ",\"stats\":{\"values\":%lu,\"depth\":%d,\"bytes_in\":%zu}"
		    "}",
		    j.values, j.depth, in_len);
		put(&j, tail, (size_t)n);
	}
	/* Free all: with --warm the VM is not reset between calls. */
	free(j.keys);
	free(j.scratch);
	free(j.mem);
	if (j.status == 0) {
		*out_len = j.out_len;
		return 0;
	}
	if (j.status == 1)
		n = snprintf(out, out_cap,
		    "{\"ok\":false,\"error\":\"%s\",\"offset\":%zu}", j.err,
		    j.err_off);
	else
		n = snprintf(out, out_cap, "{\"ok\":false,\"error\":\"%s\"}",
		    j.err);
	/* snprintf keeps the last byte for its '\0'. */
	*out_len = (size_t)n < out_cap ? (size_t)n : out_cap - 1;
	return j.status;
}

int main(void)
{
	svm_serve(handle, IN_CAP, OUT_CAP);
}
