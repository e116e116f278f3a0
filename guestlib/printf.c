/* printf.c: formatted output into buffers (vsnprintf) and onto streams. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/*
 * Where formatted bytes go: a caller's buffer (f == NULL, cap excludes the
 * NUL), or a stream, staged through a chunk so that one call of the printf
 * family is one fwrite, and thus one write on unbuffered stderr, as long as
 * the output fits in the chunk.
 */
struct out {
	char *buf;
	size_t cap, pos;
	size_t total; /* bytes produced, stored or not */
	FILE *f;
	int err;
};

#define F_MINUS 1u
#define F_ZERO 2u
#define F_PLUS 4u
#define F_SPACE 8u
#define F_ALT 16u

struct spec {
	unsigned flags;
	int width;
	int prec; /* -1: none given */
	char conv;
};

static void flush_chunk(struct out *o)
{
	if (o->pos && fwrite(o->buf, 1, o->pos, o->f) != o->pos)
		o->err = 1;
	o->pos = 0;
}

static void put(struct out *o, const char *s, size_t n)
{
	size_t k;

	o->total += n;
	if (!o->f) {
		k = o->cap - o->pos;
		if (n < k)
			k = n;
		if (k)
			memcpy(o->buf + o->pos, s, k);
		o->pos += k;
		return;
	}
	while (n) {
		if (o->pos == o->cap)
			flush_chunk(o);
		k = o->cap - o->pos;
		if (n < k)
			k = n;
		memcpy(o->buf + o->pos, s, k);
		o->pos += k;
		s += k;
		n -= k;
	}
}

static void pad(struct out *o, char c, size_t n)
{
	char tmp[32];
	size_t k;

	if (!n)
		return;
	memset(tmp, c, sizeof tmp);
	for (; n; n -= k) {
		k = n < sizeof tmp ? n : sizeof tmp;
		put(o, tmp, k);
	}
}

/* Spaces that right-justify (before) or left-justify (after) len bytes. */
static void justify(struct out *o, const struct spec *sp, size_t len,
    int before)
{
	if ((size_t)sp->width > len && (!(sp->flags & F_MINUS)) == before)
		pad(o, ' ', sp->width - len);
}

static void fmt_str(struct out *o, const struct spec *sp, const char *s,
    size_t n)
{
	justify(o, sp, n, 1);
	put(o, s, n);
	justify(o, sp, n, 0);
}

/*
 * Starts a field of [pre][zeros][body]: pads, puts pre and the zeros ('0' flag
 * padding included) and leaves the body to the caller; *len_out is the length
 * for the closing justify().
 */
static void field_open(struct out *o, const struct spec *sp, const char *pre,
    size_t npre, size_t zeros, size_t nbody, size_t *len_out)
{
	size_t len = npre + zeros + nbody;

	if ((sp->flags & (F_ZERO | F_MINUS)) == F_ZERO &&
	    (size_t)sp->width > len) {
		zeros += sp->width - len;
		len = sp->width;
	}
	justify(o, sp, len, 1);
	put(o, pre, npre);
	pad(o, '0', zeros);
	*len_out = len;
}

static void fmt_int(struct out *o, const struct spec *sp, uintmax_t v, int neg)
{
	const char *digits =
	    sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned base = sp->conv == 'o'                           ? 8 :
	    sp->conv == 'x' || sp->conv == 'X' || sp->conv == 'p' ? 16 :
	                                                            10;
	char buf[24], pre[3];
	char *p = buf + sizeof buf;
	size_t nd, npre = 0, zeros = 0, len;
	struct spec s = *sp;

	for (; v; v /= base)
		*--p = digits[v % base];
	nd = buf + sizeof buf - p;
	if (sp->conv == 'd' || sp->conv == 'i') {
		if (neg)
			pre[npre++] = '-';
		else if (sp->flags & F_PLUS)
			pre[npre++] = '+';
		else if (sp->flags & F_SPACE)
			pre[npre++] = ' ';
	}
	if (sp->conv == 'p' || (base == 16 && (sp->flags & F_ALT) && nd)) {
		pre[npre++] = '0';
		pre[npre++] = sp->conv == 'X' ? 'X' : 'x';
	}
	if (sp->prec >= 0) {
		if ((size_t)sp->prec > nd)
			zeros = sp->prec - nd;
		/* A precision turns the '0' flag off. */
		s.flags &= ~F_ZERO;
	} else if (!nd) {
		zeros = 1;
	}
	/* '#' makes octal start with a 0 (digits never do: v > 0). */
	if (base == 8 && (sp->flags & F_ALT) && !zeros)
		zeros = 1;
	field_open(o, &s, pre, npre, zeros, nd, &len);
	put(o, p, nd);
	justify(o, &s, len, 0);
}

/*
 * Floating point. A finite double is m * 2^e with integer m, so it equals
 * m * 2^e (e >= 0) or m * 5^-e / 10^-e (e < 0): an integer, computed exactly
 * in base 10^9, and a decimal point. All conversions then round that exact
 * decimal string, half to even as glibc does in the default rounding mode.
 * 2^53 * 5^1074 has 767 digits; 2^1024 has 309.
 */
#define DEC_MAX 774
#define BIG_MAX (DEC_MAX / 9)

struct dec {
	char d[DEC_MAX]; /* significant digits, no leading or trailing zeros */
	int nd;
	int exp; /* value = 0.d[0]d[1]... * 10^exp; nd == 0 means zero */
};

static void big_mul(uint32_t *big, int *nl, uint32_t f)
{
	uint64_t c = 0;
	int i;

	for (i = 0; i < *nl; i++) {
		c += (uint64_t)big[i] * f;
		big[i] = c % 1000000000;
		c /= 1000000000;
	}
	for (; c; c /= 1000000000)
		big[(*nl)++] = c % 1000000000;
}

static const uint32_t pow5[14] = {
	1,
	5,
	25,
	125,
	625,
	3125,
	15625,
	78125,
	390625,
	1953125,
	9765625,
	48828125,
	244140625,
	1220703125,
};

static void to_dec(struct dec *x, double v)
{
	uint32_t big[BIG_MAX], limb;
	uint64_t bits, m;
	int e, k, nl = 0, i, j;
	char tmp[9];

	memcpy(&bits, &v, sizeof bits);
	m = bits & ((1ull << 52) - 1);
	e = bits >> 52 & 0x7ff;
	if (e)
		m |= 1ull << 52, e -= 1075;
	else
		e = -1074;
	x->nd = x->exp = 0;
	if (!m)
		return;
	for (; !(m & 1); m >>= 1)
		e++;
	for (; m; m /= 1000000000)
		big[nl++] = m % 1000000000;
	/* 2^29 and 5^13 keep limb * factor + carry below 2^64. */
	for (k = e; k > 0; k -= 29)
		big_mul(big, &nl, 1u << (k < 29 ? k : 29));
	for (k = -e; k > 0; k -= 13)
		big_mul(big, &nl, pow5[k < 13 ? k : 13]);
	for (i = nl - 1; i >= 0; i--) {
		limb = big[i];
		for (j = 9; j--; limb /= 10)
			tmp[j] = '0' + limb % 10;
		for (j = 0; i == nl - 1 && tmp[j] == '0'; j++)
			;
		memcpy(x->d + x->nd, tmp + j, 9 - j);
		x->nd += 9 - j;
	}
	x->exp = x->nd + (e < 0 ? e : 0);
	while (x->d[x->nd - 1] == '0')
		x->nd--;
}

static char dec_digit(const struct dec *x, long i)
{
	return i >= 0 && i < x->nd ? x->d[i] : '0';
}

/* Keeps the first n digits of x, rounding half to even. */
static void dec_round(struct dec *x, long n)
{
	int i, up;

	if (n >= x->nd)
		return;
	if (n < 0) {
		/* Below half a unit of digit n: rounds to zero. */
		x->nd = 0;
		return;
	}
	if (x->d[n] != '5')
		up = x->d[n] > '5';
	else if (x->nd > n + 1)
		up = 1;
	else
		up = n > 0 && (x->d[n - 1] - '0') & 1;
	x->nd = n;
	if (!up) {
		while (x->nd && x->d[x->nd - 1] == '0')
			x->nd--;
		return;
	}
	for (i = n - 1; i >= 0 && x->d[i] == '9'; i--)
		;
	if (i < 0) {
		x->d[0] = '1';
		x->nd = 1;
		x->exp++;
		return;
	}
	x->d[i]++;
	x->nd = i + 1;
}

static void put_digits(struct out *o, const struct dec *x, long from, long to)
{
	char tmp[32];
	size_t k = 0;

	for (; from < to; from++) {
		tmp[k++] = dec_digit(x, from);
		if (k == sizeof tmp) {
			put(o, tmp, k);
			k = 0;
		}
	}
	put(o, tmp, k);
}

static void fmt_float(struct out *o, const struct spec *sp, double v)
{
	int upper = !(sp->conv & 32), conv = sp->conv | 32, style = conv;
	long prec = sp->prec < 0 ? 6 : sp->prec, p, xp;
	int alt = !!(sp->flags & F_ALT);
	char pre[1], ebuf[8], *ep = ebuf + sizeof ebuf;
	size_t npre = 0, nint, len;
	uint64_t bits;
	struct dec x;
	struct spec s = *sp;

	memcpy(&bits, &v, sizeof bits);
	if (bits >> 63)
		pre[npre++] = '-';
	else if (sp->flags & F_PLUS)
		pre[npre++] = '+';
	else if (sp->flags & F_SPACE)
		pre[npre++] = ' ';
	if ((bits >> 52 & 0x7ff) == 0x7ff) {
		/* Padded with spaces even under the '0' flag, as glibc does. */
		s.flags &= ~F_ZERO;
		field_open(o, &s, pre, npre, 0, 3, &len);
		put(o,
		    bits << 12 ? upper ? "NAN" : "nan" :
		        upper  ? "INF" :
		                 "inf",
		    3);
		justify(o, &s, len, 0);
		return;
	}
	to_dec(&x, v);
	if (conv == 'g') {
		p = prec ? prec : 1;
		dec_round(&x, p);
		xp = x.nd ? x.exp - 1 : 0;
		if (xp >= -4 && xp < p) {
			style = 'f';
			prec = p - 1 - xp;
			if (!alt && prec > x.nd - x.exp)
				prec = x.nd - x.exp > 0 ? x.nd - x.exp : 0;
		} else {
			style = 'e';
			prec = p - 1;
			if (!alt && prec > x.nd - 1)
				prec = x.nd > 1 ? x.nd - 1 : 0;
		}
	}
	if (style == 'f') {
		dec_round(&x, x.exp + prec);
		nint = x.nd && x.exp > 0 ? (size_t)x.exp : 1;
		len = nint + (prec || alt) + prec;
		field_open(o, sp, pre, npre, 0, len, &len);
		if (x.nd && x.exp > 0)
			put_digits(o, &x, 0, x.exp);
		else
			put(o, "0", 1);
		if (prec || alt)
			put(o, ".", 1);
		put_digits(o, &x, x.exp, x.exp + prec);
		justify(o, sp, len, 0);
		return;
	}
	dec_round(&x, prec + 1);
	xp = x.nd ? x.exp - 1 : 0;
	for (p = xp < 0 ? -xp : xp; p || ep > ebuf + sizeof ebuf - 2; p /= 10)
		*--ep = '0' + p % 10;
	*--ep = xp < 0 ? '-' : '+';
	*--ep = upper ? 'E' : 'e';
	len = 1 + (prec || alt) + prec + (ebuf + sizeof ebuf - ep);
	field_open(o, sp, pre, npre, 0, len, &len);
	put_digits(o, &x, 0, 1);
	if (prec || alt)
		put(o, ".", 1);
	put_digits(o, &x, 1, 1 + prec);
	put(o, ep, ebuf + sizeof ebuf - ep);
	justify(o, sp, len, 0);
}

enum { L_NONE, L_HH, L_H, L_L, L_LL, L_Z, L_J, L_T, L_LD };

/* Reads a decimal field width or precision; -1 if it does not fit an int. */
static int read_num(const char **fmt)
{
	int n = 0;

	for (; **fmt >= '0' && **fmt <= '9'; (*fmt)++) {
		if (n > (INT_MAX - (**fmt - '0')) / 10)
			return -1;
		n = n * 10 + (**fmt - '0');
	}
	return n;
}

/* Returns 0, or -1 on a width or precision that does not fit an int. */
static int format(struct out *o, const char *fmt, va_list ap)
{
	struct spec sp;
	const char *start, *s;
	intmax_t iv;
	uintmax_t uv;
	double dv;
	int len;
	char c;

	for (;;) {
		for (start = fmt; *fmt && *fmt != '%'; fmt++)
			;
		put(o, start, fmt - start);
		if (!*fmt)
			return 0;
		start = fmt++;

		sp.flags = 0;
		for (;; fmt++) {
			if (*fmt == '-')
				sp.flags |= F_MINUS;
			else if (*fmt == '0')
				sp.flags |= F_ZERO;
			else if (*fmt == '+')
				sp.flags |= F_PLUS;
			else if (*fmt == ' ')
				sp.flags |= F_SPACE;
			else if (*fmt == '#')
				sp.flags |= F_ALT;
			else
				break;
		}
		if (*fmt == '*') {
			fmt++;
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				if (sp.width == INT_MIN)
					return -1;
				sp.flags |= F_MINUS;
				sp.width = -sp.width;
			}
		} else if ((sp.width = read_num(&fmt)) < 0) {
			return -1;
		}
		sp.prec = -1;
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				fmt++;
				sp.prec = va_arg(ap, int);
				if (sp.prec < 0)
					sp.prec = -1;
			} else if ((sp.prec = read_num(&fmt)) < 0) {
				return -1;
			}
		}

		len = L_NONE;
		switch (*fmt) {
		case 'h':
			len = *++fmt == 'h' ? (fmt++, L_HH) : L_H;
			break;
		case 'l':
			len = *++fmt == 'l' ? (fmt++, L_LL) : L_L;
			break;
		case 'z':
			fmt++, len = L_Z;
			break;
		case 'j':
			fmt++, len = L_J;
			break;
		case 't':
			fmt++, len = L_T;
			break;
		case 'L':
			fmt++, len = L_LD;
			break;
		}

		sp.conv = c = *fmt;
		if (c)
			fmt++;
		switch (c) {
		case 'd':
		case 'i':
			switch (len) {
			case L_HH:
				iv = (signed char)va_arg(ap, int);
				break;
			case L_H:
				iv = (short)va_arg(ap, int);
				break;
			case L_L:
				iv = va_arg(ap, long);
				break;
			case L_LL:
				iv = va_arg(ap, long long);
				break;
			case L_Z:
				iv = (ptrdiff_t)va_arg(ap, size_t);
				break;
			case L_J:
				iv = va_arg(ap, intmax_t);
				break;
			case L_T:
				iv = va_arg(ap, ptrdiff_t);
				break;
			default:
				iv = va_arg(ap, int);
				break;
			}
			fmt_int(o, &sp, iv < 0 ? -(uintmax_t)iv : (uintmax_t)iv,
			    iv < 0);
			break;
		case 'u':
		case 'o':
		case 'x':
		case 'X':
			switch (len) {
			case L_HH:
				uv = (unsigned char)va_arg(ap, int);
				break;
			case L_H:
				uv = (unsigned short)va_arg(ap, int);
				break;
			case L_L:
				uv = va_arg(ap, unsigned long);
				break;
			case L_LL:
				uv = va_arg(ap, unsigned long long);
				break;
			case L_Z:
				uv = va_arg(ap, size_t);
				break;
			case L_J:
				uv = va_arg(ap, uintmax_t);
				break;
			case L_T:
				uv = (size_t)va_arg(ap, ptrdiff_t);
				break;
			default:
				uv = va_arg(ap, unsigned);
				break;
			}
			fmt_int(o, &sp, uv, 0);
			break;
		case 'p':
			uv = (uintptr_t)va_arg(ap, void *);
			if (uv)
				fmt_int(o, &sp, uv, 0);
			else
				fmt_str(o, &sp, "(nil)", 5);
			break;
		case 'c':
			c = (char)va_arg(ap, int);
			fmt_str(o, &sp, &c, 1);
			break;
		case 's':
			s = va_arg(ap, const char *);
			/* As glibc: "(null)" unless the precision cuts it. */
			if (!s)
				s = sp.prec < 0 || sp.prec >= 6 ? "(null)" : "";
			fmt_str(o, &sp, s,
			    sp.prec < 0 ? strlen(s) : strnlen(s, sp.prec));
			break;
		case 'f':
		case 'F':
		case 'e':
		case 'E':
		case 'g':
		case 'G':
			dv = len == L_LD ? (double)va_arg(ap, long double) :
			                   va_arg(ap, double);
			fmt_float(o, &sp, dv);
			break;
		case '%':
			put(o, "%", 1);
			break;
		default:
			/* Unknown: print the directive as it stands. */
			put(o, start, fmt - start);
			break;
		}
	}
}

static int result(const struct out *o, int r)
{
	if (r < 0 || o->err)
		return -1;
	if (o->total > INT_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	return o->total;
}

int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt,
    va_list ap)
{
	struct out o = { .buf = buf, .cap = size ? size - 1 : 0 };
	int r = format(&o, fmt, ap);

	if (size)
		buf[o.pos] = 0;
	return result(&o, r);
}

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return r;
}

int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
{
	char chunk[BUFSIZ];
	struct out o = { .buf = chunk, .cap = sizeof chunk, .f = f };
	int r = format(&o, fmt, ap);

	flush_chunk(&o);
	return result(&o, r);
}

int fprintf(FILE *restrict f, const char *restrict fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}

int vprintf(const char *restrict fmt, va_list ap)
{
	return vfprintf(stdout, fmt, ap);
}

int printf(const char *restrict fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfprintf(stdout, fmt, ap);
	va_end(ap);
	return r;
}
