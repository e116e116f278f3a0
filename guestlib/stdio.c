/* stdio.c: stdin, stdout and stderr over the read and write hypercalls. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <svm.h>

/*
 * Every svm_write and svm_read is a VM exit, so stdout collects whole lines
 * and stdin reads ahead. stderr has no buffer: each call is one write.
 */
struct __svm_file {
	unsigned char *buf;
	size_t cap; /* 0: unbuffered */
	size_t len; /* output: bytes pending; input: bytes in buf */
	size_t pos; /* input: next byte to hand out */
	int fd;
	int flags;
};

#define F_EOF 1
#define F_ERR 2

static unsigned char inbuf[BUFSIZ], outbuf[BUFSIZ];

static FILE files[3] = {
	{ .buf = inbuf, .cap = sizeof inbuf, .fd = 0 },
	{ .buf = outbuf, .cap = sizeof outbuf, .fd = 1 },
	{ .fd = 2 },
};

FILE *stdin = &files[0], *stdout = &files[1], *stderr = &files[2];

/* Writes the first n pending bytes in one call and keeps the rest. */
static int flush_some(FILE *f, size_t n)
{
	if (!n)
		return 0;
	if (svm_write(f->fd, f->buf, n) < 0) {
		/* Keeping the bytes would only fail again: drop them. */
		f->flags |= F_ERR;
		f->len = 0;
		return EOF;
	}
	f->len -= n;
	memmove(f->buf, f->buf + n, f->len);
	return 0;
}

/* All output goes through here; 0 or EOF. */
static int out(FILE *f, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	if (f->fd == 0) {
		f->flags |= F_ERR;
		return EOF;
	}
	if (!n)
		return 0;
	/*
	 * Data that does not fit flushes what is pending rather than being
	 * split; a block the size of the buffer or more then skips it.
	 */
	if (!f->cap || n > f->cap - f->len) {
		if (flush_some(f, f->len))
			return EOF;
		if (!f->cap || n >= f->cap) {
			if (svm_write(f->fd, p, n) < 0) {
				f->flags |= F_ERR;
				return EOF;
			}
			return 0;
		}
	}
	memcpy(f->buf + f->len, p, n);
	f->len += n;
	/* Line buffering: out goes everything up to the last newline. */
	for (i = n; i--;)
		if (s[i] == '\n')
			return flush_some(f, f->len - (n - 1 - i));
	return 0;
}

int fflush(FILE *f)
{
	if (!f)
		return fflush(stdout) | fflush(stderr);
	return f->fd == 0 ? 0 : flush_some(f, f->len);
}

int fputc(int c, FILE *f)
{
	unsigned char ch = c;

	return out(f, &ch, 1) ? EOF : ch;
}

int putc(int c, FILE *f)
{
	return fputc(c, f);
}

int putchar(int c)
{
	return fputc(c, stdout);
}

int fputs(const char *restrict s, FILE *restrict f)
{
	return out(f, s, strlen(s));
}

int puts(const char *s)
{
	return out(stdout, s, strlen(s)) ? EOF : out(stdout, "\n", 1);
}

size_t fwrite(const void *restrict p, size_t size, size_t n, FILE *restrict f)
{
	size_t total;

	if (__builtin_mul_overflow(size, n, &total)) {
		f->flags |= F_ERR;
		return 0;
	}
	if (!total)
		return 0;
	return out(f, p, total) ? 0 : n;
}

/* Only stdin reads; the others' buffers hold output. */
static int readable(FILE *f)
{
	if (f->fd == 0)
		return 1;
	f->flags |= F_ERR;
	return 0;
}

/* Refills stdin's buffer; 1 on success, 0 at end of input or on error. */
static int fill(FILE *f)
{
	long r;

	if (f->flags & F_EOF)
		return 0;
	/*
	 * A prompt must be out before the app waits for the answer; input
	 * already buffered needs no wait, so no flush (as in glibc).
	 */
	fflush(stdout);
	r = svm_read(f->buf, f->cap);
	if (r <= 0) {
		f->flags |= r ? F_ERR : F_EOF;
		return 0;
	}
	f->pos = 0;
	f->len = r;
	return 1;
}

int fgetc(FILE *f)
{
	if (!readable(f) || (f->pos == f->len && !fill(f)))
		return EOF;
	return f->buf[f->pos++];
}

int getc(FILE *f)
{
	return fgetc(f);
}

int getchar(void)
{
	return fgetc(stdin);
}

char *fgets(char *restrict s, int size, FILE *restrict f)
{
	size_t want, k, got = 0;
	unsigned char *nl;

	if (size <= 0 || !readable(f))
		return NULL;
	for (want = size - 1; got < want; got += k) {
		if (f->pos == f->len && !fill(f))
			break;
		k = f->len - f->pos;
		if (k > want - got)
			k = want - got;
		nl = memchr(f->buf + f->pos, '\n', k);
		if (nl)
			k = nl - (f->buf + f->pos) + 1;
		memcpy(s + got, f->buf + f->pos, k);
		f->pos += k;
		if (nl) {
			got += k;
			break;
		}
	}
	if (!got && size > 1)
		return NULL;
	s[got] = 0;
	return s;
}

size_t fread(void *restrict p, size_t size, size_t n, FILE *restrict f)
{
	unsigned char *d = p;
	size_t total, got = 0, k;
	long r;

	if (__builtin_mul_overflow(size, n, &total)) {
		f->flags |= F_ERR;
		return 0;
	}
	if (!total || !readable(f))
		return 0;
	while (got < total) {
		if (f->pos == f->len && total - got >= f->cap &&
		    !(f->flags & F_EOF)) {
			/* Big reads go straight to the caller's buffer. */
			fflush(stdout);
			r = svm_read(d + got, total - got);
			if (r <= 0) {
				f->flags |= r ? F_ERR : F_EOF;
				break;
			}
			got += r;
			continue;
		}
		if (f->pos == f->len && !fill(f))
			break;
		k = f->len - f->pos;
		if (k > total - got)
			k = total - got;
		memcpy(d + got, f->buf + f->pos, k);
		f->pos += k;
		got += k;
	}
	return got / size;
}

int feof(FILE *f)
{
	return !!(f->flags & F_EOF);
}

int ferror(FILE *f)
{
	return !!(f->flags & F_ERR);
}

void clearerr(FILE *f)
{
	f->flags &= ~(F_EOF | F_ERR);
}
