/* json.c: a strict JSON reader for config.json and a writer for what we
 * print. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"

#define MAX_DEPTH 64

struct parser {
	const unsigned char *p, *end, *start;
	int depth;
	char *err;
	size_t errlen;
};

static int perr(struct parser *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "line L column C: what", counted at the parser's position. */
static int perr(struct parser *ps, const char *fmt, ...)
{
	const unsigned char *q;
	unsigned line = 1, col = 1;
	char what[256];
	va_list ap;

	for (q = ps->start; q < ps->p && q < ps->end; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else if ((*q & 0xc0) != 0x80) {
			col++;
		}
	}
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(ps->err, ps->errlen, "line %u column %u: %s", line, col, what);
	return -1;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end &&
	    (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' ||
	        *ps->p == '\r'))
		ps->p++;
}

/* What is at the parser's position, for messages. */
static const char *here(const struct parser *ps)
{
	static char buf[16];
	unsigned c;

	if (ps->p >= ps->end)
		return "end of input";
	c = *ps->p;
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, sizeof(buf), "'%c'", c);
	else
		snprintf(buf, sizeof(buf), "byte 0x%02x", c);
	return buf;
}

static struct json *node(enum json_type t)
{
	struct json *v = calloc(1, sizeof(*v));

	if (v != NULL)
		v->type = t;
	return v;
}

/*
 * One UTF-8 sequence at p (at most end): its length, or 0 if it is not
 * well-formed (overlong, a surrogate, past U+10FFFF, cut short).
 */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0], cp, n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

static size_t utf8_put(char *out, unsigned cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static int hex4(struct parser *ps, unsigned *out)
{
	unsigned v = 0, i;

	if (ps->end - ps->p < 4)
		return perr(ps, "\\u escape cut short");
	for (i = 0; i < 4; i++) {
		unsigned c = ps->p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return perr(ps, "bad \\u escape");
	}
	ps->p += 4;
	*out = v;
	return 0;
}

/* A string at the opening quote: decoded into a new allocation. The decoded
 * form is never longer than the source. */
static int parse_string(struct parser *ps, char **out, size_t *outlen)
{
	const unsigned char *q;
	char *buf, *o;
	size_t n;

	ps->p++; /* the quote */
	/* Find the end first, for the allocation's size. */
	for (q = ps->p; q < ps->end && *q != '"'; q++)
		if (*q == '\\' && q + 1 < ps->end)
			q++;
	if ((buf = malloc((size_t)(q - ps->p) + 1)) == NULL)
		return perr(ps, "out of memory");
	o = buf;
	for (;;) {
		unsigned c, cp, lo;

		if (ps->p >= ps->end) {
			free(buf);
			return perr(ps, "unterminated string");
		}
		c = *ps->p;
		if (c == '"') {
			ps->p++;
			break;
		}
		if (c < 0x20) {
			free(buf);
			return perr(ps, "control character 0x%02x in a string",
			    c);
		}
		if (c != '\\') {
			if ((n = utf8_len(ps->p, ps->end)) == 0) {
				free(buf);
				return perr(ps, "bad UTF-8");
			}
			memcpy(o, ps->p, n);
			o += n;
			ps->p += n;
			continue;
		}
		ps->p++;
		if (ps->p >= ps->end) {
			free(buf);
			return perr(ps, "unterminated string");
		}
		c = *ps->p++;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			*o++ = (char)c;
			continue;
		case 'b':
			*o++ = '\b';
			continue;
		case 'f':
			*o++ = '\f';
			continue;
		case 'n':
			*o++ = '\n';
			continue;
		case 'r':
			*o++ = '\r';
			continue;
		case 't':
			*o++ = '\t';
			continue;
		case 'u':
			break;
		default:
			ps->p--;
			free(buf);
			return perr(ps, "bad escape '\\%c'",
			    c >= 0x20 && c < 0x7f ? (int)c : '?');
		}
		if (hex4(ps, &cp) < 0) {
			free(buf);
			return -1;
		}
		if (cp >= 0xdc00 && cp <= 0xdfff) {
			free(buf);
			return perr(ps, "lone low surrogate \\u%04x", cp);
		}
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (ps->end - ps->p < 2 || ps->p[0] != '\\' ||
			    ps->p[1] != 'u') {
				free(buf);
				return perr(ps, "lone high surrogate \\u%04x",
				    cp);
			}
			ps->p += 2;
			if (hex4(ps, &lo) < 0) {
				free(buf);
				return -1;
			}
			if (lo < 0xdc00 || lo > 0xdfff) {
				free(buf);
				return perr(ps, "lone high surrogate \\u%04x",
				    cp);
			}
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		}
		/* Six source bytes or more make at most four. */
		o += utf8_put(o, cp);
	}
	*o = '\0';
	*out = buf;
	*outlen = (size_t)(o - buf);
	return 0;
}

static int parse_number(struct parser *ps, struct json *v)
{
	const unsigned char *s = ps->p;

	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
		return perr(ps, "bad number");
	if (*ps->p == '0')
		ps->p++;
	else
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
			return perr(ps, "bad number (no digit after '.')");
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
			return perr(ps,
			    "bad number (no digit in the exponent)");
		while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
			ps->p++;
	}
	v->len = (size_t)(ps->p - s);
	if ((v->str = malloc(v->len + 1)) == NULL)
		return perr(ps, "out of memory");
	memcpy(v->str, s, v->len);
	v->str[v->len] = '\0';
	return 0;
}

static int parse_value(struct parser *ps, struct json **out);

static int literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return perr(ps, "unexpected %s", here(ps));
	ps->p += n;
	return 0;
}

/* Append v to parent's list; tail tracks its end. */
static void append(struct json *parent, struct json ***tail, struct json *v)
{
	**tail = v;
	*tail = &v->next;
	parent->count++;
}

static int parse_array(struct parser *ps, struct json *v)
{
	struct json **tail = &v->child, *e;

	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return 0;
	}
	for (;;) {
		if (parse_value(ps, &e) < 0) {
			json_free(e);
			return -1;
		}
		append(v, &tail, e);
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == ']') {
			ps->p++;
			return 0;
		}
		return perr(ps, "expected ',' or ']', found %s", here(ps));
	}
}

static int parse_object(struct parser *ps, struct json *v)
{
	struct json **tail = &v->child, *e, *m;
	char *key;
	size_t klen;

	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		return 0;
	}
	for (;;) {
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != '"')
			return perr(ps, "expected a key string, found %s",
			    here(ps));
		if (parse_string(ps, &key, &klen) < 0)
			return -1;
		if (strlen(key) != klen) {
			free(key);
			return perr(ps, "NUL in a key");
		}
		for (m = v->child; m != NULL; m = m->next)
			if (strcmp(m->key, key) == 0) {
				ps->p--; /* at the key's closing quote */
				perr(ps, "duplicate key \"%.64s\"", key);
				free(key);
				return -1;
			}
		skip_ws(ps);
		if (ps->p >= ps->end || *ps->p != ':') {
			free(key);
			return perr(ps, "expected ':', found %s", here(ps));
		}
		ps->p++;
		if (parse_value(ps, &e) < 0) {
			json_free(e);
			free(key);
			return -1;
		}
		e->key = key;
		append(v, &tail, e);
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			return 0;
		}
		return perr(ps, "expected ',' or '}', found %s", here(ps));
	}
}

static int parse_value(struct parser *ps, struct json **out)
{
	struct json *v;
	int rc;

	*out = NULL;
	skip_ws(ps);
	if (ps->p >= ps->end)
		return perr(ps, "unexpected end of input");
	switch (*ps->p) {
	case '{':
		v = node(JSON_OBJECT);
		break;
	case '[':
		v = node(JSON_ARRAY);
		break;
	case '"':
		v = node(JSON_STRING);
		break;
	case 't':
		v = node(JSON_TRUE);
		break;
	case 'f':
		v = node(JSON_FALSE);
		break;
	case 'n':
		v = node(JSON_NULL);
		break;
	default:
		if (*ps->p != '-' && (*ps->p < '0' || *ps->p > '9'))
			return perr(ps, "unexpected %s", here(ps));
		v = node(JSON_NUMBER);
		break;
	}
	if (v == NULL)
		return perr(ps, "out of memory");
	*out = v;
	switch (v->type) {
	case JSON_OBJECT:
	case JSON_ARRAY:
		if (++ps->depth > MAX_DEPTH)
			return perr(ps, "nested deeper than %d", MAX_DEPTH);
		rc = v->type == JSON_OBJECT ? parse_object(ps, v) :
		                              parse_array(ps, v);
		ps->depth--;
		return rc;
	case JSON_STRING:
		return parse_string(ps, &v->str, &v->len);
	case JSON_TRUE:
		return literal(ps, "true");
	case JSON_FALSE:
		return literal(ps, "false");
	case JSON_NULL:
		return literal(ps, "null");
	case JSON_NUMBER:
		return parse_number(ps, v);
	}
	return -1;
}

int json_parse(const char *text, size_t len, struct json **out, char *err,
    size_t errlen)
{
	struct parser ps = { (const unsigned char *)text,
		(const unsigned char *)text + len, (const unsigned char *)text,
		0, err, errlen };
	struct json *v;

	*out = NULL;
	/* A BOM is not JSON (RFC 8259 8.1 lets a parser refuse it). */
	if (parse_value(&ps, &v) < 0) {
		json_free(v);
		return -1;
	}
	skip_ws(&ps);
	if (ps.p != ps.end) {
		json_free(v);
		return perr(&ps, "unexpected %s after the value", here(&ps));
	}
	*out = v;
	return 0;
}

void json_free(struct json *v)
{
	while (v != NULL) {
		struct json *next = v->next;

		json_free(v->child);
		free(v->str);
		free(v->key);
		free(v);
		v = next;
	}
}

const struct json *json_get(const struct json *obj, const char *key)
{
	const struct json *m;

	if (obj == NULL || obj->type != JSON_OBJECT)
		return NULL;
	for (m = obj->child; m != NULL; m = m->next)
		if (strcmp(m->key, key) == 0)
			return m;
	return NULL;
}

const char *json_cstr(const struct json *v)
{
	if (v == NULL || v->type != JSON_STRING || strlen(v->str) != v->len)
		return NULL;
	return v->str;
}

int json_int(const struct json *v, int64_t min, int64_t max, int64_t *out)
{
	long long n;
	char *end;

	if (v == NULL || v->type != JSON_NUMBER ||
	    strpbrk(v->str, ".eE") != NULL)
		return -1;
	errno = 0;
	n = strtoll(v->str, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

const char *json_type_name(enum json_type t)
{
	switch (t) {
	case JSON_NULL:
		return "null";
	case JSON_FALSE:
	case JSON_TRUE:
		return "boolean";
	case JSON_NUMBER:
		return "number";
	case JSON_STRING:
		return "string";
	case JSON_ARRAY:
		return "array";
	case JSON_OBJECT:
		return "object";
	}
	return "?";
}

/* --- the writer -------------------------------------------------------- */

void jw_init(struct jw *w)
{
	memset(w, 0, sizeof(*w));
}

static void put(struct jw *w, const char *s, size_t n)
{
	if (w->oom)
		return;
	if (w->cap - w->len < n + 1) {
		size_t cap = w->cap ? w->cap : 256;
		char *b;

		while (cap - w->len < n + 1) {
			if (cap > SIZE_MAX / 2) {
				w->oom = true;
				return;
			}
			cap *= 2;
		}
		if ((b = realloc(w->buf, cap)) == NULL) {
			w->oom = true;
			return;
		}
		w->buf = b;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

/* Before an element: the comma it needs. A member's value follows its key
 * without one. */
static void element(struct jw *w)
{
	if (w->depth > 0 && w->depth <= 64) {
		if (w->more[w->depth - 1])
			put(w, ",", 1);
		w->more[w->depth - 1] = true;
	}
}

static void open_level(struct jw *w, const char *c)
{
	element(w);
	put(w, c, 1);
	if (w->depth >= 64)
		w->oom = true; /* deeper than we ever write */
	else
		w->more[w->depth++] = false;
}

void jw_object(struct jw *w)
{
	open_level(w, "{");
}

void jw_array(struct jw *w)
{
	open_level(w, "[");
}

void jw_end_object(struct jw *w)
{
	if (w->depth > 0)
		w->depth--;
	put(w, "}", 1);
}

void jw_end_array(struct jw *w)
{
	if (w->depth > 0)
		w->depth--;
	put(w, "]", 1);
}

static void quoted(struct jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	put(w, "\"", 1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7] = "\\u00";

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(w, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"':
			put(w, "\\\"", 2);
			break;
		case '\\':
			put(w, "\\\\", 2);
			break;
		case '\n':
			put(w, "\\n", 2);
			break;
		case '\t':
			put(w, "\\t", 2);
			break;
		case '\r':
			put(w, "\\r", 2);
			break;
		default:
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			put(w, esc, 6);
		}
	}
	put(w, s + run, n - run);
	put(w, "\"", 1);
}

void jw_key(struct jw *w, const char *key)
{
	element(w);
	quoted(w, key, strlen(key));
	put(w, ":", 1);
	/* The value that follows is no new element. */
	if (w->depth > 0 && w->depth <= 64)
		w->more[w->depth - 1] = false;
}

void jw_string(struct jw *w, const char *s)
{
	element(w);
	quoted(w, s, strlen(s));
}

void jw_int(struct jw *w, int64_t v)
{
	char buf[24];

	element(w);
	put(w, buf, (size_t)snprintf(buf, sizeof(buf), "%lld", (long long)v));
}

void jw_bool(struct jw *w, bool v)
{
	element(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_value(struct jw *w, const struct json *v)
{
	const struct json *e;

	switch (v->type) {
	case JSON_NULL:
		element(w);
		put(w, "null", 4);
		return;
	case JSON_FALSE:
	case JSON_TRUE:
		jw_bool(w, v->type == JSON_TRUE);
		return;
	case JSON_NUMBER:
		element(w);
		put(w, v->str, v->len);
		return;
	case JSON_STRING:
		element(w);
		quoted(w, v->str, v->len);
		return;
	case JSON_ARRAY:
		jw_array(w);
		for (e = v->child; e != NULL; e = e->next)
			jw_value(w, e);
		jw_end_array(w);
		return;
	case JSON_OBJECT:
		jw_object(w);
		for (e = v->child; e != NULL; e = e->next) {
			jw_key(w, e->key);
			jw_value(w, e);
		}
		jw_end_object(w);
		return;
	}
}

char *jw_done(struct jw *w, size_t *len)
{
	if (w->oom || w->buf == NULL) {
		free(w->buf);
		w->buf = NULL;
		return NULL;
	}
	if (len != NULL)
		*len = w->len;
	return w->buf;
}
