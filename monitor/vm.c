/* vm.c: guest memory, the app loader and the boot info; backend-neutral. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "monitor.h"

/*
 * What the program surely touches first, populated by the host beforehand:
 * a first guest touch of a populated page cost about 4.5 us, of an
 * unpopulated one about 35 us, on the host this was first measured on (0.94
 * and 4.3-6.0 us on the AMD machine of 2026-12-02), but populating a page the
 * guest never touches is pure loss (it is made, wiped on reset and freed).
 * So: the stack's top and the start of the program's .bss, not the heap up
 * front (musl's malloc takes little of it at a time; the guest kernel has
 * the larger pieces backed as it hands them out, SVM_HC_POPULATE) nor the
 * guest kernel's 236 KiB of .bss, of which hello touches 9 pages. Leaving those
 * two out took hello's cold start from 1.96x to 1.81x of the floor in one run
 * here.
 */
#define POPULATE_STACK 0x4000ull
#define POPULATE_BSS_MAX 0x100000ull

uint64_t svm_test_unreset;
unsigned svm_test_skip;

int vm_end(struct svm_vm *vm, enum svm_end end, const char *fmt, ...)
{
	va_list ap;

	vm->end = end;
	va_start(ap, fmt);
	vsnprintf(vm->err, sizeof(vm->err), fmt, ap);
	va_end(ap);
	return 1;
}

uint64_t vm_rip(struct svm_vm *vm)
{
	struct svm_cpu c;

	return vm->be->get_cpu(vm, &c) == 0 ? c.rip : 0;
}

/*
 * A buffer for a program file of len bytes, and its release. A large one is
 * an anonymous mapping on 2 MiB boundaries with MADV_HUGEPAGE: here the
 * kernel takes about 4 us for each fresh 4 KiB page it hands out, so reading
 * the 4.6 MB qjs binary into malloc'd memory took 5.0 ms, into huge pages
 * 1.1 ms (best of 10 each). Where THP is off it is just a mapping. Not a
 * mapping of the file itself (0.6 ms): a file truncated while it is loaded
 * would then kill the monitor with SIGBUS.
 */
#define FILE_HUGE (1u << 20)
#define HUGE_SIZE (2ull << 20)

static uint8_t *file_alloc(size_t len, size_t *maplen)
{
	uint8_t *raw, *buf;
	uintptr_t at;

	*maplen = 0;
	if (len < FILE_HUGE)
		return malloc(len);
	*maplen = ((len + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1)) + HUGE_SIZE;
	raw = mmap(NULL, *maplen, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	/* Keep only the aligned part, so that free needs no second address. */
	at = ((uintptr_t)raw + HUGE_SIZE - 1) & ~(uintptr_t)(HUGE_SIZE - 1);
	buf = (uint8_t *)at;
	if (buf > raw)
		munmap(raw, (size_t)(buf - raw));
	*maplen -= (size_t)(buf - raw);
	if (*maplen > ((len + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1))) {
		size_t keep = (len + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1);

		munmap(buf + keep, *maplen - keep);
		*maplen = keep;
	}
	(void)madvise(buf, *maplen, MADV_HUGEPAGE);
	return buf;
}

static void file_free(uint8_t *buf, size_t maplen)
{
	if (maplen != 0)
		munmap(buf, maplen);
	else
		free(buf);
}

/* Read the whole program file; refuses what is not a regular file of sane
 * size. */
static int read_app(const char *path, uint64_t max, uint8_t **buf, size_t *len,
    size_t *maplen, char *err, size_t errlen)
{
	struct stat st;
	size_t done = 0;
	int fd;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s", strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s",
		    S_ISDIR(st.st_mode) ? "is a directory" :
		                          "not a regular file");
		goto fail;
	}
	if (st.st_size == 0) {
		snprintf(err, errlen, "empty file");
		goto fail;
	}
	if ((uint64_t)st.st_size > max) {
		snprintf(err, errlen, "file larger than guest memory");
		goto fail;
	}
	*len = (size_t)st.st_size;
	if ((*buf = file_alloc(*len, maplen)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	while (done < *len) {
		ssize_t n = read(fd, *buf + done, *len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "read: %s",
			    n < 0 ? strerror(errno) : "file shrank");
			file_free(*buf, *maplen);
			goto fail;
		}
		done += (size_t)n;
	}
	close(fd);
	return 0;
fail:
	close(fd);
	return -1;
}

/*
 * The root tree's whole 2 MiB chunks in transparent huge pages, which the
 * guest's page tables map as 2 MiB pages too (x86_64.c): the monitor fills
 * them with a fault per 2 MiB instead of one per 4 KiB, and PVM's shadow
 * paging then maps them 2 MiB at a time, so a program reading a 64 MiB file
 * of its tree takes 32 first-touch exits instead of 16,384 (README,
 * Benchmarks). Only whole chunks: the monitor writes every byte of those
 * anyway, so no page is zeroed for nothing. A recycled mapping first drops
 * the advice an earlier VM's tree left on it.
 */
static void tree_huge(struct svm_vm *vm, bool recycled)
{
	uint64_t a = (vm->tree_gpa + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1);
	uint64_t b = (vm->tree_gpa + vm->tree_size) & ~(HUGE_SIZE - 1);

	if (recycled)
		(void)madvise(vm->mem, vm->mem_size, MADV_NOHUGEPAGE);
	if (b > a)
		(void)madvise(vm->mem + a, b - a, MADV_HUGEPAGE);
}

static void populate(struct svm_vm *vm, uint64_t gpa, uint64_t len)
{
	uint64_t start = gpa & ~(SVM_PAGE_SIZE - 1);
	uint64_t end = (gpa + len + SVM_PAGE_SIZE - 1) & ~(SVM_PAGE_SIZE - 1);

	/* Best effort: an old kernel without it only makes first touches
	 * slower. */
	(void)madvise(vm->mem + start, end - start, MADV_POPULATE_WRITE);
}

void vm_set_clock(struct svm_vm *vm, uint64_t tsc_khz, uint64_t tsc_now)
{
	struct svm_bootinfo *bi = vm_gpa(vm, vm->bootinfo, sizeof(*bi));
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	bi->tsc_khz = tsc_khz;
	bi->tsc_base = tsc_now;
	bi->wall_ns_base =
	    (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Copy an image's segments into guest memory; populate up to popmax bytes
 * of the start of .bss. */
static void load(struct svm_vm *vm, const struct elf_image *img,
    const uint8_t *file, uint64_t popmax)
{
	unsigned i;

	for (i = 0; i < img->nsegs; i++) {
		const struct elf_seg *s = &img->segs[i];
		uint64_t bss = s->memsz - s->filesz;

		memcpy(vm->mem + s->vaddr, file + s->offset, s->filesz);
		if (bss > 0 && popmax > 0) /* a system call each */
			populate(vm, s->vaddr + s->filesz,
			    bss < popmax ? bss : popmax);
	}
}

/*
 * The program as the guest names it (/proc/self/exe): its path inside
 * --root when it lives there, else "/" and its name.
 */
static const char *exe_path(const struct svm_config *cfg, const char *name,
    char *buf, size_t len)
{
	const char *base = strrchr(name, '/');
	char *r, *p;
	size_t n;

	if (cfg->exe != NULL)
		return cfg->exe;
	snprintf(buf, len, "/%s", base != NULL ? base + 1 : name);
	if (cfg->root == NULL)
		return buf;
	r = realpath(cfg->root, NULL);
	p = realpath(name, NULL);
	if (r != NULL && p != NULL && (n = strlen(r)) > 0 &&
	    strncmp(p, r, n) == 0 && (p[n] == '/' || r[n - 1] == '/'))
		snprintf(buf, len, "%s%s", r[n - 1] == '/' ? "/" : "", p + n);
	free(r);
	free(p);
	return buf;
}

/* The root tree of --root, --file and the defaults; NULL with err set. */
static struct tree *make_tree(const struct svm_config *cfg, const char *exe,
    char *err, size_t errlen)
{
	struct tree *t = tree_new();
	int i;

	if (t == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (cfg->root != NULL && tree_add_root(t, cfg->root, err, errlen) < 0)
		goto fail;
	for (i = 0; i < cfg->nfiles; i++)
		if (tree_add_file_arg(t, cfg->files[i], err, errlen) < 0)
			goto fail;
	if (tree_add_defaults(t, exe, err, errlen) < 0)
		goto fail;
	return t;
fail:
	tree_free(t);
	return NULL;
}

int vm_create_image(struct svm_vm *vm, const struct svm_config *cfg,
    const char *name, const uint8_t *image, size_t len, int argc,
    char *const argv[], char *err, size_t errlen)
{
	const struct svm_backend *be =
	    cfg->backend ? cfg->backend : &svm_backend_kvm;
	uint64_t mem_size = cfg->mem_size ? cfg->mem_size : SVM_MEM_DEFAULT;
	char why[SVM_ERR_LEN], exe[256];
	const char *exe_guest;
	struct tree *tree;
	bool recycled;
	uint64_t guard;

	memset(vm, 0, sizeof(*vm));
	vm->vcpu_fd = -1;
	vm->vm_fd = -1;
	vm->wake[0] = vm->wake[1] = -1;
	vm->core_fd = vm->core_dir = vm->proc_fd = -1;
	vm->gdb_fd = -1;
	vm->be = be;
	vm->paging = cfg->paging;
	vm->timeout_ms = cfg->timeout_ms;
	vm->max_output = cfg->max_output;
	vm->want_stats = cfg->stats;
	vm->serve_filter = cfg->serve;
	vm->in_fd = cfg->stdin_fd;
	vm->request_fd =
	    cfg->request_fd || cfg->answer_fd ? cfg->request_fd : -1;
	vm->answer_fd = cfg->request_fd || cfg->answer_fd ? cfg->answer_fd : -1;
	vm->out_fd[1] = cfg->stdout_fd ? cfg->stdout_fd : 1;
	vm->out_fd[2] = cfg->stderr_fd ? cfg->stderr_fd : 2;
	vm->recycle = cfg->recycle;
	vm->trace = cfg->trace;
	if (mem_size < SVM_MEM_MIN || mem_size > SVM_MEM_MAX ||
	    mem_size % 0x200000 != 0) {
		snprintf(err, errlen,
		    "--mem must be a multiple of 2 MiB from %llu to %llu MiB",
		    SVM_MEM_MIN >> 20, SVM_MEM_MAX >> 20);
		return SVM_STATUS_USAGE;
	}
	vm->mem_size = mem_size;
	if (len > mem_size) {
		snprintf(err, errlen, "%s: file larger than guest memory",
		    name);
		return SVM_STATUS_BAD_APP;
	}
	if (elf_parse(image, len, mem_size, SVM_PROGRAM_MIN, &vm->img, why,
	        sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", name, why);
		return SVM_STATUS_BAD_APP;
	}
	vm->stack_bottom = mem_size - svm_stack_size(mem_size);
	guard = vm->stack_bottom - SVM_PAGE_SIZE;
	/* The tree goes right above the program; brk and mmap above it. */
	exe_guest = exe_path(cfg, name, exe, sizeof(exe));
	if ((tree = make_tree(cfg, exe_guest, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "%s", why);
		return SVM_STATUS_USAGE;
	}
	vm->tree_gpa = vm->img.end;
	vm->tree_size =
	    (tree_size(tree) + SVM_PAGE_SIZE - 1) & ~(SVM_PAGE_SIZE - 1);
	if (tree_size(tree) > guard - vm->tree_gpa) {
		(void)tree_write(tree, NULL, guard - vm->tree_gpa, why,
		    sizeof(why));
		snprintf(err, errlen, "%s", why);
		tree_free(tree);
		return SVM_STATUS_USAGE;
	}
	vm->heap_start = vm->tree_gpa + vm->tree_size;
	/* The guest kernel is ours and built in, but checked all the same. */
	if (elf_parse(svm_kernel_image, svm_kernel_size(), mem_size,
	        SVM_LOAD_MIN, &vm->kernel, why, sizeof(why)) < 0 ||
	    vm->kernel.entry != SVM_LOAD_MIN ||
	    vm->kernel.end > SVM_PROGRAM_MIN) {
		snprintf(err, errlen, "the built-in guest kernel: %s", why);
		return SVM_STATUS_MONITOR;
	}

	/*
	 * MAP_NORESERVE and no zeroing: untouched guest memory costs nothing,
	 * and fresh anonymous pages read as zero, which covers .bss. A parked
	 * VM's memory was dropped the same way, so it reads as zero too.
	 */
	recycled = vm->recycle != 0 && pool_take(vm);
	if (!recycled)
		vm->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		tree_free(tree);
		snprintf(err, errlen, "cannot map %llu MiB of guest memory: %s",
		    (unsigned long long)(mem_size >> 20), strerror(errno));
		return SVM_STATUS_MONITOR;
	}
	tree_huge(vm, recycled);
	if (tree_write(tree, vm->mem + vm->tree_gpa, vm->tree_size, why,
	        sizeof(why)) < 0) {
		tree_free(tree);
		snprintf(err, errlen, "%s", why);
		vm->recycle = 0;
		vm_destroy(vm);
		return SVM_STATUS_USAGE;
	}
	tree_free(tree);
	load(vm, &vm->kernel, svm_kernel_image, 0);
	load(vm, &vm->img, image, POPULATE_BSS_MAX);
	/* For fault lines; a file without a symbol table just has none. */
	vm->syms = symtab_read(image, len, 0);
	vm->ksyms = symtab_view(svm_kernel_image, svm_kernel_size(), 0);

	vm->entry = vm->kernel.entry;
	vm->stack_top = mem_size;
	if (x86_setup(vm, why, sizeof(why)) < 0 ||
	    process_write(vm, image, argc, argv, cfg->envc, cfg->envp,
	        exe_guest, cfg->cwd ? cfg->cwd : "/", why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s", why);
		vm->recycle = 0;
		vm_destroy(vm);
		return SVM_STATUS_USAGE;
	}
	populate(vm, mem_size - POPULATE_STACK, POPULATE_STACK);
	populate(vm, X86_KSTACK_TOP - SVM_PAGE_SIZE, SVM_PAGE_SIZE);

	hypercall_init(vm);
	if (be->open(vm, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s", why);
		vm->recycle = 0; /* a VM that failed to open is not reused */
		vm_destroy(vm);
		return SVM_STATUS_MONITOR;
	}
	return 0;
}

int vm_create(struct svm_vm *vm, const struct svm_config *cfg, const char *path,
    int argc, char *const argv[], char *err, size_t errlen)
{
	uint64_t mem_size = cfg->mem_size ? cfg->mem_size : SVM_MEM_DEFAULT;
	uint8_t *file = NULL;
	size_t len = 0, maplen = 0;
	char why[SVM_ERR_LEN];
	int rc;

	memset(vm, 0, sizeof(*vm));
	vm->wake[0] = vm->wake[1] = -1;
	if (read_app(path, mem_size, &file, &len, &maplen, why, sizeof(why)) <
	    0) {
		snprintf(err, errlen, "%s: %s", path, why);
		return SVM_STATUS_BAD_APP;
	}
	rc = vm_create_image(vm, cfg, path, file, len, argc, argv, err, errlen);
	file_free(file, maplen);
	return rc;
}

void vm_destroy(struct svm_vm *vm)
{
	/*
	 * The timer and the signal handlers' pointer go first: a signal that
	 * landed while the backend unmaps its run page would otherwise store
	 * the kick into a page no longer there, or into whatever took its
	 * place.
	 */
	vm_stop_limits(vm);
	/* A parked VM leaves vm->backend and vm->mem NULL. */
	(void)pool_put(vm);
	if (vm->backend != NULL)
		vm->be->close(vm);
	if (vm->mem != NULL)
		munmap(vm->mem, vm->mem_size);
	vm->mem = NULL;
	/* A signal now must reach nothing of this VM (sandbox_test). */
	if (svm_test_skip & SVM_TEST_LATE_SIGNAL)
		raise(SIGALRM);
	free(vm->residency);
	vm->residency = NULL;
	if (vm->snap != NULL)
		munmap(vm->snap, vm->mem_size);
	vm->snap = NULL;
	free(vm->had);
	free(vm->dirty);
	symtab_free(vm->syms);
	symtab_free(vm->ksyms);
	vm->syms = vm->ksyms = NULL;
	vm->had = vm->dirty = NULL;
	vm->serving = false;
}
