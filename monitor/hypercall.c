/* hypercall.c: port-I/O dispatch, the hypercall table and its handlers. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include "monitor.h"

/*
 * Copy a hypercall's argument struct out of guest memory once; the handler
 * checks and uses only the copy, so the guest cannot change it in between.
 */
static int get_args(struct svm_vm *vm, const char *name, svm_gpa_t arg,
    void *dst, size_t len)
{
	const void *src = vm_gpa(vm, arg, len);

	if (src == NULL)
		return vm_end(vm, SVM_END_GUEST_ERROR,
		    "%s: argument struct at %#llx outside guest memory", name,
		    (unsigned long long)arg);
	memcpy(dst, src, len);
	return 0;
}

/* Write a result field back at arg + off, where the app could write too. */
static int put_result(struct svm_vm *vm, const char *name, svm_gpa_t arg,
    size_t off, const void *src, size_t len)
{
	void *dst = vm_gpa_out(vm, arg + off, len);

	if (dst == NULL)
		return vm_end(vm, SVM_END_GUEST_ERROR,
		    "%s: argument struct at %#llx not writable by the program",
		    name, (unsigned long long)arg);
	memcpy(dst, src, len);
	vm_mark_written(vm, arg + off, len);
	return 0;
}

/*
 * Write len bytes at data to the program's fd 1 or 2, or to the call's
 * answer when it is served by its stdin: 0, or 1 when that ended the run.
 */
static int write_out(struct svm_vm *vm, const char *name, uint32_t fd,
    svm_gpa_t data, uint64_t len)
{
	const uint8_t *p;
	uint64_t done = 0;
	bool over = false;

	if (fd != 1 && fd != 2)
		return vm_end(vm, SVM_END_GUEST_ERROR, "%s: bad fd %u", name,
		    fd);
	if ((p = vm_gpa(vm, data, len)) == NULL)
		return vm_end(vm, SVM_END_GUEST_ERROR,
		    "%s: buffer %#llx+%#llx outside guest memory", name,
		    (unsigned long long)data, (unsigned long long)len);
	/* Past --max-output the run ends, with the output cut at the limit. */
	if (vm->max_output != 0 && len > vm->max_output - vm->output_bytes) {
		len = vm->max_output - vm->output_bytes;
		over = true;
	}
	/* Served by its stdin, the app's stdout is the call's answer. */
	if (fd == 1 && vm->ans != NULL) {
		if (len > vm->ans_cap - vm->ans_len)
			return vm_end(vm, SVM_END_OUTPUT_LIMIT,
			    "answer larger than the %zu bytes allowed",
			    vm->ans_cap);
		memcpy(vm->ans + vm->ans_len, p, len);
		vm->ans_len += len;
		vm->output_bytes += len;
		if (over)
			return vm_end(vm, SVM_END_OUTPUT_LIMIT,
			    "output limit of %llu bytes reached",
			    (unsigned long long)vm->max_output);
		return 0;
	}
	while (done < len) {
		/*
		 * At most PIPE_BUF at a time once poll says there is room: a
		 * pipe then takes it without blocking, so a stop signal or the
		 * timeout is never stuck behind a reader that does not read.
		 */
		uint64_t chunk = len - done < 4096 ? len - done : 4096;
		ssize_t n;

		if (vm_wait(vm, vm->out_fd[fd], POLLOUT))
			return 1;
		n = write(vm->out_fd[fd], p + done, chunk);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			/* A closed pipe ends the run instead of spinning on it.
			 */
			return vm_end(vm, SVM_END_MONITOR_ERROR,
			    "writing the program's output: %s",
			    n < 0 ? strerror(errno) : "short write");
		done += (uint64_t)n;
	}
	vm->output_bytes += done;
	if (over)
		return vm_end(vm, SVM_END_OUTPUT_LIMIT,
		    "output limit of %llu bytes reached",
		    (unsigned long long)vm->max_output);
	return 0;
}

static int hc_write(struct svm_vm *vm, svm_gpa_t arg)
{
	struct svm_hc_write a;

	if (get_args(vm, "write", arg, &a, sizeof(a)) ||
	    write_out(vm, "write", a.fd, a.data, a.len))
		return 1;
	a.ret = 0;
	return put_result(vm, "write", arg, offsetof(struct svm_hc_write, ret),
	    &a.ret, sizeof(a.ret));
}

/*
 * The next bytes of a call's request for a read, when the app is served by
 * its stdin; 0 (end of input) once they are all read, and for every read of
 * an app served through svm_serve.
 */
static ssize_t call_input(struct svm_vm *vm, uint8_t *p, uint64_t len)
{
	size_t n = vm->req_len - vm->req_off;

	if (vm->req == NULL)
		return 0;
	if (n > len)
		n = (size_t)len;
	memcpy(p, vm->req + vm->req_off, n);
	vm->req_off += n;
	return (ssize_t)n;
}

static int hc_read(struct svm_vm *vm, svm_gpa_t arg)
{
	struct svm_hc_read a;
	uint8_t *p;
	ssize_t n;

	if (get_args(vm, "read", arg, &a, sizeof(a)))
		return 1;
	if ((p = vm_gpa_out(vm, a.data, a.len)) == NULL)
		return vm_end(vm, SVM_END_GUEST_ERROR,
		    "read: buffer %#llx+%#llx not writable by the program",
		    (unsigned long long)a.data, (unsigned long long)a.len);
	/*
	 * Function mode: the app's first read of stdin, before it made the
	 * ready hypercall, is where it waits for its input: the snapshot is
	 * taken here, and each call answers this read (vm_stdin_pending).
	 */
	if (vm->starting && vm->serve_mode == 0) {
		vm->serve_mode = SVM_SERVE_STDIN;
		vm->call = arg;
		vm->end = SVM_END_READY;
		return 1;
	}
	do {
		/* Function mode: the app's input is only its call's. */
		if (vm->in_fd < 0) {
			n = call_input(vm, p, a.len);
			break;
		}
		if (vm_wait(vm, vm->in_fd, POLLIN))
			return 1;
	} while ((n = read(vm->in_fd, p, a.len)) < 0 &&
	    (errno == EINTR || errno == EAGAIN));
	a.ret = n < 0 ? -1 : n;
	a.left = vm->in_fd < 0 ? (int64_t)(vm->req_len - vm->req_off) : -1;
	a.held = vm->ans != NULL;
	if (n > 0)
		vm_mark_written(vm, a.data, (uint64_t)n);
	return put_result(vm, "read", arg, offsetof(struct svm_hc_read, ret),
	    &a.ret, sizeof(a) - offsetof(struct svm_hc_read, ret));
}

int vm_stdin_pending(struct svm_vm *vm)
{
	struct svm_hc_read a;
	uint8_t *p;
	ssize_t n;

	/* The struct is as it was at the snapshot; checked as then. */
	if (get_args(vm, "read", vm->call, &a, sizeof(a)))
		return 1;
	if ((p = vm_gpa_out(vm, a.data, a.len)) == NULL)
		return vm_end(vm, SVM_END_GUEST_ERROR,
		    "read: buffer %#llx+%#llx not writable by the program",
		    (unsigned long long)a.data, (unsigned long long)a.len);
	n = call_input(vm, p, a.len);
	a.ret = n;
	a.left = (int64_t)(vm->req_len - vm->req_off);
	a.held = 1; /* the answer is the app's whole stdout */
	if (n > 0)
		vm_mark_written(vm, a.data, (uint64_t)n);
	return put_result(vm, "read", vm->call,
	    offsetof(struct svm_hc_read, ret), &a.ret,
	    sizeof(a) - offsetof(struct svm_hc_read, ret));
}

static int hc_random(struct svm_vm *vm, svm_gpa_t arg)
{
	struct svm_hc_random a;
	uint8_t *p;

	if (get_args(vm, "random", arg, &a, sizeof(a)))
		return 1;
	if (a.len > SVM_RANDOM_MAX ||
	    (p = vm_gpa_out(vm, a.data, a.len)) == NULL)
		return vm_end(vm, SVM_END_GUEST_ERROR,
		    "random: bad buffer %#llx+%#llx",
		    (unsigned long long)a.data, (unsigned long long)a.len);
	/* Up to 256 bytes from the urandom pool never return short. */
	a.ret = getrandom(p, a.len, 0) == (ssize_t)a.len ? 0 : -1;
	vm_mark_written(vm, a.data, a.len);
	return put_result(vm, "random", arg,
	    offsetof(struct svm_hc_random, ret), &a.ret, sizeof(a.ret));
}

static int hc_exit(struct svm_vm *vm, svm_gpa_t arg)
{
	struct svm_hc_exit a;

	if (get_args(vm, "exit", arg, &a, sizeof(a)) ||
	    (a.len != 0 && write_out(vm, "exit", 1, a.data, a.len)))
		return 1;
	vm->app_status = a.status;
	vm->end = SVM_END_EXIT;
	return 1;
}

static int hc_populate(struct svm_vm *vm, svm_gpa_t arg)
{
	struct svm_hc_populate a;
	uint64_t end = vm->stack_bottom - SVM_PAGE_SIZE; /* mmap_end */

	if (get_args(vm, "populate", arg, &a, sizeof(a)))
		return 1;
	if (a.len == 0 || (a.addr | a.len) % SVM_PAGE_SIZE != 0 ||
	    a.addr < vm->heap_start || a.addr > end || a.len > end - a.addr)
		return vm_end(vm, SVM_END_GUEST_ERROR,
		    "populate: bad range %#llx+%#llx",
		    (unsigned long long)a.addr, (unsigned long long)a.len);
	/* A hint: a host short of memory just backs the pages later. */
	if (!vm->serve_filter)
		(void)madvise(vm->mem + a.addr, a.len, MADV_POPULATE_WRITE);
	return 0;
}

static int hc_nop(struct svm_vm *vm, svm_gpa_t arg)
{
	(void)vm;
	(void)arg;
	return 0;
}

int hypercall_register(struct svm_vm *vm, unsigned nr, svm_hypercall_fn fn)
{
	if (nr >= SVM_HC_PORT_COUNT || vm->hypercalls[nr] != NULL)
		return -1;
	vm->hypercalls[nr] = fn;
	return 0;
}

void hypercall_init(struct svm_vm *vm)
{
	hypercall_register(vm, SVM_HC_WRITE, hc_write);
	hypercall_register(vm, SVM_HC_READ, hc_read);
	hypercall_register(vm, SVM_HC_RANDOM, hc_random);
	hypercall_register(vm, SVM_HC_EXIT, hc_exit);
	hypercall_register(vm, SVM_HC_NOP, hc_nop);
	hypercall_register(vm, SVM_HC_POPULATE, hc_populate);
	call_init(vm);
}

static const char *const vector_names[32] = {
	[0] = "#DE divide error",
	[1] = "#DB debug",
	[2] = "NMI",
	[3] = "#BP breakpoint",
	[4] = "#OF overflow",
	[5] = "#BR bound range",
	[6] = "#UD invalid opcode",
	[7] = "#NM device not available",
	[8] = "#DF double fault",
	[10] = "#TS invalid TSS",
	[11] = "#NP segment not present",
	[12] = "#SS stack fault",
	[13] = "#GP general protection",
	[14] = "#PF page fault",
	[16] = "#MF x87 error",
	[17] = "#AC alignment check",
	[18] = "#MC machine check",
	[19] = "#XM SIMD error",
	[20] = "#VE virtualization",
	[21] = "#CP control protection",
};

int svm_vector_signal(uint64_t vector)
{
	/* As Linux's own traps raise them. */
	switch (vector) {
	case 0:
	case 7:
	case 16:
	case 19:
		return SIGFPE;
	case 1:
	case 3:
		return SIGTRAP;
	case 6:
		return SIGILL;
	case 11:
	case 12:
	case 17:
	case 18:
		return SIGBUS;
	default:
		return SIGSEGV;
	}
}

/*
 * " (name+0xoff)" for rip from the program's symbols, " (in the guest
 * kernel: name+0xoff)" from the kernel's, or "".
 */
static void where(const struct svm_vm *vm, uint64_t rip, char *buf, size_t len)
{
	char sym[128];

	buf[0] = '\0';
	if (symtab_name(vm->syms, rip, sym, sizeof(sym)) == 0)
		snprintf(buf, len, " (%s)", sym);
	else if (rip >= SVM_LOAD_MIN && rip < SVM_PROGRAM_MIN)
		snprintf(buf, len, " (in the guest kernel%s%s)",
		    symtab_name(vm->ksyms, rip, sym, sizeof(sym)) == 0 ? ": " :
		                                                         "",
		    symtab_name(vm->ksyms, rip, sym, sizeof(sym)) == 0 ? sym :
		                                                         "");
}

/* A report from the monitor's own fault stubs: the frame is at the guest RSP.
 */
static int fault(struct svm_vm *vm)
{
	struct svm_cpu c;
	const void *frame;
	const char *name;
	char at[192];
	int rc;
	uint64_t guard = vm->stack_bottom - SVM_PAGE_SIZE;

	if (vm->be->get_cpu(vm, &c) < 0 ||
	    (frame = vm_gpa(vm, c.rsp, sizeof(vm->fault))) == NULL)
		return vm_end(vm, SVM_END_MONITOR_ERROR,
		    "guest fault, but its frame cannot be read");
	memcpy(&vm->fault, frame, sizeof(vm->fault));
	vm->fault_cr2 = c.cr2;
	/* Under --gdb breakpoints and steps come here too. */
	if (vm->gdb != NULL && (rc = gdb_fault(vm)) != 2)
		return rc;
	name = vm->fault.vector < 32 ? vector_names[vm->fault.vector] : NULL;
	where(vm, vm->fault.rip, at, sizeof(at));
	if (vm->fault.vector == 14 && c.cr2 >= guard &&
	    c.cr2 < guard + SVM_PAGE_SIZE)
		name = "#PF page fault (stack overflow)";
	if (vm->fault.vector == 14)
		vm_end(vm, SVM_END_FAULT,
		    "guest fault: %s (vector 14) at rip %#llx%s, address "
		    "%#llx, "
		    "error code %#llx",
		    name, (unsigned long long)vm->fault.rip, at,
		    (unsigned long long)c.cr2,
		    (unsigned long long)vm->fault.error);
	else
		vm_end(vm, SVM_END_FAULT,
		    "guest fault: %s (vector %llu) at rip %#llx%s, error code "
		    "%#llx",
		    name ? name : "exception",
		    (unsigned long long)vm->fault.vector,
		    (unsigned long long)vm->fault.rip, at,
		    (unsigned long long)vm->fault.error);
	return 1;
}

int vm_io(struct svm_vm *vm, uint16_t port, unsigned size, bool out,
    uint32_t value, uint32_t count)
{
	unsigned nr = port - SVM_HC_PORT_BASE;

	if (port == SVM_FAULT_PORT && out)
		return fault(vm);
	if (port < SVM_HC_PORT_BASE || nr >= SVM_HC_PORT_COUNT)
		return vm_end(vm, SVM_END_GUEST_ERROR,
		    "port I/O to unexpected port %#x at rip %#llx", port,
		    (unsigned long long)vm_rip(vm));
	if (!out || size != 4 || count != 1)
		return vm_end(vm, SVM_END_GUEST_ERROR,
		    "hypercall %u: %s of %u byte(s)%s instead of a 32-bit out "
		    "at rip %#llx",
		    nr, out ? "out" : "in", size, count != 1 ? " repeated" : "",
		    (unsigned long long)vm_rip(vm));
	if (vm->hypercalls[nr] == NULL)
		return vm_end(vm, SVM_END_GUEST_ERROR,
		    "unknown hypercall %u at rip %#llx", nr,
		    (unsigned long long)vm_rip(vm));
	vm->stats.hypercalls[nr]++;
	return vm->hypercalls[nr](vm, value);
}
