/* svmk.c: the backend for our own SVM module (/dev/svmk): setup and exit loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "monitor.h"
#include "svmk.h"

struct svmk_backend {
	int fd;
	struct svmk_run *run;
	/* Function mode: svmk's dirty log, whole 64-bit words. */
	uint64_t *log;
	size_t log_size;
};

static int fail(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, strerror(errno));
	return -1;
}

static int svmk_open(struct svm_vm *vm, char *err, size_t errlen)
{
	struct svmk_memory m = {
		.userspace_addr = (uintptr_t)vm->mem,
		.size = vm->mem_size,
	};
	struct svmk_backend *sb;
	struct svmk_sregs sr;
	struct svmk_regs r;
	struct rlimit lim;
	int khz;

	if ((sb = calloc(1, sizeof(*sb))) == NULL)
		return fail(err, errlen, "out of memory");
	sb->fd = -1;
	vm->backend = sb;
	if ((sb->fd = open("/dev/svmk", O_RDWR | O_CLOEXEC)) < 0)
		return fail(err, errlen, "/dev/svmk");
	if (ioctl(sb->fd, SVMK_GET_API_VERSION, 0) != SVMK_API_VERSION) {
		snprintf(err, errlen, "/dev/svmk: unsupported API version");
		return -1;
	}
	/*
	 * svmk pins guest memory and charges it to RLIMIT_MEMLOCK (root aside):
	 * take the hard limit, and say so when even that is too small.
	 */
	if (getrlimit(RLIMIT_MEMLOCK, &lim) == 0 &&
	    lim.rlim_cur < lim.rlim_max) {
		lim.rlim_cur = lim.rlim_max;
		setrlimit(RLIMIT_MEMLOCK, &lim);
	}
	if (ioctl(sb->fd, SVMK_SET_MEMORY, &m) < 0)
		return fail(err, errlen,
		    errno == ENOMEM ?
		        "SVMK_SET_MEMORY (is RLIMIT_MEMLOCK below --mem?)" :
		        "SVMK_SET_MEMORY");
	if (vm->paging != SVM_PAGING_DEFAULT &&
	    ioctl(sb->fd, SVMK_SET_PAGING,
	        vm->paging == SVM_PAGING_SHADOW ? SVMK_PAGING_SHADOW :
	                                          SVMK_PAGING_TDP) < 0)
		return fail(err, errlen, "SVMK_SET_PAGING");
	sb->run = mmap(NULL, SVMK_RUN_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
	    sb->fd, 0);
	if (sb->run == MAP_FAILED) {
		sb->run = NULL;
		return fail(err, errlen, "mmap svmk_run");
	}
	memset(&sr, 0, sizeof(sr));
	X86_ENTRY_SREGS(sr);
	if (ioctl(sb->fd, SVMK_SET_SREGS, &sr) < 0)
		return fail(err, errlen, "SVMK_SET_SREGS");
	if (ioctl(sb->fd, SVMK_SET_MSRS,
	        &(struct svmk_msrs) {
	            .star = X86_STAR,
	            .lstar = SVM_KERNEL_SYSCALL,
	            .sfmask = X86_SFMASK,
	        }) < 0)
		return fail(err, errlen, "SVMK_SET_MSRS");
	X86_ENTRY_REGS(r, vm);
	if (ioctl(sb->fd, SVMK_SET_REGS, &r) < 0)
		return fail(err, errlen, "SVMK_SET_REGS");
	/* The guest TSC is the host's plus svmk's offset for this VM. */
	if ((khz = ioctl(sb->fd, SVMK_GET_TSC_KHZ, 0)) <= 0)
		khz = 0;
	vm_set_clock(vm, (uint64_t)khz,
	    __builtin_ia32_rdtsc() + sb->run->tsc_offset);
	vm->vcpu_fd = sb->fd;
	vm->vm_fd = sb->fd; /* one fd is VM and vCPU */
	vm->kick = &sb->run->immediate_exit;
	return 0;
}

static int svmk_get_cpu(struct svm_vm *vm, struct svm_cpu *c)
{
	struct svmk_backend *sb = vm->backend;
	struct svmk_regs r;
	struct svmk_sregs sr;

	if (ioctl(sb->fd, SVMK_GET_REGS, &r) < 0 ||
	    ioctl(sb->fd, SVMK_GET_SREGS, &sr) < 0)
		return -1;
	X86_COPY_GPRS(*c, r);
	X86_COPY_SEGS(*c, sr);
	return 0;
}

/* svmk sets the CPL from SS's DPL, which X86_CODE_SREGS gives. */
static int svmk_set_cpu(struct svm_vm *vm, const struct svm_cpu *c)
{
	struct svmk_backend *sb = vm->backend;
	struct svmk_regs r;
	struct svmk_sregs sr;

	if (ioctl(sb->fd, SVMK_GET_SREGS, &sr) < 0)
		return -1;
	if (sr.cs.selector != c->cs || sr.ss.selector != c->ss) {
		X86_CODE_SREGS(sr, c->cs);
		if (ioctl(sb->fd, SVMK_SET_SREGS, &sr) < 0)
			return -1;
	}
	X86_COPY_GPRS(r, *c);
	return ioctl(sb->fd, SVMK_SET_REGS, &r) < 0 ? -1 : 0;
}

static const char *internal_name(uint32_t sub)
{
	switch (sub) {
	case SVMK_INTERNAL_STRING_IO:
		return "string or rep port I/O";
	case SVMK_INTERNAL_MSR:
		return "MSR access";
	case SVMK_INTERNAL_SVM_INSN:
		return "SVM instruction";
	case SVMK_INTERNAL_PRIVILEGED:
		return "privileged instruction";
	case SVMK_INTERNAL_PAGING:
		return "unsupported paging state";
	case SVMK_INTERNAL_EVENT:
		return "fault while delivering an event";
	default:
		return "unhandled exit";
	}
}

/* Handle one exit: 0 resumes the guest, 1 ends the run (vm->end set). */
static int handle_exit(struct svm_vm *vm, const struct svmk_run *run)
{
	switch (run->exit_reason) {
	case SVMK_EXIT_IO:
		vm->stats.exits[SVM_EXIT_IO]++;
		return vm_io(vm, run->io.port, run->io.size,
		    run->io.direction == SVMK_EXIT_IO_OUT,
		    (uint32_t)run->io.data, run->io.count);
	case SVMK_EXIT_SHUTDOWN:
		vm->stats.exits[SVM_EXIT_SHUTDOWN]++;
		return vm_end(vm, SVM_END_SHUTDOWN,
		    "guest triple fault (shutdown)");
	case SVMK_EXIT_HLT:
		vm->stats.exits[SVM_EXIT_HLT]++;
		return vm_end(vm, SVM_END_GUEST_ERROR,
		    "guest halted at rip %#llx",
		    (unsigned long long)vm_rip(vm));
	case SVMK_EXIT_MMIO:
		vm->stats.exits[SVM_EXIT_MMIO]++;
		return vm_end(vm, SVM_END_GUEST_ERROR,
		    "guest %s at %#llx outside its memory, rip %#llx",
		    run->mmio.error & 2 ? "store" : "load",
		    (unsigned long long)run->mmio.gpa,
		    (unsigned long long)run->mmio.rip);
	case SVMK_EXIT_INTR:
		vm->stats.exits[SVM_EXIT_INTR]++;
		return 0;
	}
	vm->stats.exits[SVM_EXIT_OTHER]++;
	switch (run->exit_reason) {
	case SVMK_EXIT_FAIL_ENTRY:
		return vm_end(vm, SVM_END_MONITOR_ERROR,
		    "VM entry failed (exit code %#llx)",
		    (unsigned long long)run->fail_entry.exit_code);
	case SVMK_EXIT_INTERNAL_ERROR:
		return vm_end(vm, SVM_END_GUEST_ERROR,
		    "svmk: %s (exit code %#llx) at rip %#llx",
		    internal_name(run->internal.suberror),
		    (unsigned long long)run->internal.exit_code,
		    (unsigned long long)run->internal.rip);
	default:
		return vm_end(vm, SVM_END_GUEST_ERROR,
		    "unexpected svmk exit %u at rip %#llx", run->exit_reason,
		    (unsigned long long)vm_rip(vm));
	}
}

static void svmk_run_loop(struct svm_vm *vm)
{
	struct svmk_backend *sb = vm->backend;
	/* Accumulated: function mode runs this loop once per call. */
	uint64_t start = vm->want_stats ? vm_now_ns() : 0;
	uint64_t guest0 = vm->stats.guest_ns;

	for (;;) {
		if (vm_check_stop(vm))
			break;
		if (vm_enter(vm) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				vm->stats.exits[SVM_EXIT_INTR]++;
				continue;
			}
			vm_end(vm, SVM_END_MONITOR_ERROR, "SVMK_RUN: %s",
			    strerror(errno));
			break;
		}
		if (handle_exit(vm, sb->run))
			break;
	}
	if (vm->want_stats)
		vm->stats.monitor_ns +=
		    vm_now_ns() - start - (vm->stats.guest_ns - guest0);
}

/*
 * Function mode. svmk keeps the vCPU copy itself (SVMK_SNAPSHOT), FPU state
 * included, and completes an exit before SVMK_RUN returns, so there is no
 * pending exit to finish first, unlike with KVM.
 */
static int svmk_save(struct svm_vm *vm)
{
	struct svmk_backend *sb = vm->backend;

	sb->log_size = (vm->mem_size / SVM_PAGE_SIZE + 63) / 64 * 8;
	if ((sb->log = calloc(1, sb->log_size)) == NULL ||
	    ioctl(sb->fd, SVMK_SNAPSHOT, 0) < 0 ||
	    ioctl(sb->fd, SVMK_ENABLE_DIRTY_LOG, 0) < 0)
		return -1;
	return 0;
}

static int svmk_dirty(struct svm_vm *vm, unsigned long *bitmap)
{
	struct svmk_backend *sb = vm->backend;
	struct svmk_dirty_log log = {
		.bitmap = (uintptr_t)sb->log,
		.size = sb->log_size,
	};
	size_t i;

	if (ioctl(sb->fd, SVMK_GET_DIRTY_LOG, &log) < 0)
		return -1;
	/* bitmap has at least as many words (call.c), each 64 bits. */
	for (i = 0; i < sb->log_size / 8; i++)
		bitmap[i] |= sb->log[i];
	return 0;
}

/* Registers, FPU, segments and (shadow mode) paging state, in one call. */
static int svmk_restore(struct svm_vm *vm)
{
	struct svmk_backend *sb = vm->backend;

	return ioctl(sb->fd, SVMK_RESTORE, 0) < 0 ? -1 : 0;
}

static void svmk_close(struct svm_vm *vm)
{
	struct svmk_backend *sb = vm->backend;

	/* No kick into the run page once it is going (limits.c). */
	vm->kick = NULL;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	if (sb->run != NULL)
		munmap(sb->run, SVMK_RUN_SIZE);
	free(sb->log);
	if (sb->fd >= 0)
		close(sb->fd);
	free(sb);
	vm->backend = NULL;
	vm->vcpu_fd = vm->vm_fd = -1;
}

const struct svm_backend svm_backend_svmk = {
	.name = "svmk",
	.open = svmk_open,
	.run = svmk_run_loop,
	.get_cpu = svmk_get_cpu,
	.set_cpu = svmk_set_cpu,
	.close = svmk_close,
	.save = svmk_save,
	.dirty = svmk_dirty,
	.restore = svmk_restore,
	.ioctl_run = SVMK_RUN,
	.ioctl_regs = SVMK_GET_REGS,
	.ioctl_sregs = SVMK_GET_SREGS,
	.ioctl_names = { "SVMK_RUN", "SVMK_GET_REGS", "SVMK_GET_SREGS" },
	/* SVMK_RESTORE resets what KVM needs three ioctls for. */
	.ioctl_serve = { SVMK_RESTORE, 0, 0, SVMK_GET_DIRTY_LOG },
	.ioctl_serve_names = { "SVMK_RESTORE", NULL, NULL,
	    "SVMK_GET_DIRTY_LOG" },
	.ioctl_debug = { SVMK_SET_REGS, SVMK_SET_SREGS },
	.ioctl_debug_names = { "SVMK_SET_REGS", "SVMK_SET_SREGS" },
};
