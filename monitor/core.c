/*
 * core.c: --core FILE: an ELF core file of the program (its registers, its
 * auxiliary vector and its memory), as Linux would dump it, when a run ends
 * by a fault or the timeout; `gdb PROGRAM FILE` reads it.
 *
 * Everything is prepared before the lockdown: an unnamed file (O_TMPFILE)
 * in FILE's directory, that directory and /proc/self/fd. The core is written
 * into the unnamed file, linked beside FILE and renamed over it only once it
 * is whole, so a run that ends otherwise leaves nothing, and an existing FILE
 * is replaced only by a complete core.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/procfs.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <unistd.h>

#include "monitor.h"

#define NAME_LEN 256
#define BUF_LEN 65536
#define PAGE SVM_PAGE_SIZE

struct core {
	char path[4096];     /* FILE, for messages */
	char name[NAME_LEN]; /* its last component */
	char tmp[32];        /* the unnamed file's name until the rename */
	char fdname[16];     /* its number in /proc/self/fd */
	struct elf_prpsinfo ps;
	uint8_t *files; /* the NT_FILE note's descriptor, or NULL */
	size_t files_len;
	/* Output buffer: headers and notes go through it. */
	uint8_t buf[BUF_LEN];
	size_t len;
	int error; /* the first write's errno, or 0 */
};

static int fail(char *err, size_t errlen, const char *what, const char *path)
{
	snprintf(err, errlen, "--core %s: %s: %s", path, what, strerror(errno));
	return -1;
}

/* The NT_FILE note: the program's file-backed segments and its path. */
static void file_note(struct svm_vm *vm, struct core *c, const char *prog)
{
	char *real = realpath(prog, NULL);
	uint64_t n = 0, *w;
	size_t len;
	unsigned i;

	if (real == NULL)
		return;
	for (i = 0; i < vm->img.nsegs; i++)
		n += vm->img.segs[i].filesz > 0;
	len = (2 + 3 * n) * 8 + n * (strlen(real) + 1);
	if ((c->files = calloc(1, len)) == NULL) {
		free(real);
		return;
	}
	w = (uint64_t *)c->files;
	*w++ = n;
	*w++ = PAGE;
	for (i = 0; i < vm->img.nsegs; i++) {
		const struct elf_seg *s = &vm->img.segs[i];

		if (s->filesz == 0)
			continue;
		*w++ = s->vaddr & ~(PAGE - 1);
		*w++ = (s->vaddr + s->filesz + PAGE - 1) & ~(PAGE - 1);
		*w++ = s->offset / PAGE;
	}
	for (i = 0; i < n; i++) {
		memcpy((char *)w, real, strlen(real) + 1);
		w = (uint64_t *)((char *)w + strlen(real) + 1);
	}
	c->files_len = len;
	free(real);
}

int core_open(struct svm_vm *vm, const char *path, const char *prog, int argc,
    char *const argv[], char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	struct stat st;
	struct core *c;
	size_t off = 0;
	int i;

	if (strlen(path) >= sizeof(c->path) || path[0] == '\0') {
		snprintf(err, errlen, "bad --core '%s'", path);
		return -1;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return fail(err, errlen, "cannot prepare", path);
	vm->core = c;
	snprintf(c->path, sizeof(c->path), "%s", path);
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s",
		    slash == path ? 1 : (int)(slash - path), path);
	snprintf(c->name, sizeof(c->name), "%s", slash ? slash + 1 : path);
	if (c->name[0] == '\0' ||
	    (stat(path, &st) == 0 && S_ISDIR(st.st_mode))) {
		snprintf(err, errlen, "--core %s: is a directory", path);
		return -1;
	}
	if ((vm->core_dir = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return fail(err, errlen, dir, path);
	/* Where the core goes now, unnamed: the check that FILE can be made.
	 */
	if ((vm->core_fd = openat(vm->core_dir, ".",
	         O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600)) < 0)
		return fail(err, errlen,
		    "cannot create a file in its directory", path);
	if ((vm->proc_fd = open("/proc/self/fd",
	         O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return fail(err, errlen, "/proc/self/fd", path);
	snprintf(c->fdname, sizeof(c->fdname), "%d", vm->core_fd);
	snprintf(c->tmp, sizeof(c->tmp), ".svm-core.%d", (int)getpid());
	/* mincore's vector, for the resident pages of the heap and stack. */
	if (vm->residency == NULL &&
	    (vm->residency = calloc(vm->mem_size / PAGE, 1)) == NULL)
		return fail(err, errlen, "cannot prepare", path);

	c->ps.pr_sname = 'R';
	c->ps.pr_pid = 1; /* as the guest kernel's getpid */
	c->ps.pr_ppid = 0;
	c->ps.pr_pgrp = c->ps.pr_sid = 1;
	slash = strrchr(argv[0], '/');
	snprintf(c->ps.pr_fname, sizeof(c->ps.pr_fname), "%s",
	    slash ? slash + 1 : argv[0]);
	for (i = 0; i < argc && off + 1 < sizeof(c->ps.pr_psargs); i++)
		off += (size_t)snprintf(c->ps.pr_psargs + off,
		    sizeof(c->ps.pr_psargs) - off, "%s%s", i ? " " : "",
		    argv[i]);
	file_note(vm, c, prog);
	return 0;
}

/* Write out the buffer (after the lockdown: only write on the core's fd). */
static void flush(struct svm_vm *vm, struct core *c, const uint8_t *p,
    size_t len)
{
	while (len > 0 && c->error == 0) {
		ssize_t n = write(vm->core_fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			c->error = n < 0 ? errno : EIO;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
}

static void put(struct svm_vm *vm, struct core *c, const void *p, size_t len)
{
	if (c->len + len > BUF_LEN) {
		flush(vm, c, c->buf, c->len);
		c->len = 0;
	}
	if (len > BUF_LEN) {
		flush(vm, c, p, len);
		return;
	}
	memcpy(c->buf + c->len, p, len);
	c->len += len;
}

static void zeros(struct svm_vm *vm, struct core *c, size_t len)
{
	static const uint8_t z[PAGE];

	while (len > 0) {
		size_t n = len < PAGE ? len : PAGE;

		put(vm, c, z, n);
		len -= n;
	}
}

/* A note: header, "CORE", the descriptor, each padded to 4 bytes. */
static size_t note_size(size_t desc)
{
	return sizeof(Elf64_Nhdr) + 8 + ((desc + 3) & ~(size_t)3);
}

static void note(struct svm_vm *vm, struct core *c, uint32_t type,
    const void *desc, size_t len)
{
	Elf64_Nhdr h = { 5, (Elf64_Word)len, type };

	put(vm, c, &h, sizeof(h));
	put(vm, c, "CORE\0\0\0", 8);
	put(vm, c, desc, len);
	zeros(vm, c, ((len + 3) & ~(size_t)3) - len);
}

int core_signal(const struct svm_vm *vm)
{
	return vm->end == SVM_END_FAULT ? svm_vector_signal(vm->fault.vector) :
	                                  SIGALRM;
}

/*
 * The ELF flags of guest page gpa in the core (0: left out): the pages the
 * program can reach (user pages of the monitor's tables), the file tree
 * aside; above the program's image only those resident in host memory.
 * all: every heap and stack page (when the resident ones are too scattered
 * for the ELF header's 16-bit count).
 */
static uint32_t page_flags(const struct svm_vm *vm, uint64_t gpa, bool all)
{
	uint64_t r = x86_page_rights(vm, gpa);

	if (!(r & X86_PTE_U) || gpa < SVM_PROGRAM_MIN)
		return 0;
	if (gpa >= vm->img.end && gpa < vm->heap_start)
		return 0; /* the root tree: file data, not the program's */
	if (gpa >= vm->img.end && !all && !(vm->residency[gpa / PAGE] & 1))
		return 0;
	return PF_R | (r & X86_PTE_W ? PF_W : 0) | (r & X86_PTE_NX ? 0 : PF_X);
}

/*
 * Walk the runs of pages with the same flags: each is a PT_LOAD. With out,
 * write its program header at file offset *off (advanced); returns the
 * count.
 */
static unsigned loads(struct svm_vm *vm, struct core *c, bool all, bool out,
    uint64_t *off)
{
	uint64_t gpa, start = 0;
	uint32_t cur = 0, f;
	unsigned n = 0;

	for (gpa = SVM_PROGRAM_MIN; gpa <= vm->mem_size; gpa += PAGE) {
		f = gpa < vm->mem_size ? page_flags(vm, gpa, all) : 0;
		if (f == cur)
			continue;
		if (cur != 0) {
			Elf64_Phdr ph = { .p_type = PT_LOAD,
				.p_flags = cur,
				.p_offset = *off,
				.p_vaddr = start,
				.p_filesz = gpa - start,
				.p_memsz = gpa - start,
				.p_align = PAGE };

			n++;
			if (out)
				put(vm, c, &ph, sizeof(ph));
			*off += gpa - start;
		}
		cur = f;
		start = gpa;
	}
	return n;
}

static void data(struct svm_vm *vm, struct core *c, bool all)
{
	uint64_t gpa, start = 0;
	uint32_t cur = 0, f;

	flush(vm, c, c->buf, c->len);
	c->len = 0;
	for (gpa = SVM_PROGRAM_MIN; gpa <= vm->mem_size; gpa += PAGE) {
		f = gpa < vm->mem_size ? page_flags(vm, gpa, all) : 0;
		if (f == cur)
			continue;
		if (cur != 0)
			flush(vm, c, vm->mem + start, gpa - start);
		cur = f;
		start = gpa;
	}
}

static void regs(struct svm_vm *vm, struct elf_prstatus *st)
{
	struct user_regs_struct u;
	struct svm_cpu r;

	memset(&u, 0, sizeof(u));
	if (x86_program_cpu(vm, &r) < 0)
		memset(&r, 0, sizeof(r));
	u.r15 = r.r15, u.r14 = r.r14, u.r13 = r.r13, u.r12 = r.r12;
	u.rbp = r.rbp, u.rbx = r.rbx, u.r11 = r.r11, u.r10 = r.r10;
	u.r9 = r.r9, u.r8 = r.r8, u.rax = r.rax, u.rcx = r.rcx;
	u.rdx = r.rdx, u.rsi = r.rsi, u.rdi = r.rdi;
	u.orig_rax = (unsigned long)-1; /* not in a system call */
	u.rip = r.rip, u.cs = r.cs, u.eflags = r.rflags, u.rsp = r.rsp;
	u.ss = r.ss, u.fs_base = r.fs_base, u.gs_base = r.gs_base;
	u.ds = r.ds, u.es = r.es, u.fs = r.fs, u.gs = r.gs;
	memcpy(&st->pr_reg, &u,
	    sizeof(st->pr_reg) < sizeof(u) ? sizeof(st->pr_reg) : sizeof(u));
}

void core_write(struct svm_vm *vm)
{
	struct core *c = vm->core;
	struct elf_prstatus st;
	uint64_t off, notes_len, data_off;
	unsigned n;
	bool all = false;
	size_t at = strlen(vm->err);
	Elf64_Ehdr eh = {
		.e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64,
		    ELFDATA2LSB, EV_CURRENT, ELFOSABI_NONE },
		.e_type = ET_CORE,
		.e_machine = EM_X86_64,
		.e_version = EV_CURRENT,
		.e_phoff = sizeof(Elf64_Ehdr),
		.e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr),
	};
	Elf64_Phdr ph = { .p_type = PT_NOTE, .p_align = 4 };

	/* No vector: every page counts as resident. */
	if (mincore(vm->mem, vm->mem_size, vm->residency) < 0)
		all = true;
	off = 0;
	if ((n = loads(vm, c, all, false, &off)) >= PN_XNUM - 1) {
		all = true;
		off = 0;
		n = loads(vm, c, all, false, &off);
	}
	memset(&st, 0, sizeof(st));
	st.pr_info.si_signo = st.pr_cursig = (short)core_signal(vm);
	st.pr_pid = 1;
	st.pr_pgrp = st.pr_sid = 1;
	regs(vm, &st);
	notes_len = note_size(sizeof(st)) + note_size(sizeof(c->ps)) +
	    note_size(vm->auxv_words * 8ull) +
	    (c->files ? note_size(c->files_len) : 0);
	eh.e_phnum = (Elf64_Half)(1 + n);
	ph.p_offset = sizeof(eh) + (1ull + n) * sizeof(Elf64_Phdr);
	ph.p_filesz = notes_len;
	data_off = (ph.p_offset + notes_len + PAGE - 1) & ~(PAGE - 1);

	put(vm, c, &eh, sizeof(eh));
	put(vm, c, &ph, sizeof(ph));
	off = data_off;
	loads(vm, c, all, true, &off);
	note(vm, c, NT_PRSTATUS, &st, sizeof(st));
	note(vm, c, NT_PRPSINFO, &c->ps, sizeof(c->ps));
	note(vm, c, NT_AUXV, vm->auxv, vm->auxv_words * 8ull);
	if (c->files != NULL)
		note(vm, c, NT_FILE, c->files, c->files_len);
	zeros(vm, c, data_off - ph.p_offset - notes_len);
	data(vm, c, all);

	/* Named beside FILE, then over it: FILE is whole or as it was. */
	if (c->error == 0 &&
	    (syscall(SYS_linkat, vm->proc_fd, c->fdname, vm->core_dir, c->tmp,
	         AT_SYMLINK_FOLLOW) < 0 ||
	        syscall(SYS_renameat, vm->core_dir, c->tmp, vm->core_dir,
	            c->name) < 0))
		c->error = errno;
	if (c->error != 0)
		snprintf(vm->err + at, sizeof(vm->err) - at,
		    " (no core: %s: %s)", c->path, strerror(c->error));
	else
		snprintf(vm->err + at, sizeof(vm->err) - at,
		    " (core dumped to %s)", c->path);
}
