/* errno.h: error numbers (Linux values, so host tools read them the same). */
#ifndef _ERRNO_H
#define _ERRNO_H

/* One thread, so a plain global; defined in stdlib.c. */
extern int errno;

#define EPERM 1
#define ENOENT 2
#define EIO 5
#define EBADF 9
#define ENOMEM 12
#define EFAULT 14
#define EINVAL 22
#define ENOSPC 28
#define EDOM 33
#define ERANGE 34
#define ENOSYS 38
#define EOVERFLOW 75

#endif
