/*
 * json_test.c: the runtime's JSON reader and writer (oci/json.c) under ASan
 * and UBSan: valid documents written back exactly, malformed ones refused
 * with the line, column and reason, and mutated documents that never crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"

static int pass, failed;

static void check(int ok, const char *what_raw, const char *detail)
{
	char what[400];
	size_t i, n = 0;

	/* One line per test: control and non-ASCII bytes as \xNN. */
	for (i = 0; what_raw[i] != '\0' && n < sizeof(what) - 5; i++) {
		unsigned char c = (unsigned char)what_raw[i];

		if (c >= 0x20 && c < 0x7f)
			what[n++] = (char)c;
		else
			n += (size_t)snprintf(what + n, 5, "\\x%02x", c);
	}
	what[n] = '\0';
	if (ok) {
		pass++;
		printf("ok   json: %s\n", what);
	} else {
		failed++;
		printf("FAIL json: %s\n     %s\n", what, detail);
	}
}

/* Parse, write back compactly: the text, or "ERR: message". */
static char *roundtrip(const char *in, size_t len)
{
	char err[OCI_ERR_LEN], *out;
	struct json *v;
	struct jw w;

	if (json_parse(in, len, &v, err, sizeof(err)) < 0) {
		out = malloc(strlen(err) + 6);
		sprintf(out, "ERR: %s", err);
		return out;
	}
	jw_init(&w);
	jw_value(&w, v);
	json_free(v);
	return jw_done(&w, NULL);
}

static void good(const char *in, const char *want)
{
	char *out = roundtrip(in, strlen(in)), what[200], detail[600];

	snprintf(what, sizeof(what), "accepts %.60s", in);
	snprintf(detail, sizeof(detail), "got %.200s, want %.200s", out, want);
	check(out != NULL && strcmp(out, want) == 0, what, detail);
	free(out);
}

/* Refused, with exactly this message. */
static void bad_len(const char *in, size_t len, const char *want,
    const char *name)
{
	char *out = roundtrip(in, len), what[200], detail[600];

	snprintf(what, sizeof(what), "refuses %s", name);
	snprintf(detail, sizeof(detail), "got %.200s, want ERR: %.200s", out,
	    want);
	check(out != NULL && strncmp(out, "ERR: ", 5) == 0 &&
	        strcmp(out + 5, want) == 0,
	    what, detail);
	free(out);
}

static void bad(const char *in, const char *want)
{
	bad_len(in, strlen(in), want, in);
}

static void ints(void)
{
	static const struct {
		const char *in;
		int64_t min, max;
		int ok;
		int64_t want;
	} cases[] = {
		{ "0", 0, 10, 1, 0 },
		{ "-0", 0, 10, 1, 0 },
		{ "10", 0, 10, 1, 10 },
		{ "11", 0, 10, 0, 0 },
		{ "-1", 0, 10, 0, 0 },
		{ "1.0", 0, 10, 0, 0 },
		{ "1e2", 0, 1000, 0, 0 },
		{ "9223372036854775807", INT64_MIN, INT64_MAX, 1, INT64_MAX },
		{ "9223372036854775808", INT64_MIN, INT64_MAX, 0, 0 },
		{ "-9223372036854775808", INT64_MIN, INT64_MAX, 1, INT64_MIN },
		{ "\"5\"", 0, 10, 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[OCI_ERR_LEN], what[100];
		struct json *v;
		int64_t n = -42;
		int ok;

		if (json_parse(cases[i].in, strlen(cases[i].in), &v, err,
		        sizeof(err)) < 0) {
			check(0, cases[i].in, err);
			continue;
		}
		ok = json_int(v, cases[i].min, cases[i].max, &n) == 0;
		snprintf(what, sizeof(what), "json_int(%s) %s", cases[i].in,
		    cases[i].ok ? "reads it" : "refuses it");
		check(ok == cases[i].ok && (!ok || n == cases[i].want), what,
		    "wrong result");
		json_free(v);
	}
}

static void access_helpers(void)
{
	const char *doc = "{\"a\":\"x\\u0000y\",\"b\":\"plain\",\"c\":[1,2]}";
	char err[OCI_ERR_LEN];
	struct json *v;

	if (json_parse(doc, strlen(doc), &v, err, sizeof(err)) < 0) {
		check(0, "helpers: parse", err);
		return;
	}
	check(json_get(v, "a") != NULL && json_get(v, "a")->len == 3,
	    "a string keeps its NUL and length", "");
	check(json_cstr(json_get(v, "a")) == NULL,
	    "json_cstr refuses a string with NUL", "");
	check(json_cstr(json_get(v, "b")) != NULL &&
	        strcmp(json_cstr(json_get(v, "b")), "plain") == 0,
	    "json_cstr gives a plain string", "");
	check(json_get(v, "zz") == NULL &&
	        json_get(json_get(v, "c"), "a") == NULL,
	    "json_get: missing keys and non-objects give NULL", "");
	check(json_get(v, "c")->count == 2, "arrays count their elements", "");
	json_free(v);
}

static void writer(void)
{
	struct jw w;
	char *s;

	jw_init(&w);
	jw_object(&w);
	jw_key(&w, "k\"\\\n\x01");
	jw_string(&w, "tab\there\x1f");
	jw_key(&w, "list");
	jw_array(&w);
	jw_int(&w, -5);
	jw_bool(&w, true);
	jw_object(&w);
	jw_end_object(&w);
	jw_array(&w);
	jw_end_array(&w);
	jw_end_array(&w);
	jw_key(&w, "n");
	jw_int(&w, INT64_MIN);
	jw_end_object(&w);
	s = jw_done(&w, NULL);
	check(s != NULL &&
	        strcmp(s,
	            "{\"k\\\"\\\\\\n\\u0001\":\"tab\\there\\u001f\",\"list\":"
	            "[-5,true,{},[]],\"n\":-9223372036854775808}") == 0,
	    "the writer escapes and separates", s ? s : "NULL");
	free(s);
}

/* A document nested n deep. */
static char *nested(int n)
{
	char *s = malloc((size_t)n * 2 + 1);
	int i;

	for (i = 0; i < n; i++) {
		s[i] = '[';
		s[n + i] = ']';
	}
	s[2 * n] = '\0';
	return s;
}

/*
 * Mutations of a config.json-like document: every accepted one must write
 * back to text that parses to the same text again.
 */
static void mutations(void)
{
	const char *seed =
	    "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"/bin/sh\","
	    "\"-c\",\"echo \\u00e9\\ud83d\\ude00\"],\"env\":[\"A=1\"],"
	    "\"cwd\":\"/\",\"terminal\":false,\"n\":-12.5e+3},\"root\":"
	    "{\"path\":\"rootfs\",\"readonly\":true},\"x\":null}";
	static const char alphabet[] = "{}[]\",:\\u0e9-+.eE \t\n\x80\xc3\xed";
	size_t len = strlen(seed), i;
	unsigned seed_r = 12345, accepted = 0, refused = 0, bad_rt = 0;
	char *buf = malloc(len + 8);

	for (i = 0; i < 100000; i++) {
		char *a, *b;
		int k, edits;

		memcpy(buf, seed, len + 1);
		edits =
		    1 + (int)((seed_r = seed_r * 1103515245 + 12345) >> 16) % 3;
		for (k = 0; k < edits; k++) {
			size_t at;

			seed_r = seed_r * 1103515245 + 12345;
			at = (seed_r >> 8) % len;
			seed_r = seed_r * 1103515245 + 12345;
			buf[at] =
			    alphabet[(seed_r >> 8) % (sizeof(alphabet) - 1)];
		}
		a = roundtrip(buf, len);
		if (strncmp(a, "ERR: ", 5) == 0) {
			refused++;
		} else {
			accepted++;
			b = roundtrip(a, strlen(a));
			if (strcmp(a, b) != 0)
				bad_rt++;
			free(b);
		}
		free(a);
	}
	free(buf);
	{
		char what[160];

		snprintf(what, sizeof(what),
		    "100000 mutated documents: %u accepted and written back "
		    "stably, %u refused, no crash",
		    accepted, refused);
		check(bad_rt == 0 && accepted > 0 && refused > 0, what,
		    "a written-back document parsed differently");
	}
}

int main(void)
{
	char *deep;

	good("{}", "{}");
	good(" [ ] ", "[]");
	good("null", "null");
	good("true", "true");
	good("false", "false");
	good("0", "0");
	good("-0", "-0");
	good("-12.5e+3", "-12.5e+3");
	good("1E9", "1E9");
	good("123456789012345678901234567890",
	    "123456789012345678901234567890");
	good("\"\"", "\"\"");
	good("{\"a\" : [1, {\"b\":null}], \"c\":\"d\"}",
	    "{\"a\":[1,{\"b\":null}],\"c\":\"d\"}");
	good("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"",
	    "\"\\\"\\\\/\\u0008\\u000c\\n\\r\\t\"");
	good("\"\\u0041\\u00e9\\u20ac\"", "\"A\xc3\xa9\xe2\x82\xac\"");
	good("\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\"");
	good("\"\xf0\x9f\x98\x80 \xc3\xa9\"", "\"\xf0\x9f\x98\x80 \xc3\xa9\"");
	good("\"\\u0000\"", "\"\\u0000\"");
	good("\"\x7f\"", "\"\x7f\"");
	good("\r\n\t {\"k\":1}\n", "{\"k\":1}");

	bad("", "line 1 column 1: unexpected end of input");
	bad("   ", "line 1 column 4: unexpected end of input");
	bad("{", "line 1 column 2: expected a key string, found end of input");
	bad("[1,]", "line 1 column 4: unexpected ']'");
	bad("{\"a\":1,}", "line 1 column 8: expected a key string, found '}'");
	bad("{\"a\" 1}", "line 1 column 6: expected ':', found '1'");
	bad("{\"a\":1 \"b\":2}",
	    "line 1 column 8: expected ',' or '}', found '\"'");
	bad("[1 2]", "line 1 column 4: expected ',' or ']', found '2'");
	bad("{a:1}", "line 1 column 2: expected a key string, found 'a'");
	bad("{\"a\":1,\"a\":2}", "line 1 column 10: duplicate key \"a\"");
	bad("{} x", "line 1 column 4: unexpected 'x' after the value");
	bad("{}{}", "line 1 column 3: unexpected '{' after the value");
	bad("// c\n{}", "line 1 column 1: unexpected '/'");
	bad("'a'", "line 1 column 1: unexpected '''");
	bad("tru", "line 1 column 1: unexpected 't'");
	bad("nul", "line 1 column 1: unexpected 'n'");
	bad("True", "line 1 column 1: unexpected 'T'");
	bad("01", "line 1 column 2: unexpected '1' after the value");
	bad("1.", "line 1 column 3: bad number (no digit after '.')");
	bad(".5", "line 1 column 1: unexpected '.'");
	bad("-", "line 1 column 2: bad number");
	bad("+1", "line 1 column 1: unexpected '+'");
	bad("1e", "line 1 column 3: bad number (no digit in the exponent)");
	bad("1e+", "line 1 column 4: bad number (no digit in the exponent)");
	bad("NaN", "line 1 column 1: unexpected 'N'");
	bad("\"abc", "line 1 column 5: unterminated string");
	bad("\"a\\", "line 1 column 4: unterminated string");
	bad("\"\\x\"", "line 1 column 3: bad escape '\\x'");
	bad("\"\\u12g4\"", "line 1 column 4: bad \\u escape");
	bad("\"\\u12", "line 1 column 4: \\u escape cut short");
	bad("\"\\ud800\"", "line 1 column 8: lone high surrogate \\ud800");
	bad("\"\\ud800\\u0041\"",
	    "line 1 column 14: lone high surrogate \\ud800");
	bad("\"\\udc00\"", "line 1 column 8: lone low surrogate \\udc00");
	bad("\"a\tb\"", "line 1 column 3: control character 0x09 in a string");
	bad("\"a\nb\"", "line 1 column 3: control character 0x0a in a string");
	bad("\"\xc0\x80\"", "line 1 column 2: bad UTF-8");
	bad("\"\xe0\x80\xaf\"", "line 1 column 2: bad UTF-8");
	bad("\"\xed\xa0\x80\"", "line 1 column 2: bad UTF-8");
	bad("\"\xf4\x90\x80\x80\"", "line 1 column 2: bad UTF-8");
	bad("\"\xf8\x88\x80\x80\x80\"", "line 1 column 2: bad UTF-8");
	bad("\"\xc3\"", "line 1 column 2: bad UTF-8");
	bad("\"\x80\"", "line 1 column 2: bad UTF-8");
	bad("\xef\xbb\xbf{}", "line 1 column 1: unexpected byte 0xef");
	bad("{\"a\":\n  [1,\n   x]}", "line 3 column 4: unexpected 'x'");
	bad("{\"\\u0000\":1}", "line 1 column 10: NUL in a key");
	bad_len("[1,\0]", 5, "line 1 column 4: unexpected byte 0x00",
	    "a NUL byte");
	bad_len("{\"a\":1}", 6,
	    "line 1 column 7: expected ',' or '}', found end of input",
	    "a document cut short");

	deep = nested(64);
	good(deep, deep);
	free(deep);
	deep = nested(65);
	bad(deep, "line 1 column 65: nested deeper than 64");
	free(deep);
	deep = nested(100000);
	bad(deep, "line 1 column 65: nested deeper than 64");
	free(deep);

	ints();
	access_helpers();
	writer();
	mutations();
	printf("%d passed, %d failed\n", pass, failed);
	return failed != 0;
}
