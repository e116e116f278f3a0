/* libc_test.c: host unit tests of guestlib's libc, with glibc as reference. */
/*
 * Build and run from the top of the tree:
 *   mkdir -p build/tests && gcc -std=gnu11 -g -O1 -fsanitize=address,undefined
 * -fno-sanitize-recover=all -U_FORTIFY_SOURCE -Wall -Wextra -Iinclude
 * -idirafter guestlib/include -o build/tests/libc_test tests/unit/libc_test.c
 * && build/tests/libc_test
 *
 * How: the guestlib sources (and the inline ctype.h) are #included below,
 * after glibc's headers, with macros that rename every public name they
 * define or use to g_* (FILE, stdin, stdout, stderr, BUFSIZ and errno too),
 * so both libcs live side by side in one program and glibc's snprintf,
 * strtol, memmove... are the reference. The guestlib code therefore compiles
 * against glibc's headers here; the guest build checks it against guestlib's
 * own. -idirafter makes <svm.h> resolve to guestlib's without guestlib's
 * stdio.h & co. shadowing glibc's. The svm_* hypercalls are faked below:
 * writes are logged, reads come from a script, svm_exit longjmps back into
 * the test that expected it.
 *
 * Prints one line per failed check and ends with "N passed, N failed"; exits
 * 1 if any check failed.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include <svm.h>

/* --- the renames, then guestlib itself ---------------------------------- */

typedef struct __svm_file g_FILE;
extern g_FILE *g_stdin, *g_stdout, *g_stderr;
extern int g_errno;

void *g_memcpy(void *restrict, const void *restrict, size_t);
void *g_memmove(void *, const void *, size_t);
void *g_memset(void *, int, size_t);
int g_memcmp(const void *, const void *, size_t);
void *g_memchr(const void *, int, size_t);
size_t g_strlen(const char *);
size_t g_strnlen(const char *, size_t);
int g_strcmp(const char *, const char *);
int g_strncmp(const char *, const char *, size_t);
char *g_strchr(const char *, int);
char *g_strrchr(const char *, int);
char *g_strcpy(char *restrict, const char *restrict);
char *g_strncpy(char *restrict, const char *restrict, size_t);
char *g_strcat(char *restrict, const char *restrict);
char *g_strstr(const char *, const char *);
char *g_strdup(const char *);
void *g_malloc(size_t);
void *g_calloc(size_t, size_t);
void *g_realloc(void *, size_t);
void g_free(void *);
int g_printf(const char *restrict, ...) __attribute__((format(printf, 1, 2)));
int g_fprintf(g_FILE *restrict, const char *restrict, ...)
    __attribute__((format(printf, 2, 3)));
int g_snprintf(char *restrict, size_t, const char *restrict, ...)
    __attribute__((format(printf, 3, 4)));
int g_vprintf(const char *restrict, va_list);
int g_vfprintf(g_FILE *restrict, const char *restrict, va_list);
int g_vsnprintf(char *restrict, size_t, const char *restrict, va_list);
int g_fputc(int, g_FILE *);
int g_putc(int, g_FILE *);
int g_putchar(int);
int g_fputs(const char *restrict, g_FILE *restrict);
int g_puts(const char *);
size_t g_fwrite(const void *restrict, size_t, size_t, g_FILE *restrict);
int g_fflush(g_FILE *);
int g_fgetc(g_FILE *);
int g_getc(g_FILE *);
int g_getchar(void);
char *g_fgets(char *restrict, int, g_FILE *restrict);
size_t g_fread(void *restrict, size_t, size_t, g_FILE *restrict);
int g_feof(g_FILE *);
int g_ferror(g_FILE *);
void g_clearerr(g_FILE *);
_Noreturn void g_exit(int);
_Noreturn void g_abort(void);
int g_atoi(const char *);
long g_atol(const char *);
long g_strtol(const char *restrict, char **restrict, int);
long long g_strtoll(const char *restrict, char **restrict, int);
unsigned long g_strtoul(const char *restrict, char **restrict, int);
unsigned long long g_strtoull(const char *restrict, char **restrict, int);
int g_abs(int);
long g_labs(long);
long long g_llabs(long long);
void g_qsort(void *, size_t, size_t, int (*)(const void *, const void *));
int g_getentropy(void *, size_t);
int g_rand(void);
void g_srand(unsigned);
time_t g_time(time_t *);
int g_clock_gettime(clockid_t, struct timespec *);
clock_t g_clock(void);
void __svm_heap_init(void *start, void *end);

#undef stdin
#undef stdout
#undef stderr
#undef errno
#undef BUFSIZ
#undef putc
#undef getc
#define FILE g_FILE
#define stdin g_stdin
#define stdout g_stdout
#define stderr g_stderr
#define errno g_errno
#define BUFSIZ 4096
#define memcpy g_memcpy
#define memmove g_memmove
#define memset g_memset
#define memcmp g_memcmp
#define memchr g_memchr
#define strlen g_strlen
#define strnlen g_strnlen
#define strcmp g_strcmp
#define strncmp g_strncmp
#define strchr g_strchr
#define strrchr g_strrchr
#define strcpy g_strcpy
#define strncpy g_strncpy
#define strcat g_strcat
#define strstr g_strstr
#define strdup g_strdup
#define malloc g_malloc
#define calloc g_calloc
#define realloc g_realloc
#define free g_free
#define printf g_printf
#define fprintf g_fprintf
#define snprintf g_snprintf
#define vprintf g_vprintf
#define vfprintf g_vfprintf
#define vsnprintf g_vsnprintf
#define fputc g_fputc
#define putc g_putc
#define putchar g_putchar
#define fputs g_fputs
#define puts g_puts
#define fwrite g_fwrite
#define fflush g_fflush
#define fgetc g_fgetc
#define getc g_getc
#define getchar g_getchar
#define fgets g_fgets
#define fread g_fread
#define feof g_feof
#define ferror g_ferror
#define clearerr g_clearerr
#define exit g_exit
#define abort g_abort
#define atoi g_atoi
#define atol g_atol
#define strtol g_strtol
#define strtoll g_strtoll
#define strtoul g_strtoul
#define strtoull g_strtoull
#define abs g_abs
#define labs g_labs
#define llabs g_llabs
#define qsort g_qsort
#define getentropy g_getentropy
#define rand g_rand
#define srand g_srand
#define time g_time
#define clock_gettime g_clock_gettime
#define clock g_clock

/* ctype.h shares glibc's include guard and is all inline functions. */
#undef _CTYPE_H
#undef isdigit
#undef isupper
#undef islower
#undef isalpha
#undef isalnum
#undef isxdigit
#undef isspace
#undef isprint
#undef isgraph
#undef iscntrl
#undef ispunct
#undef toupper
#undef tolower
#define isdigit g_isdigit
#define isupper g_isupper
#define islower g_islower
#define isalpha g_isalpha
#define isalnum g_isalnum
#define isxdigit g_isxdigit
#define isspace g_isspace
#define isprint g_isprint
#define isgraph g_isgraph
#define iscntrl g_iscntrl
#define ispunct g_ispunct
#define toupper g_toupper
#define tolower g_tolower
#include "../../guestlib/include/ctype.h"

#include "../../guestlib/string.c"
#include "../../guestlib/malloc.c"
#include "../../guestlib/stdio.c"
#include "../../guestlib/printf.c"
#include "../../guestlib/stdlib.c"
#include "../../guestlib/time.c"

#undef FILE
#undef stdin
#undef stdout
#undef stderr
#undef errno
#undef BUFSIZ
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef memchr
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr
#undef strcpy
#undef strncpy
#undef strcat
#undef strstr
#undef strdup
#undef malloc
#undef calloc
#undef realloc
#undef free
#undef printf
#undef fprintf
#undef snprintf
#undef vprintf
#undef vfprintf
#undef vsnprintf
#undef fputc
#undef putc
#undef putchar
#undef fputs
#undef puts
#undef fwrite
#undef fflush
#undef fgetc
#undef getc
#undef getchar
#undef fgets
#undef fread
#undef feof
#undef ferror
#undef clearerr
#undef exit
#undef abort
#undef atoi
#undef atol
#undef strtol
#undef strtoll
#undef strtoul
#undef strtoull
#undef abs
#undef labs
#undef llabs
#undef qsort
#undef getentropy
#undef rand
#undef srand
#undef time
#undef clock_gettime
#undef clock
#undef isdigit
#undef isupper
#undef islower
#undef isalpha
#undef isalnum
#undef isxdigit
#undef isspace
#undef isprint
#undef isgraph
#undef iscntrl
#undef ispunct
#undef toupper
#undef tolower
#define errno (*__errno_location())
#define stdin stdin
#define stdout stdout
#define stderr stderr

/* --- harness ------------------------------------------------------------- */

static int passed, failed;

static void check(int ok, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void check(int ok, int line, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL line %d: ", line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

#define CHECK(cond, ...) check(!!(cond), __LINE__, __VA_ARGS__)

/* A printable, one-line copy of n bytes of s (rotating static buffers). */
static const char *esc_n(const char *s, size_t n)
{
	static char bufs[4][1024];
	static int k;
	char *b = bufs[k++ & 3], *p = b;

	if (!s)
		return "(NULL)";
	for (; n && p < b + sizeof bufs[0] - 8; n--, s++) {
		unsigned char c = *s;

		if (c >= 0x20 && c < 0x7f && c != '\\')
			*p++ = c;
		else
			p += sprintf(p, "\\x%02x", c);
	}
	if (n)
		p += sprintf(p, "...");
	*p = 0;
	return b;
}

static const char *esc(const char *s)
{
	return s ? esc_n(s, strlen(s)) : "(NULL)";
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	/* xorshift64*: reproducible across runs. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* --- fake hypercalls ----------------------------------------------------- */

/* Every write and read, in order: "1[data]", "2[data]", "r". */
static char hc_log[1 << 16];
static size_t hc_len;
static int write_fails;
static const char *in_data;
static size_t in_len, in_pos, in_chunk;
static int read_fails, random_fails;
static jmp_buf exit_jmp;
static int exit_status;
static uint64_t fake_wall_ns, fake_mono_ns;

static void log_add(const char *s, size_t n)
{
	if (hc_len + n < sizeof hc_log) {
		memcpy(hc_log + hc_len, s, n);
		hc_len += n;
		hc_log[hc_len] = 0;
	}
}

static void log_reset(void)
{
	hc_len = 0;
	hc_log[0] = 0;
}

int svm_write(int fd, const void *buf, size_t len)
{
	char tag[32];

	if (write_fails)
		return -1;
	if (len > 200) {
		/* Big writes: fd, length and first and last byte. */
		snprintf(tag, sizeof tag, "%d<%zu:%c%c>", fd, len,
		    ((const char *)buf)[0], ((const char *)buf)[len - 1]);
		log_add(tag, strlen(tag));
		return 0;
	}
	snprintf(tag, sizeof tag, "%d[", fd);
	log_add(tag, strlen(tag));
	log_add(buf, len);
	log_add("]", 1);
	return 0;
}

long svm_read(void *buf, size_t len)
{
	size_t n = in_len - in_pos;

	log_add("r", 1);
	if (read_fails)
		return -1;
	if (n > len)
		n = len;
	if (in_chunk && n > in_chunk)
		n = in_chunk;
	memcpy(buf, in_data + in_pos, n);
	in_pos += n;
	return n;
}

int svm_random(void *buf, size_t len)
{
	unsigned char *p = buf;

	if (random_fails)
		return -1;
	while (len--)
		*p++ = 0xa5;
	return 0;
}

_Noreturn void svm_exit(int status)
{
	exit_status = status;
	longjmp(exit_jmp, 1);
}

uint64_t svm_time_ns(void)
{
	return fake_wall_ns;
}

uint64_t svm_monotonic_ns(void)
{
	return fake_mono_ns;
}

/* --- vsnprintf ----------------------------------------------------------- */

/*
 * Formats with both libcs, into a roomy buffer and into small ones, and
 * compares bytes and return values.
 */
#define TF(...) tf(__LINE__, __VA_ARGS__)
static void tf(int line, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void tf(int line, const char *fmt, ...)
{
	static const size_t sizes[] = { 0, 1, 2, 5, 13 };
	char a[2048], b[2048];
	va_list ap, aq;
	size_t i, n, k;
	int ra, rb;

	va_start(ap, fmt);
	va_copy(aq, ap);
	rb = vsnprintf(b, sizeof b, fmt, aq);
	va_end(aq);
	va_copy(aq, ap);
	memset(a, 'X', sizeof a);
	ra = g_vsnprintf(a, sizeof a, fmt, aq);
	va_end(aq);
	check(ra == rb && ra >= 0 && (size_t)ra < sizeof a &&
	        !memcmp(a, b, ra + 1),
	    line, "%s: got %d \"%s\", want %d \"%s\"", esc(fmt), ra,
	    esc_n(a, ra > 0 ? ra : 0), rb, esc_n(b, rb > 0 ? rb : 0));
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		n = sizes[i];
		k = n ? n - 1 : 0;
		if (k > (size_t)rb)
			k = rb;
		memset(a, 'X', sizeof a);
		va_copy(aq, ap);
		ra = g_vsnprintf(n ? a : NULL, n, fmt, aq);
		va_end(aq);
		check(ra == rb && !memcmp(a, b, k) &&
		        (n ? a[k] == 0 : a[0] == 'X') && a[n] == 'X',
		    line, "%s in %zu bytes: got %d \"%s\"", esc(fmt), n, ra,
		    esc_n(a, n));
	}
	va_end(ap);
}

/* The tables use odd formats on purpose: ignored flags, "", ... */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-zero-length"
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wformat-overflow"
#endif

static void test_printf_table(void)
{
	const char *volatile null_str = NULL;
	void *volatile null_ptr = NULL;

	TF("");
	TF("plain text");
	TF("%%");
	TF("100%% of %d", 5);
	TF("%d", 0);
	TF("%d", 1);
	TF("%d", -1);
	TF("%d", INT_MAX);
	TF("%d", INT_MIN);
	TF("%i", -12345);
	TF("%u", 0u);
	TF("%u", UINT_MAX);
	TF("%5d|", 42);
	TF("%-5d|", 42);
	TF("%05d", -42);
	TF("%+d", 5);
	TF("%+d", -5);
	TF("% d", 5);
	TF("%+ d", 5);
	TF("% 05d", 5);
	TF("%-+6d|", 5);
	TF("%.0d|", 0);
	TF("%5.0d|", 0);
	TF("%.3d", 7);
	TF("%8.3d|", -7);
	TF("%-8.3d|", 7);
	TF("%08.3d|", 7);
	TF("%+.3d", 7);
	TF("%x", 255u);
	TF("%X", 0xbeefu);
	TF("%x", 0u);
	TF("%#x", 0u);
	TF("%#x", 255u);
	TF("%#X", 255u);
	TF("%#010x", 255u);
	TF("%#-10x|", 255u);
	TF("%#.5x", 255u);
	TF("%#.0x|", 0u);
	TF("%o", 0777u);
	TF("%#o", 0u);
	TF("%#o", 8u);
	TF("%#.0o", 0u);
	TF("%.0o|", 0u);
	TF("%#5.3o|", 8u);
	TF("%#5.3o|", 01234u);
	TF("%hhd", 300);
	TF("%hhd", -129);
	TF("%hhu", -1);
	TF("%hhx", 0x1ff);
	TF("%hd", 70000);
	TF("%hd", -32769);
	TF("%hu", 70000);
	TF("%ld", LONG_MIN);
	TF("%ld", LONG_MAX);
	TF("%lu", ULONG_MAX);
	TF("%lx", ULONG_MAX);
	TF("%lo", ULONG_MAX);
	TF("%lld", LLONG_MIN);
	TF("%llu", ULLONG_MAX);
	TF("%#llX", 0x123456789abcdefull);
	TF("%zu", SIZE_MAX);
	TF("%zd", (ssize_t)-5);
	TF("%zx", (size_t)4096);
	TF("%jd", INTMAX_MIN);
	TF("%ju", UINTMAX_MAX);
	TF("%td", (ptrdiff_t)-3);
	TF("%tx", (ptrdiff_t)-1);
	TF("%*d|", 6, 42);
	TF("%-*d|", 6, 42);
	TF("%*d|", -6, 42);
	TF("%.*d|", 4, 42);
	TF("%.*d|", -1, 42);
	TF("%*.*d|", 8, 4, -42);
	TF("%-*.*x|", 8, 4, 0xabu);
	TF("%c", 'A');
	TF("%5c|", 'B');
	TF("%-5c|", 'C');
	TF("a%cb", 0);
	TF("%c", 0xe9);
	TF("%s", "hello");
	TF("%10s|", "hello");
	TF("%-10s|", "hello");
	TF("%.3s|", "hello");
	TF("%10.3s|", "hello");
	TF("%-10.3s|", "hello");
	TF("%.0s|", "hello");
	TF("%.10s|", "hi");
	TF("%s|", "");
	TF("%3s|", "");
	TF("%*s|", 7, "ab");
	TF("%.*s|", 2, "abc");
	TF("%s|", null_str);
	TF("%10s|", null_str);
	TF("%.3s|", null_str);
	TF("%.6s|", null_str);
	TF("%p", (void *)0x1234);
	TF("%p", (void *)UINTPTR_MAX);
	TF("%p", null_ptr);
	TF("%20p|", (void *)0xdeadbeef);
	TF("%-20p|", (void *)0xdeadbeef);
	TF("%10p|", null_ptr);
	TF("%-10p|", null_ptr);
	TF("%s=%d, %c%c|%5x|%-4u|", "key", -17, 'o', 'k', 0xabcu, 9u);
	TF("%300d|", 1);
	TF("%-300d|", 1);
	TF("%.400d", -1);
	TF("%0300d", -1);
}

static void test_printf_float_table(void)
{
	TF("%f", 0.0);
	TF("%f", -0.0);
	TF("%f", 1.0);
	TF("%f", -1.5);
	TF("%f", 3.14159265358979);
	TF("%f", 1e10);
	TF("%f", 1e-10);
	TF("%f", 123456789.125);
	TF("%f", 0.1);
	TF("%f", 1e15 + 0.3);
	TF("%f", 18446744073709551616.0);
	TF("%f", 1e300);
	TF("%f", -1.7976931348623157e308);
	TF("%.0f", 0.5);
	TF("%.0f", 1.5);
	TF("%.0f", 2.5);
	TF("%.0f", -2.5);
	TF("%.0f", 0.5000000000000001);
	TF("%.0f", 9.5);
	TF("%.2f", 0.125);
	TF("%.2f", 0.375);
	TF("%.2f", 2.675);
	TF("%.2f", 1.005);
	TF("%.1f", 0.05);
	TF("%.1f", 0.25);
	TF("%.1f", 0.35);
	TF("%.3f", 0.9995);
	TF("%.3f", 0.999999999);
	TF("%.3f", 0.0004);
	TF("%.3f", 0.0005);
	TF("%.3f", 0.0006);
	TF("%5.1f|", 9.96);
	TF("%.1f", 99.95);
	TF("%.15f", 0.1);
	TF("%.17f", 0.1);
	TF("%.30f", 0.1);
	TF("%.60f", 1.0 / 3);
	TF("%.20f", 2.2250738585072014e-308);
	TF("%.330f", 2.2250738585072014e-308);
	TF("%.0f", 4.9406564584124654e-324);
	TF("%.1080f", 4.9406564584124654e-324);
	TF("%.3f", 1e-320);
	TF("%10.3f|", -3.14159);
	TF("%-10.3f|", -3.14159);
	TF("%010.3f|", -3.14159);
	TF("%+f", 2.0);
	TF("%+.1f", -0.0);
	TF("% f", 2.0);
	TF("% .2f", -2.0);
	TF("%#.0f", 3.0);
	TF("%#.0f", 0.0);
	TF("%*.*f|", 12, 2, 3.14159);
	TF("%.*f|", -3, 3.14159);
	TF("%f", INFINITY);
	TF("%f", -INFINITY);
	TF("%8f|", INFINITY);
	TF("%-8f|", -INFINITY);
	TF("%08f|", INFINITY);
	TF("%+f", INFINITY);
	TF("% f", INFINITY);
	TF("%f", NAN);
	TF("%f", -NAN);
	TF("%5.2f|", NAN);
	TF("%F", INFINITY);
	TF("%F", NAN);
	TF("%F", 1.5);
	TF("%Lf", 1.5L);
	TF("%.3Lf", -2.0005L);
	TF("%e", 0.0);
	TF("%e", 1.0);
	TF("%e", 12345.678);
	TF("%e", -0.00012345678);
	TF("%.0e", 5e10);
	TF("%.0e", 2.5);
	TF("%.0e", 3.5);
	TF("%#.0e", 5e10);
	TF("%.3e", 9.9996);
	TF("%E", 1e-300);
	TF("%e", 1e100);
	TF("%e", 1.7976931348623157e308);
	TF("%e", 4.9406564584124654e-324);
	TF("%.20e", 4.9406564584124654e-324);
	TF("%15.3e|", -1234.5);
	TF("%-15.3e|", 1234.5);
	TF("%015.3e|", -1234.5);
	TF("%+e", 1.0);
	TF("%e", INFINITY);
	TF("%E", NAN);
	TF("%g", 0.0);
	TF("%g", -0.0);
	TF("%g", 1.0);
	TF("%g", 0.0001);
	TF("%g", 0.00001);
	TF("%g", 0.000123456789);
	TF("%g", 100000.0);
	TF("%g", 1000000.0);
	TF("%g", 123456.0);
	TF("%g", 1234567.0);
	TF("%g", 999999.5);
	TF("%g", 9999995.0);
	TF("%g", 3.14159265358979);
	TF("%.3g", 3.14159);
	TF("%.0g", 3.14159);
	TF("%.1g", 0.95);
	TF("%.10g", 1.0 / 3);
	TF("%.17g", 0.1);
	TF("%#g", 1.0);
	TF("%#g", 0.0);
	TF("%#.3g", 100.0);
	TF("%#.3g", 1e5);
	TF("%G", 1e-20);
	TF("%G", 1.5e20);
	TF("%g", 1e300);
	TF("%g", 4.9406564584124654e-324);
	TF("%12g|", -2.5);
	TF("%-12g|", 2.5e-7);
	TF("%012g|", -2.5);
	TF("%+g", 7.0);
	TF("%g", INFINITY);
	TF("%G", -INFINITY);
	TF("%g", NAN);
	TF("%s %f %d %g %e %c", "mix", 1.25, 3, 0.5, 1e3, 'z');
}

/* Random integer directives, with their arguments passed at the right type. */
static void test_printf_int_fuzz(void)
{
	static const char *const lens[] = { "", "hh", "h", "l", "ll", "z", "j",
		"t" };
	static const char convs[] = "diuoxX";
	char fmt[64], a[512], b[512];
	int i, ra, rb;

	for (i = 0; i < 40000; i++) {
		char conv = convs[rnd() % 6], *p = fmt;
		int li = rnd() % 8, width = rnd() % 25, prec = rnd() % 25;
		uint64_t r = rnd(), v;
		int shift = rnd() % 64;

		*p++ = '%';
		if (rnd() % 3 == 0)
			*p++ = '-';
		if (rnd() % 3 == 0)
			*p++ = '0';
		if ((conv == 'd' || conv == 'i') && rnd() % 3 == 0)
			*p++ = '+';
		if ((conv == 'd' || conv == 'i') && rnd() % 3 == 0)
			*p++ = ' ';
		if ((conv == 'o' || conv == 'x' || conv == 'X') &&
		    rnd() % 2 == 0)
			*p++ = '#';
		if (rnd() % 2)
			p += sprintf(p, "%d", width);
		if (rnd() % 2)
			p += sprintf(p, ".%d", rnd() % 4 ? prec : 0);
		p += sprintf(p, "%s%c|", lens[li], conv);
		v = rnd() % 4 == 0 ? r % 3 : r >> shift;
		if (rnd() % 2)
			v = -v;
#define ONE(T)                                                                 \
	do {                                                                   \
		ra = g_snprintf(a, sizeof a, fmt, (T)v);                       \
		rb = snprintf(b, sizeof b, fmt, (T)v);                         \
	} while (0)
		if (conv == 'd' || conv == 'i') {
			switch (li) {
			case 3:
				ONE(long);
				break;
			case 4:
				ONE(long long);
				break;
			case 5:
				ONE(ssize_t);
				break;
			case 6:
				ONE(intmax_t);
				break;
			case 7:
				ONE(ptrdiff_t);
				break;
			default:
				ONE(int);
				break;
			}
		} else {
			switch (li) {
			case 3:
				ONE(unsigned long);
				break;
			case 4:
				ONE(unsigned long long);
				break;
			case 5:
				ONE(size_t);
				break;
			case 6:
				ONE(uintmax_t);
				break;
			case 7:
				ONE(ptrdiff_t);
				break;
			default:
				ONE(unsigned);
				break;
			}
		}
#undef ONE
		CHECK(ra == rb && !strcmp(a, b),
		    "%s with %#llx: got %d \"%s\", want %d \"%s\"", fmt,
		    (unsigned long long)v, ra, a, rb, b);
	}
}

static double random_double(void)
{
	uint64_t bits;
	double d;
	int e;

	switch (rnd() % 5) {
	case 0:
		/* Any bit pattern: huge, tiny, subnormal, inf, nan. */
		bits = rnd();
		memcpy(&d, &bits, sizeof d);
		return d;
	case 1:
		/* Exact binary fractions: ties galore. */
		return (double)(int64_t)(rnd() % 200001 - 100000) /
		    (1 << rnd() % 12);
	case 2:
		return (double)(int64_t)rnd() / (double)(rnd() | 1);
	default:
		/* Ordinary magnitudes. */
		d = (double)(rnd() >> 11) / (double)(1ull << 53);
		for (e = (int)(rnd() % 41) - 20; e > 0; e--)
			d *= 10;
		for (; e < 0; e++)
			d /= 10;
		return rnd() % 2 ? -d : d;
	}
}

static void test_printf_float_fuzz(void)
{
	static const char convs[] = "feEgG";
	char fmt[32], a[2048], b[2048];
	int i, ra, rb;

	for (i = 0; i < 40000; i++) {
		double d = random_double();
		char conv = convs[rnd() % 5], *p = fmt;
		int prec = rnd() % 4 ? (int)(rnd() % 20) : (int)(rnd() % 60);

		*p++ = '%';
		if (rnd() % 4 == 0)
			*p++ = "-0+ #"[rnd() % 5];
		if (rnd() % 4 == 0)
			p += sprintf(p, "%d", (int)(rnd() % 30));
		if (rnd() % 4)
			p += sprintf(p, ".%d", prec);
		*p++ = conv;
		*p = 0;
		ra = g_snprintf(a, sizeof a, fmt, d);
		rb = snprintf(b, sizeof b, fmt, d);
		CHECK(ra == rb && !strcmp(a, b),
		    "%s with %a: got %d \"%s\", want %d \"%s\"", fmt, d, ra, a,
		    rb, b);
	}
}

static void test_printf_misc(void)
{
	char buf[16];

	CHECK(g_snprintf(NULL, 0, "%d", 12345) == 5, "NULL, 0 length");
	CHECK(g_snprintf(NULL, 0, "%s%s", "ab", "cd") == 4, "NULL, 0 length");
	g_errno = 0;
	CHECK(g_snprintf(buf, sizeof buf, "%2147483647d%d", 1, 2) == -1 &&
	        g_errno == EOVERFLOW,
	    "length over INT_MAX must fail");
	CHECK(g_snprintf(buf, sizeof buf, "%2147483648d", 1) == -1,
	    "width over INT_MAX must fail");
	CHECK(g_snprintf(buf, sizeof buf, "%.99999999999d", 1) == -1,
	    "precision over INT_MAX must fail");
	/* Unknown directives come out as they stand. */
	CHECK(g_snprintf(buf, sizeof buf, "a%yb") == 4 && !strcmp(buf, "a%yb"),
	    "unknown conversion: \"%s\"", buf);
	CHECK(g_snprintf(buf, sizeof buf, "ab%") == 3 && !strcmp(buf, "ab%"),
	    "trailing %%: \"%s\"", buf);
}

#pragma GCC diagnostic pop

/* --- malloc -------------------------------------------------------------- */

#define ARENA (1 << 20)
static _Alignas(16) unsigned char arena[ARENA + 64];

struct slot {
	unsigned char *p;
	size_t n;
	unsigned char seed;
};

static int pattern_ok(const struct slot *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->p[i] != (unsigned char)(s->seed + i * 7))
			return 0;
	return 1;
}

static void pattern_fill(struct slot *s, size_t from)
{
	size_t i;

	for (i = from; i < s->n; i++)
		s->p[i] = s->seed + i * 7;
}

static int in_heap(const void *p, size_t n, const unsigned char *lo,
    const unsigned char *hi)
{
	const unsigned char *c = p;

	return c >= lo && c <= hi && n <= (size_t)(hi - c);
}

static int cmp_slot(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	return (x->p > y->p) - (x->p < y->p);
}

static size_t random_size(void)
{
	switch (rnd() % 20) {
	case 0:
		return rnd() % 65536;
	case 1:
	case 2:
	case 3:
	case 4:
		return rnd() % 4096;
	default:
		return rnd() % 129;
	}
}

static void test_malloc_model(void)
{
	enum { NSLOT = 300 };
	static struct slot slots[NSLOT], sorted[NSLOT];
	unsigned char *lo = arena + 3, *hi = arena + ARENA - 5;
	int i, j, k, nnull = 0, bad = 0;

	__svm_heap_init(lo, hi);
	memset(slots, 0, sizeof slots);
	for (i = 0; i < 100000; i++) {
		struct slot *s = &slots[rnd() % NSLOT];
		size_t n;
		unsigned char *q;

		if (!s->p) {
			n = random_size();
			q = rnd() % 8 ? g_malloc(n) : g_calloc(1, n);
			if (!q) {
				nnull++;
				continue;
			}
			if (((uintptr_t)q & 15) || !in_heap(q, n, lo, hi))
				bad++;
			s->p = q;
			s->n = n;
			s->seed = rnd();
			pattern_fill(s, 0);
		} else if (rnd() % 3) {
			if (!pattern_ok(s))
				bad++;
			g_free(s->p);
			s->p = NULL;
		} else {
			n = random_size();
			if (!pattern_ok(s))
				bad++;
			q = g_realloc(s->p, n);
			if (!q) {
				nnull++;
				continue;
			}
			if (((uintptr_t)q & 15) || !in_heap(q, n, lo, hi))
				bad++;
			s->p = q;
			if (n < s->n)
				s->n = n;
			if (!pattern_ok(s))
				bad++;
			k = s->n;
			s->n = n;
			pattern_fill(s, k);
		}
		if (i % 997 == 0) {
			/* Contents intact and no two live blocks overlap. */
			for (j = k = 0; j < NSLOT; j++) {
				if (!slots[j].p)
					continue;
				if (!pattern_ok(&slots[j]))
					bad++;
				sorted[k++] = slots[j];
			}
			qsort(sorted, k, sizeof sorted[0], cmp_slot);
			for (j = 1; j < k; j++)
				if (sorted[j - 1].p + sorted[j - 1].n >
				    sorted[j].p)
					bad++;
		}
	}
	CHECK(!bad, "malloc model: %d inconsistencies", bad);
	CHECK(nnull < 1000, "malloc model: %d failed allocations", nnull);
	for (j = 0; j < NSLOT; j++) {
		if (slots[j].p && !pattern_ok(&slots[j]))
			bad++;
		g_free(slots[j].p);
	}
	CHECK(!bad, "malloc model: contents damaged at the end");

	/* Everything coalesced back: the whole heap is one block again. */
	{
		size_t whole = ((uintptr_t)hi & ~(uintptr_t)15) -
		    (((uintptr_t)lo + 15) & ~(uintptr_t)15);
		void *p = g_malloc(whole - 15);

		CHECK(!p, "malloc larger than the heap succeeded");
		p = g_malloc(whole - 16);
		CHECK(p != NULL, "heap did not coalesce back into one block");
		g_free(p);
		p = g_malloc(whole - 16);
		CHECK(p != NULL, "whole-heap block not reusable");
		g_free(p);
	}
}

static void test_malloc_exhaustion(void)
{
	static void *ptrs[ARENA / 16];
	size_t n, m, i, j;
	void *p;

	__svm_heap_init(arena, arena + ARENA);
	for (n = 0; (ptrs[n] = g_malloc(1000)); n++)
		memset(ptrs[n], (int)n, 1000);
	CHECK(n > 900 && n < ARENA / 1000, "exhaustion after %zu blocks", n);
	CHECK(g_errno == ENOMEM, "errno after failed malloc: %d", g_errno);
	CHECK(!g_malloc(SIZE_MAX) && !g_malloc(SIZE_MAX - 15) &&
	        !g_malloc(SIZE_MAX / 2) && !g_malloc(ARENA) &&
	        !g_calloc(SIZE_MAX / 2 + 1, 2) &&
	        !g_calloc((size_t)1 << 32, (size_t)1 << 32) &&
	        !g_calloc(2, SIZE_MAX) && !g_realloc(ptrs[0], SIZE_MAX),
	    "huge requests must fail");
	for (i = 0; i < n; i++)
		for (j = 0; j < 1000; j += 333)
			if (((unsigned char *)ptrs[i])[j] != (unsigned char)i)
				CHECK(0, "block %zu damaged", i);
	/* Free in a scrambled order, then the same number must fit again. */
	for (i = 0; i < n; i++) {
		j = rnd() % n;
		p = ptrs[i];
		ptrs[i] = ptrs[j];
		ptrs[j] = p;
	}
	for (i = 0; i < n; i++)
		g_free(ptrs[i]);
	for (m = 0; (ptrs[m] = g_malloc(1000)); m++)
		;
	CHECK(m == n, "%zu blocks after freeing all, first time %zu", m, n);
	for (i = 0; i < m; i++)
		g_free(ptrs[i]);
	/* Small blocks until exhaustion, as a hostile app would. */
	for (n = 0; g_malloc(rnd() % 40); n++)
		;
	CHECK(n > ARENA / 80, "tiny blocks: only %zu", n);
	CHECK(g_calloc(1, 1) == NULL || 1, "calloc after exhaustion");
}

static void test_malloc_api(void)
{
	unsigned char *p, *q, *r;
	size_t i;
	int ok;

	__svm_heap_init(arena, arena + ARENA);
	/* calloc must zero reused memory. */
	p = g_malloc(5000);
	memset(p, 0xaa, 5000);
	g_free(p);
	p = g_calloc(100, 50);
	for (ok = 1, i = 0; i < 5000; i++)
		ok &= p[i] == 0;
	CHECK(p && ok, "calloc did not zero");
	g_free(p);
	p = g_calloc(0, 5);
	CHECK(p != NULL, "calloc(0, 5) returned NULL");
	g_free(p);
	g_free(NULL);

	p = g_malloc(0);
	q = g_malloc(0);
	CHECK(p && q && p != q, "malloc(0) must give distinct pointers");
	g_free(p);
	g_free(q);

	/* realloc grows in place into a freed neighbour, and shrinks in place.
	 */
	p = g_malloc(100);
	q = g_malloc(100);
	r = g_malloc(100);
	memset(p, 1, 100);
	g_free(q);
	CHECK(g_realloc(p, 200) == p, "realloc did not grow in place");
	CHECK(p[99] == 1, "realloc lost data");
	CHECK(g_realloc(p, 10) == p, "realloc did not shrink in place");
	q = g_malloc(150);
	CHECK(q && q < r, "shrunk tail not reused");
	/* realloc that must move keeps the contents. */
	memset(p, 2, 10);
	p = g_realloc(p, 3000);
	for (ok = p != NULL, i = 0; ok && i < 10; i++)
		ok &= p[i] == 2;
	CHECK(ok, "realloc move lost data");
	CHECK(!g_realloc(p, ARENA), "realloc beyond the heap succeeded");
	CHECK(p[0] == 2, "failed realloc damaged the block");
	q = g_realloc(p, 0);
	CHECK(q == p, "realloc(p, 0) should shrink in place");
	g_free(q);
	p = g_realloc(NULL, 33);
	CHECK(p && !((uintptr_t)p & 15), "realloc(NULL, n)");
	g_free(p);

	/* Heaps too small to hold a block. */
	__svm_heap_init(NULL, NULL);
	CHECK(!g_malloc(0), "malloc with no heap");
	__svm_heap_init(arena, arena);
	CHECK(!g_malloc(0), "malloc on an empty heap");
	__svm_heap_init(arena + 1, arena + 40);
	CHECK(!g_malloc(0), "malloc on a 31-byte heap");
	__svm_heap_init(arena, arena + 32);
	p = g_malloc(16);
	CHECK(p == arena + 16 && !g_malloc(0), "32-byte heap");
	g_free(p);
	CHECK(!g_malloc(17) && g_malloc(1), "32-byte heap after free");
}

/* Misuse stops the app through abort() instead of corrupting the heap. */
static void test_malloc_abort(void)
{
	void *volatile p;
	static char x[64];

	__svm_heap_init(arena, arena + ARENA);
	p = g_malloc(10);
	g_free(p);
	log_reset();
	exit_status = -1;
	if (!setjmp(exit_jmp))
		g_free(p);
	CHECK(exit_status == 134 && !strcmp(hc_log, "2[abort\n]"),
	    "double free: status %d, log \"%s\"", exit_status, esc(hc_log));
	exit_status = -1;
	if (!setjmp(exit_jmp))
		g_free(x + 16);
	CHECK(exit_status == 134, "free of a foreign pointer: %d", exit_status);
	exit_status = -1;
	p = g_malloc(10);
	if (!setjmp(exit_jmp))
		g_realloc((char *)p + 16, 100);
	CHECK(exit_status == 134, "realloc of a bad pointer: %d", exit_status);
}

/* --- string -------------------------------------------------------------- */

static void test_mem(void)
{
	unsigned char a[160], b[160], src[160];
	size_t n, s, d, i;
	int bad = 0, c;

	for (i = 0; i < sizeof src; i++)
		src[i] = rnd();
	for (n = 0; n <= 70; n++)
		for (s = 0; s < 9; s++)
			for (d = 0; d < 9; d++) {
				memcpy(a, src, sizeof a);
				memcpy(b, src, sizeof b);
				if (g_memcpy(a + 80 + d, a + s, n) !=
				    a + 80 + d)
					bad++;
				memcpy(b + 80 + d, b + s, n);
				bad += !!memcmp(a, b, sizeof a);
				/* Overlapping both ways. */
				memcpy(a, src, sizeof a);
				memcpy(b, src, sizeof b);
				if (g_memmove(a + 20 + d, a + 20 + s, n) !=
				    a + 20 + d)
					bad++;
				memmove(b + 20 + d, b + 20 + s, n);
				bad += !!memcmp(a, b, sizeof a);
				c = (int)(rnd() % 512) - 128;
				if (g_memset(a + s, c, n) != a + s)
					bad++;
				memset(b + s, c, n);
				bad += !!memcmp(a, b, sizeof a);
			}
	CHECK(!bad, "memcpy/memmove/memset: %d mismatches", bad);
	for (i = 0; i < 20000; i++) {
		n = rnd() % 40;
		memcpy(a, src, n);
		memcpy(b, src, n);
		if (n && rnd() % 2)
			b[rnd() % n] = rnd();
		if (sign(g_memcmp(a, b, n)) != sign(memcmp(a, b, n)))
			bad++;
		c = rnd() % 2 ? (int)src[rnd() % 40] : (int)(rnd() % 600) - 300;
		if (g_memchr(a, c, n) != memchr(a, c, n))
			bad++;
	}
	CHECK(!bad, "memcmp/memchr: %d mismatches", bad);
	CHECK(g_memcmp("a", "b", 0) == 0 && g_memchr("", 0, 0) == NULL,
	    "zero lengths");
	CHECK(g_memcmp("\x80", "\x01", 1) > 0, "memcmp must compare unsigned");
}

#ifndef __clang__
/* strncpy(b, s, 0) below is meant. */
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#endif
static void test_str(void)
{
	static const char *const strs[] = { "", "a", "b", "ab", "abc", "abd",
		"abcdef", "hello world", "\x80", "\xe9t\xe9", "zz", "aaaaab",
		"aab", "hello", "world", "o w", "lo", "\xff" };
	const size_t ns = sizeof strs / sizeof strs[0];
	char a[64], b[64], *p;
	size_t i, j, n;
	int bad = 0, c;

	for (i = 0; i < ns; i++) {
		const char *s = strs[i];

		bad += g_strlen(s) != strlen(s);
		for (n = 0; n < 15; n++)
			bad += g_strnlen(s, n) != strnlen(s, n);
		for (c = -2; c < 260; c++) {
			bad += g_strchr(s, c) != strchr(s, c);
			bad += g_strrchr(s, c) != strrchr(s, c);
		}
		for (j = 0; j < ns; j++) {
			const char *t = strs[j];

			bad += sign(g_strcmp(s, t)) != sign(strcmp(s, t));
			for (n = 0; n < 8; n++)
				bad += sign(g_strncmp(s, t, n)) !=
				    sign(strncmp(s, t, n));
			bad += g_strstr(s, t) != strstr(s, t);
			memset(a, 'x', sizeof a);
			memset(b, 'x', sizeof b);
			strcpy(a, s);
			strcpy(b, s);
			bad += g_strcat(a, t) != a;
			strcat(b, t);
			bad += !!memcmp(a, b, sizeof a);
		}
		memset(a, 'x', sizeof a);
		memset(b, 'x', sizeof b);
		bad += g_strcpy(a, s) != a;
		strcpy(b, s);
		bad += !!memcmp(a, b, sizeof a);
		for (n = 0; n < 20; n++) {
			memset(a, 'x', sizeof a);
			memset(b, 'x', sizeof b);
			bad += g_strncpy(a, s, n) != a;
			strncpy(b, s, n);
			bad += !!memcmp(a, b, sizeof a);
		}
	}
	CHECK(!bad, "string functions: %d mismatches", bad);
	__svm_heap_init(arena, arena + ARENA);
	p = g_strdup("duplicate me");
	CHECK(p && !strcmp(p, "duplicate me") &&
	        in_heap(p, 13, arena, arena + ARENA),
	    "strdup");
	g_free(p);
	__svm_heap_init(arena, arena + 32);
	CHECK(!g_strdup("seventeen bytes!!"), "strdup without memory");
}

/* --- stdio --------------------------------------------------------------- */

static void set_input(const char *s, size_t chunk)
{
	in_data = s;
	in_len = strlen(s);
	in_pos = 0;
	in_chunk = chunk;
	g_clearerr(g_stdin);
}

static void test_stdio_output(void)
{
	char big[5000];
	int i, r;

	__svm_heap_init(arena, arena + ARENA);
	log_reset();
	r = g_printf("hello %d\n", 5);
	CHECK(r == 8 && !strcmp(hc_log, "1[hello 5\n]"), "printf: %d \"%s\"", r,
	    esc(hc_log));

	/* Only up to the last newline goes out; the rest waits. */
	log_reset();
	g_printf("a\nb\nc");
	CHECK(!strcmp(hc_log, "1[a\nb\n]"), "partial line: \"%s\"",
	    esc(hc_log));
	g_putchar('d');
	g_fputs("e", g_stdout);
	CHECK(!strcmp(hc_log, "1[a\nb\n]"), "no newline, no write: \"%s\"",
	    esc(hc_log));
	CHECK(g_fflush(g_stdout) == 0 && !strcmp(hc_log, "1[a\nb\n]1[cde]"),
	    "fflush: \"%s\"", esc(hc_log));
	CHECK(g_fflush(g_stdout) == 0 && !strcmp(hc_log, "1[a\nb\n]1[cde]"),
	    "empty fflush wrote: \"%s\"", esc(hc_log));

	/* One write per line even when it is built from bytes. */
	log_reset();
	for (i = 0; i < 10; i++)
		g_putchar('0' + i);
	g_putchar('\n');
	g_puts("line");
	CHECK(!strcmp(hc_log, "1[0123456789\n]1[line\n]"),
	    "putchar/puts: "
	    "\"%s\"",
	    esc(hc_log));

	/* A full buffer goes out whole. */
	log_reset();
	for (i = 0; i < 4096; i++)
		g_putc('a', g_stdout);
	CHECK(!hc_len, "write before the buffer was full: \"%s\"", esc(hc_log));
	g_putc('b', g_stdout);
	CHECK(!strcmp(hc_log, "1<4096:aa>"), "full buffer: \"%s\"",
	    esc(hc_log));
	g_fflush(NULL);

	/* Big blocks: pending bytes first, then the block in one write. */
	log_reset();
	memset(big, 'x', sizeof big);
	big[0] = 'B';
	big[sizeof big - 1] = 'E';
	g_fputs("pending", g_stdout);
	CHECK(g_fwrite(big, 1, sizeof big, g_stdout) == sizeof big &&
	        !strcmp(hc_log, "1[pending]1<5000:BE>"),
	    "big fwrite: \"%s\"", esc(hc_log));
	log_reset();
	CHECK(g_fwrite(big, 100, 0, g_stdout) == 0 &&
	        g_fwrite(big, 0, 100, g_stdout) == 0 && !hc_len,
	    "empty fwrite");
	CHECK(g_fwrite(big, 10, 3, g_stdout) == 3, "fwrite count");
	g_fflush(g_stdout);
	/* A buffer that would overflow is flushed, then filled again. */
	log_reset();
	g_fwrite(big, 1, 3000, g_stdout);
	g_fwrite(big, 1, 3000, g_stdout);
	CHECK(!strcmp(hc_log, "1<3000:Bx>"), "overflowing fwrite: \"%s\"",
	    esc(hc_log));
	g_fflush(g_stdout);
	/* A long printf is one fwrite per 4 KiB chunk. */
	log_reset();
	g_printf("%s%s\n", "<", "");
	g_printf("%6000d\n", 7);
	CHECK(!strcmp(hc_log, "1[<\n]1<4096:  >1<1905: \n>"),
	    "long printf: \"%s\"", esc(hc_log));
	g_fflush(g_stdout);

	/* stderr: unbuffered, but one write per printf. */
	log_reset();
	r = g_fprintf(g_stderr, "err %s %d%c", "x", 3, '\n');
	CHECK(r == 8 && !strcmp(hc_log, "2[err x 3\n]"),
	    "stderr printf: "
	    "\"%s\"",
	    esc(hc_log));
	log_reset();
	g_fputc('a', g_stderr);
	g_fputs("bc", g_stderr);
	CHECK(!strcmp(hc_log, "2[a]2[bc]"), "stderr bytes: \"%s\"",
	    esc(hc_log));
	/* stdout output stays in its buffer while stderr is written. */
	log_reset();
	g_printf("out");
	g_fprintf(g_stderr, "err");
	g_fflush(NULL);
	CHECK(!strcmp(hc_log, "2[err]1[out]"), "stdout vs stderr: \"%s\"",
	    esc(hc_log));

	/* A failing write is reported and sticks in ferror. */
	log_reset();
	write_fails = 1;
	r = g_printf("lost\n");
	CHECK(r == -1 && g_ferror(g_stdout), "write error: printf %d", r);
	CHECK(g_fputs("x\n", g_stderr) == EOF && g_putchar('\n') == EOF,
	    "write error: fputs/putchar");
	write_fails = 0;
	g_clearerr(g_stdout);
	g_clearerr(g_stderr);
	CHECK(!g_ferror(g_stdout) && g_printf("ok\n") == 3 &&
	        !strcmp(hc_log, "1[ok\n]"),
	    "after clearerr: \"%s\"", esc(hc_log));
	/* Reading an output stream fails. */
	CHECK(g_fgetc(g_stdout) == EOF && g_ferror(g_stdout), "fgetc(stdout)");
	g_clearerr(g_stdout);
	CHECK(g_fputc('x', g_stdin) == EOF && g_ferror(g_stdin),
	    "fputc(stdin)");
	g_clearerr(g_stdin);
	log_reset();
}

static void test_stdio_input(void)
{
	char line[16], big[10000];
	size_t n;
	int c, i;

	/* Prompts come out before stdin is read. */
	log_reset();
	set_input("xy\n", 0);
	g_printf("name? ");
	c = g_getchar();
	CHECK(c == 'x' && !strcmp(hc_log, "1[name? ]r"), "prompt: \"%s\"",
	    esc(hc_log));
	CHECK(g_getchar() == 'y' && g_getc(g_stdin) == '\n' &&
	        !strcmp(hc_log, "1[name? ]r"),
	    "read-ahead: \"%s\"", esc(hc_log));
	CHECK(g_getchar() == EOF && g_feof(g_stdin) && !g_ferror(g_stdin),
	    "EOF");
	CHECK(g_getchar() == EOF, "EOF is sticky");
	log_reset();

	/* fgets across refills, long lines split, last line unterminated. */
	set_input("one\ntwo two two two\n\nlast", 3);
	CHECK(g_fgets(line, sizeof line, g_stdin) == line &&
	        !strcmp(line, "one\n"),
	    "fgets 1: \"%s\"", esc(line));
	CHECK(g_fgets(line, sizeof line, g_stdin) == line &&
	        !strcmp(line, "two two two two"),
	    "fgets 2: \"%s\"", esc(line));
	CHECK(g_fgets(line, sizeof line, g_stdin) == line &&
	        !strcmp(line, "\n"),
	    "fgets 3: \"%s\"", esc(line));
	CHECK(g_fgets(line, sizeof line, g_stdin) == line &&
	        !strcmp(line, "\n"),
	    "fgets 4: \"%s\"", esc(line));
	CHECK(g_fgets(line, sizeof line, g_stdin) == line &&
	        !strcmp(line, "last"),
	    "fgets 5: \"%s\"", esc(line));
	CHECK(g_fgets(line, sizeof line, g_stdin) == NULL && g_feof(g_stdin),
	    "fgets at EOF");
	set_input("abc", 0);
	CHECK(g_fgets(line, 1, g_stdin) == line && line[0] == 0 &&
	        g_fgets(line, 0, g_stdin) == NULL,
	    "fgets size 1 and 0");
	CHECK(g_fgets(line, 3, g_stdin) == line && !strcmp(line, "ab"),
	    "fgets size 3: \"%s\"", esc(line));
	CHECK(g_fgetc(g_stdin) == 'c' && g_fgetc(g_stdin) == EOF,
	    "after fgets");

	/* fread: small reads through the buffer, big ones straight through. */
	for (i = 0; i < (int)sizeof big - 1; i++)
		big[i] = 'a' + i % 26;
	big[sizeof big - 1] = 0;
	set_input(big, 1000);
	log_reset();
	n = g_fread(line, 1, 10, g_stdin);
	CHECK(n == 10 && !memcmp(line, big, 10), "fread small");
	{
		static char got[10000];

		n = g_fread(got, 1, 8000, g_stdin);
		CHECK(n == 8000 && !memcmp(got, big + 10, 8000),
		    "fread big: %zu", n);
		n = g_fread(got, 7, 1000, g_stdin);
		CHECK(n == 1989 / 7 && !memcmp(got, big + 8010, 1989) &&
		        g_feof(g_stdin),
		    "fread to EOF: %zu", n);
	}
	set_input("", 0);
	read_fails = 1;
	CHECK(g_getchar() == EOF && g_ferror(g_stdin) && !g_feof(g_stdin),
	    "read error");
	read_fails = 0;
	set_input("", 0);
	log_reset();
}

static void test_ctype(void)
{
	int c, bad = 0;

	/* glibc in the "C" locale is the reference, EOF included. */
	for (c = -1; c < 256; c++) {
		bad += !g_isdigit(c) != !isdigit(c);
		bad += !g_isupper(c) != !isupper(c);
		bad += !g_islower(c) != !islower(c);
		bad += !g_isalpha(c) != !isalpha(c);
		bad += !g_isalnum(c) != !isalnum(c);
		bad += !g_isxdigit(c) != !isxdigit(c);
		bad += !g_isspace(c) != !isspace(c);
		bad += !g_isprint(c) != !isprint(c);
		bad += !g_isgraph(c) != !isgraph(c);
		bad += !g_iscntrl(c) != !iscntrl(c);
		bad += !g_ispunct(c) != !ispunct(c);
		bad += g_toupper(c) != toupper(c);
		bad += g_tolower(c) != tolower(c);
	}
	CHECK(!bad, "ctype: %d mismatches", bad);
}

/* --- stdlib and time ----------------------------------------------------- */

static void test_strto(void)
{
	static const char *const strs[] = { "0", "42", "-42", "  +17xyz",
		"0x1f", "0X1F", "0x", "0xg", "-0x10", "0x-1", "077", "08", "z",
		"Z9", "", "   ", "-", "+", "+-1", "9223372036854775807",
		"9223372036854775808", "-9223372036854775808",
		"-9223372036854775809", "18446744073709551615",
		"18446744073709551616", "-18446744073709551615",
		"-18446744073709551616", "-1", "99999999999999999999999",
		"\t\n\v\f\r 12", "1a", "zzzzzzzzzzzzz", "-zzzzzzzzzzzz", "1y2",
		"0b101", "2147483648", "-2147483649", "4294967296" };
	static const int bases[] = { 0, 2, 8, 10, 16, 36 };
	size_t i, j;
	int bad = 0;

	for (i = 0; i < sizeof strs / sizeof strs[0]; i++)
		for (j = 0; j < sizeof bases / sizeof bases[0]; j++) {
			const char *s = strs[i];
			int b = bases[j], ea, eb;
			char *enda, *endb;

#define CMP(F)                                                                 \
	do {                                                                   \
		g_errno = 0;                                                   \
		errno = 0;                                                     \
		if (g_##F(s, &enda, b) != F(s, &endb, b) || enda != endb ||    \
		    (ea = g_errno) != (eb = errno)) {                          \
			bad++;                                                 \
			printf("FAIL line %d: %s(\"%s\", %d): %lld, end+%td, " \
			       "errno %d\n",                                   \
			    __LINE__, #F, esc(s), b,                           \
			    (long long)g_##F(s, NULL, b), enda - s, g_errno);  \
		}                                                              \
	} while (0)
			CMP(strtol);
			CMP(strtoll);
			CMP(strtoul);
			CMP(strtoull);
#undef CMP
		}
	CHECK(!bad, "strto*: %d mismatches", bad);
	g_errno = 0;
	CHECK(g_strtol("12", NULL, 1) == 0 && g_errno == EINVAL &&
	        g_strtoul("12", NULL, 37) == 0,
	    "invalid base");
	CHECK(g_atoi("  -123abc") == -123 && g_atoi("x") == 0 &&
	        g_atol("9000000000") == 9000000000L,
	    "atoi/atol");
	CHECK(g_abs(-3) == 3 && g_abs(4) == 4 && g_labs(-5L) == 5 &&
	        g_llabs(-6LL) == 6,
	    "abs");
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int cmp_first(const void *a, const void *b)
{
	return *(const unsigned char *)a - *(const unsigned char *)b;
}

static void test_qsort(void)
{
	int a[300], b[300];
	unsigned char c[3 * 100];
	size_t n, i;
	int bad = 0;

	for (n = 0; n <= 300; n += n < 20 ? 1 : 37) {
		for (i = 0; i < n; i++)
			a[i] = b[i] = rnd() % 4 ? (int)rnd() : (int)(rnd() % 5);
		g_qsort(a, n, sizeof a[0], cmp_int);
		qsort(b, n, sizeof b[0], cmp_int);
		bad += !!memcmp(a, b, n * sizeof a[0]);
	}
	for (i = 0; i < sizeof c; i++)
		c[i] = rnd() % 16;
	g_qsort(c, 100, 3, cmp_first);
	for (i = 1; i < 100; i++)
		bad += c[3 * i - 3] > c[3 * i];
	g_qsort(NULL, 0, 4, cmp_int);
	CHECK(!bad, "qsort: %d mismatches", bad);
}

static void test_misc_stdlib(void)
{
	unsigned char buf[300];
	int r1[5], r2[5], i, bad = 0;

	g_srand(5);
	for (i = 0; i < 5; i++)
		r1[i] = g_rand();
	g_srand(5);
	for (i = 0; i < 5; i++) {
		r2[i] = g_rand();
		bad += r1[i] != r2[i] || r2[i] < 0;
	}
	CHECK(!bad && r1[0] != r1[1], "rand is not a repeatable sequence");

	memset(buf, 0, sizeof buf);
	CHECK(g_getentropy(buf, 256) == 0 && buf[0] == 0xa5 &&
	        buf[255] == 0xa5 && buf[256] == 0,
	    "getentropy");
	g_errno = 0;
	CHECK(g_getentropy(buf, 257) == -1 && g_errno == EINVAL,
	    "getentropy over 256");
	random_fails = 1;
	CHECK(g_getentropy(buf, 8) == -1 && g_errno == EIO,
	    "getentropy failure");
	random_fails = 0;

	/* exit flushes stdout; abort does not. */
	log_reset();
	g_printf("unflushed");
	g_fputs("e", g_stderr);
	exit_status = -1;
	if (!setjmp(exit_jmp))
		g_exit(258);
	CHECK(exit_status == 258 && !strcmp(hc_log, "2[e]1[unflushed]"),
	    "exit: status %d, log \"%s\"", exit_status, esc(hc_log));
	log_reset();
	exit_status = -1;
	if (!setjmp(exit_jmp))
		g_abort();
	CHECK(exit_status == 134 && !strcmp(hc_log, "2[abort\n]"),
	    "abort: status %d, log \"%s\"", exit_status, esc(hc_log));
}

static void test_time(void)
{
	struct timespec ts;
	time_t t = 0;

	fake_wall_ns = 1700000000123456789ull;
	fake_mono_ns = 5000000123ull;
	CHECK(g_time(NULL) == 1700000000 && g_time(&t) == 1700000000 &&
	        t == 1700000000,
	    "time");
	CHECK(g_clock_gettime(CLOCK_REALTIME, &ts) == 0 &&
	        ts.tv_sec == 1700000000 && ts.tv_nsec == 123456789,
	    "CLOCK_REALTIME");
	CHECK(g_clock_gettime(CLOCK_MONOTONIC, &ts) == 0 && ts.tv_sec == 5 &&
	        ts.tv_nsec == 123,
	    "CLOCK_MONOTONIC");
	g_errno = 0;
	CHECK(g_clock_gettime(7, &ts) == -1 && g_errno == EINVAL,
	    "unknown clock");
	CHECK(g_clock() == 5000000, "clock: %ld", (long)g_clock());
}

int main(void)
{
	test_printf_table();
	test_printf_float_table();
	test_printf_int_fuzz();
	test_printf_float_fuzz();
	test_printf_misc();
	test_malloc_model();
	test_malloc_exhaustion();
	test_malloc_api();
	test_malloc_abort();
	test_mem();
	test_str();
	test_ctype();
	test_stdio_output();
	test_stdio_input();
	test_strto();
	test_qsort();
	test_misc_stdlib();
	test_time();
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
