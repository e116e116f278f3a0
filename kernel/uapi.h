/* uapi.h: the Linux ABI the guest kernel implements, from Linux's own UAPI
 * headers. */
#ifndef UAPI_H
#define UAPI_H

#include <asm-generic/errno.h>
#include <asm/prctl.h>
#include <asm/stat.h>
#include <asm/unistd.h>
#include <linux/auxvec.h>
#include <linux/fcntl.h>
#include <linux/mman.h>
#include <linux/poll.h>
#include <linux/resource.h>
#include <linux/sched.h>
#include <linux/stat.h>
#include <linux/time.h>
#include <linux/uio.h>
#include <linux/utsname.h>

/* What the UAPI headers leave to the C library. */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

#define DT_UNKNOWN 0
#define DT_CHR 2
#define DT_DIR 4
#define DT_REG 8
#define DT_LNK 10

/* The kernel's struct sigaction on x86-64 (8-byte signal sets). */
struct ksigaction {
	uint64_t handler, flags, restorer, mask;
};

struct ktimeval {
	int64_t tv_sec, tv_usec;
};

struct ktimespec {
	int64_t tv_sec, tv_nsec;
};

struct kstack_t {
	uint64_t ss_sp;
	int32_t ss_flags, pad;
	uint64_t ss_size;
};

#define TCGETS 0x5401
#define TIOCGWINSZ 0x5413
#define FIONREAD 0x541b
#define FIONBIO 0x5421
#define FIOCLEX 0x5451

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define SEEK_DATA 3
#define SEEK_HOLE 4

#define GRND_NONBLOCK 1
#define GRND_RANDOM 2

#define MREMAP_MAYMOVE 1
#define MREMAP_FIXED 2

#define SS_DISABLE 2
#define MINSIGSTKSZ 2048
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

#define PR_SET_NAME 15
#define PR_GET_NAME 16

#endif
