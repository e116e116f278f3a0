/*
 * trace.c: --trace prints every system call on the monitor's stderr as
 * "svm-trace: name(args) = result", arguments decoded by the letters of its
 * table entry, so a user sees why a program gave up (Unikraft's
 * uk_prsyscall.c does the same).
 */
#include "kernel.h"

static const char *const errnames[] = {
	[EPERM] = "EPERM",
	[ENOENT] = "ENOENT",
	[ESRCH] = "ESRCH",
	[EINTR] = "EINTR",
	[EIO] = "EIO",
	[ENXIO] = "ENXIO",
	[E2BIG] = "E2BIG",
	[EBADF] = "EBADF",
	[ECHILD] = "ECHILD",
	[EAGAIN] = "EAGAIN",
	[ENOMEM] = "ENOMEM",
	[EACCES] = "EACCES",
	[EFAULT] = "EFAULT",
	[EEXIST] = "EEXIST",
	[EXDEV] = "EXDEV",
	[ENODEV] = "ENODEV",
	[ENOTDIR] = "ENOTDIR",
	[EISDIR] = "EISDIR",
	[EINVAL] = "EINVAL",
	[ENFILE] = "ENFILE",
	[EMFILE] = "EMFILE",
	[ENOTTY] = "ENOTTY",
	[ESPIPE] = "ESPIPE",
	[EROFS] = "EROFS",
	[EPIPE] = "EPIPE",
	[ERANGE] = "ERANGE",
	[EDEADLK] = "EDEADLK",
	[ENAMETOOLONG] = "ENAMETOOLONG",
	[ENOSYS] = "ENOSYS",
	[ELOOP] = "ELOOP",
	[EAFNOSUPPORT] = "EAFNOSUPPORT",
};

static size_t arg(char *buf, size_t cap, char kind, long v)
{
	char s[68];
	long n;

	switch (kind) {
	case 'd':
	case 'f':
		return ksnprintf(buf, cap, "%ld", v);
	case 's':
		if (v == 0)
			return ksnprintf(buf, cap, "NULL");
		n = user_string(s, (uint64_t)v, sizeof(s));
		if (n == -ENAMETOOLONG) {
			s[sizeof(s) - 1] = '\0';
			return ksnprintf(buf, cap, "\"%s\"...", s);
		}
		if (n < 0)
			return ksnprintf(buf, cap, "%p", (void *)v);
		return ksnprintf(buf, cap, "\"%s\"", s);
	case 'p':
		return v == 0 ? ksnprintf(buf, cap, "NULL") :
		                ksnprintf(buf, cap, "%p", (void *)v);
	default:
		return ksnprintf(buf, cap, "0x%lx", (unsigned long)v);
	}
}

void trace_call(long nr, const long a[6], long ret)
{
	const struct sys_entry *e =
	    nr >= 0 && nr < SYS_MAX && sys_table[nr].fn ? &sys_table[nr] : NULL;
	const char *kinds = e ? e->args : "xxxxxx";
	char line[640];
	size_t len = 0;
	int i;

	if (e != NULL)
		len = ksnprintf(line, sizeof(line), "svm-trace: %s(", e->name);
	else
		len = ksnprintf(line, sizeof(line), "svm-trace: syscall_%ld(",
		    nr);
	for (i = 0; i < 6 && kinds[i] != '\0' && len < sizeof(line) - 80; i++) {
		if (i > 0)
			len += ksnprintf(line + len, sizeof(line) - len, ", ");
		len += arg(line + len, sizeof(line) - len, kinds[i], a[i]);
	}
	if (len >= sizeof(line) - 64)
		len = sizeof(line) - 64;
	if ((nr == __NR_exit || nr == __NR_exit_group) && e != NULL)
		ksnprintf(line + len, sizeof(line) - len, ") = ?\n");
	else if (ret < 0 &&
	    -ret < (long)(sizeof(errnames) / sizeof(errnames[0])) &&
	    errnames[-ret])
		ksnprintf(line + len, sizeof(line) - len, ") = -1 %s\n",
		    errnames[-ret]);
	else if (ret < 0 && ret > -4096)
		ksnprintf(line + len, sizeof(line) - len, ") = -1 errno %ld\n",
		    -ret);
	else if (ret > 0xffff)
		ksnprintf(line + len, sizeof(line) - len, ") = 0x%lx\n",
		    (unsigned long)ret);
	else
		ksnprintf(line + len, sizeof(line) - len, ") = %ld\n", ret);
	hc_write(2, line, strlen(line));
}
