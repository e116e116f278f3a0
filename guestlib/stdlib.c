/* stdlib.c: exit, number parsing, sorting and random numbers for guest apps. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <svm.h>

int errno;

_Noreturn void exit(int status)
{
	fflush(NULL);
	svm_exit(status);
}

_Noreturn void abort(void)
{
	/* Straight to the hypercall: stdio's state may be what is broken. */
	svm_write(2, "abort\n", 6);
	svm_exit(134);
}

/*
 * The common part of the strto* family: skips blanks, takes a sign and the
 * base prefix, and returns the magnitude, or ULLONG_MAX with *ovf set.
 */
static unsigned long long parse(const char *s, char **end, int base, int *neg,
    int *ovf)
{
	const char *p = s;
	unsigned long long v = 0;
	unsigned d;
	int any = 0;

	*neg = *ovf = 0;
	if (base < 0 || base == 1 || base > 36) {
		errno = EINVAL;
		if (end)
			*end = (char *)s;
		return 0;
	}
	while (isspace(*p))
		p++;
	if (*p == '-' || *p == '+')
		*neg = *p++ == '-';
	/* "0x" without a hex digit after it is a 0 followed by junk. */
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] | 32) == 'x' &&
	    isxdigit(p[2])) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = *p == '0' ? 8 : 10;
	}
	for (;; p++) {
		if (isdigit(*p))
			d = *p - '0';
		else if (isalpha(*p))
			d = (*p | 32) - 'a' + 10;
		else
			break;
		if (d >= (unsigned)base)
			break;
		any = 1;
		if (v > (ULLONG_MAX - d) / base)
			*ovf = 1;
		else
			v = v * base + d;
	}
	if (end)
		*end = (char *)(any ? p : s);
	return *ovf ? ULLONG_MAX : v;
}

static long long parse_signed(const char *s, char **end, int base,
    long long min, long long max)
{
	int neg, ovf;
	unsigned long long v = parse(s, end, base, &neg, &ovf);
	unsigned long long lim =
	    neg ? -(unsigned long long)min : (unsigned long long)max;

	if (ovf || v > lim) {
		errno = ERANGE;
		return neg ? min : max;
	}
	/* -(v - 1) - 1 stays in range even for v == -min. */
	return neg && v ? -(long long)(v - 1) - 1 : (long long)v;
}

static unsigned long long parse_unsigned(const char *s, char **end, int base,
    unsigned long long max)
{
	int neg, ovf;
	unsigned long long v = parse(s, end, base, &neg, &ovf);

	if (ovf || v > max) {
		errno = ERANGE;
		return max;
	}
	/* C wants "-1" to be the largest value, not an error. */
	return neg ? -v & max : v;
}

long strtol(const char *restrict s, char **restrict end, int base)
{
	return parse_signed(s, end, base, LONG_MIN, LONG_MAX);
}

long long strtoll(const char *restrict s, char **restrict end, int base)
{
	return parse_signed(s, end, base, LLONG_MIN, LLONG_MAX);
}

unsigned long strtoul(const char *restrict s, char **restrict end, int base)
{
	return parse_unsigned(s, end, base, ULONG_MAX);
}

unsigned long long strtoull(const char *restrict s, char **restrict end,
    int base)
{
	return parse_unsigned(s, end, base, ULLONG_MAX);
}

int atoi(const char *s)
{
	return strtol(s, NULL, 10);
}

long atol(const char *s)
{
	return strtol(s, NULL, 10);
}

int abs(int x)
{
	return x < 0 ? -x : x;
}

long labs(long x)
{
	return x < 0 ? -x : x;
}

long long llabs(long long x)
{
	return x < 0 ? -x : x;
}

static void swap(char *a, char *b, size_t size)
{
	char t;

	while (size--) {
		t = *a;
		*a++ = *b;
		*b++ = t;
	}
}

/* Moves element i down the max-heap of the first n elements. */
static void sift(char *base, size_t i, size_t n, size_t size,
    int (*cmp)(const void *, const void *))
{
	size_t c;

	for (; (c = 2 * i + 1) < n; i = c) {
		if (c + 1 < n &&
		    cmp(base + c * size, base + (c + 1) * size) < 0)
			c++;
		if (cmp(base + i * size, base + c * size) >= 0)
			return;
		swap(base + i * size, base + c * size, size);
	}
}

/* Heap sort: O(n log n) at worst, and no recursion on the small stack. */
void qsort(void *base, size_t n, size_t size,
    int (*cmp)(const void *, const void *))
{
	char *b = base;
	size_t i;

	if (n < 2 || !size)
		return;
	for (i = n / 2; i--;)
		sift(b, i, n, size, cmp);
	for (i = n; --i;) {
		swap(b, b + i * size, size);
		sift(b, 0, i, size, cmp);
	}
}

int getentropy(void *buf, size_t len)
{
	if (len > 256) {
		errno = EINVAL;
		return -1;
	}
	if (svm_random(buf, len) < 0) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/* A 64-bit LCG (Knuth's MMIX constants); the high bits are the good ones. */
static uint64_t rand_state = 1;

void srand(unsigned seed)
{
	rand_state = seed;
}

int rand(void)
{
	rand_state =
	    rand_state * 6364136223846793005ull + 1442695040888963407ull;
	return rand_state >> 33;
}
