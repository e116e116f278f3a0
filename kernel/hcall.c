/* hcall.c: the hypercalls to the monitor, and the kernel's own messages. */
#include <stdarg.h>

#include "kernel.h"

/*
 * A 32-bit out of the argument struct's address; the "memory" clobber makes
 * the compiler store the struct before the exit and read the results after.
 * The structs live on the kernel stack or in its data, which the monitor
 * treats as memory the guest may write.
 */
static inline void hypercall(unsigned nr, const volatile void *arg)
{
	uint32_t a = (uint32_t)(uintptr_t)arg;

	__asm__ volatile("outl %0, %w1"
	                 :
	                 : "a"(a), "Nd"(SVM_HC_PORT_BASE + nr)
	                 : "memory");
}

static int write_now(int fd, const void *buf, size_t len)
{
	struct svm_hc_write a = { (uintptr_t)buf, len, (uint32_t)fd, -1 };

	hypercall(SVM_HC_WRITE, &a);
	return a.ret;
}

/*
 * Stdout held back for the exit hypercall, once the monitor said it collects
 * it until the end (svm_hc_read's held: a call's answer): one exit per call
 * fewer. Part of the snapshot like all kernel data, so off and empty at the
 * start of every call.
 */
static struct {
	int on;
	size_t len;
	char buf[64 * 1024];
} held;

int hc_write(int fd, const void *buf, size_t len)
{
	if (fd != 1 || !held.on)
		return write_now(fd, buf, len);
	if (len > sizeof(held.buf) - held.len) {
		if (held.len != 0 && write_now(1, held.buf, held.len) < 0)
			return -1;
		held.len = 0;
		if (len > sizeof(held.buf))
			return write_now(1, buf, len);
	}
	memcpy(held.buf + held.len, buf, len);
	held.len += len;
	return 0;
}

long hc_read(void *buf, size_t len, int *eof_next)
{
	struct svm_hc_read a = { (uintptr_t)buf, len, -1, -1, 0, 0 };

	hypercall(SVM_HC_READ, &a);
	*eof_next = a.left == 0;
	held.on |= a.held == 1;
	return (long)a.ret;
}

int hc_random(void *buf, size_t len)
{
	struct svm_hc_random a = { (uintptr_t)buf, len, -1 };

	hypercall(SVM_HC_RANDOM, &a);
	return (int)a.ret;
}

void hc_populate(uint64_t addr, uint64_t len)
{
	struct svm_hc_populate a = { addr, len };

	hypercall(SVM_HC_POPULATE, &a);
}

_Noreturn void hc_exit(int status)
{
	struct svm_hc_exit a = { status, 0, (uintptr_t)held.buf, held.len };

	for (;;)
		hypercall(SVM_HC_EXIT, &a);
}

/* The little printf the trace and panics need. */
struct out {
	char *buf;
	size_t cap, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, uint64_t v, unsigned base, int neg)
{
	char tmp[24];
	int n = 0;

	if (neg)
		put(o, '-');
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v != 0);
	while (n > 0)
		put(o, tmp[--n]);
}

static void format(struct out *o, const char *fmt, va_list ap)
{
	for (; *fmt != '\0'; fmt++) {
		int lng = 0;
		const char *s;

		if (*fmt != '%') {
			put(o, *fmt);
			continue;
		}
		fmt++;
		while (*fmt == 'l')
			lng++, fmt++;
		switch (*fmt) {
		case 'd': {
			long v = lng ? va_arg(ap, long) : va_arg(ap, int);

			put_num(o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10,
			    v < 0);
			break;
		}
		case 'u':
			put_num(o,
			    lng ? va_arg(ap, unsigned long) :
			          va_arg(ap, unsigned),
			    10, 0);
			break;
		case 'x':
			put_num(o,
			    lng ? va_arg(ap, unsigned long) :
			          va_arg(ap, unsigned),
			    16, 0);
			break;
		case 'p':
			put(o, '0');
			put(o, 'x');
			put_num(o, (uintptr_t)va_arg(ap, void *), 16, 0);
			break;
		case 'c':
			put(o, (char)va_arg(ap, int));
			break;
		case 's':
			for (s = va_arg(ap, const char *); *s != '\0'; s++)
				put(o, *s);
			break;
		default:
			put(o, *fmt);
		}
	}
	if (o->cap > 0)
		o->buf[o->len < o->cap ? o->len : o->cap - 1] = '\0';
}

size_t ksnprintf(char *buf, size_t cap, const char *fmt, ...)
{
	struct out o = { buf, cap, 0 };
	va_list ap;

	va_start(ap, fmt);
	format(&o, fmt, ap);
	va_end(ap);
	return o.len;
}

void kprintf(const char *fmt, ...)
{
	char buf[512];
	struct out o = { buf, sizeof(buf), 0 };
	va_list ap;

	va_start(ap, fmt);
	format(&o, fmt, ap);
	va_end(ap);
	hc_write(2, buf, o.len < sizeof(buf) ? o.len : sizeof(buf) - 1);
}

_Noreturn void kpanic(const char *why)
{
	kprintf("svm-sandbox guest kernel: %s\n", why);
	hc_exit(127);
}
