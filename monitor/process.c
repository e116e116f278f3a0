/*
 * process.c: the program's start as Linux gives it: argc, argv, envp and the
 * auxiliary vector on its stack, and the boot info that tells the guest
 * kernel where everything is.
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "monitor.h"

/* At most this much of the stack for strings and vectors, as Linux's
 * quarter of the stack limit, with a floor for small guests. */
#define ARGS_MAX 0x20000ull

/* A write into the stack being built, below *top; 0 or -1 if it is full. */
struct builder {
	struct svm_vm *vm;
	svm_gpa_t top, floor;
};

static svm_gpa_t push(struct builder *b, const void *data, size_t len,
    size_t align)
{
	svm_gpa_t at;

	if (len > b->top - b->floor)
		return 0;
	at = (b->top - len) & ~(svm_gpa_t)(align - 1);
	if (at < b->floor)
		return 0;
	memcpy(b->vm->mem + at, data, len);
	b->top = at;
	return at;
}

static svm_gpa_t push_str(struct builder *b, const char *s)
{
	return push(b, s, strlen(s) + 1, 1);
}

/*
 * Where the program headers are in the program's memory (AT_PHDR): inside
 * the loaded segment whose file bytes hold them, else 0.
 */
static svm_gpa_t phdr_in_memory(const struct elf_image *img,
    const Elf64_Ehdr *eh)
{
	uint64_t len = (uint64_t)eh->e_phnum * eh->e_phentsize, end;
	unsigned i;

	if (__builtin_add_overflow(eh->e_phoff, len, &end))
		return 0;
	for (i = 0; i < img->nsegs; i++) {
		const struct elf_seg *s = &img->segs[i];

		if (eh->e_phoff >= s->offset && end <= s->offset + s->filesz)
			return s->vaddr + (eh->e_phoff - s->offset);
	}
	return 0;
}

int process_write(struct svm_vm *vm, const uint8_t *file, int argc,
    char *const argv[], int envc, char *const envp[], const char *exe,
    const char *cwd, char *err, size_t errlen)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)file;
	uint64_t limit = vm->mem_size - vm->stack_bottom;
	struct builder b = { vm, vm->mem_size, 0 };
	svm_gpa_t str[2][256], execfn, platform, rnd, phdr, sp;
	uint64_t aux[2 * 20], nvec, *vec, i, n = 0;
	uint8_t random[16];
	struct svm_bootinfo bi = { 0 };
	char *bs;

	b.floor = vm->mem_size - (limit / 4 < ARGS_MAX ? limit / 4 : ARGS_MAX);
	if (argc < 0 || argc > 256 || envc < 0 || envc > 256) {
		snprintf(err, errlen, "more than 256 arguments or variables");
		return -1;
	}
	if (getrandom(random, sizeof(random), 0) != sizeof(random)) {
		snprintf(err, errlen, "no random bytes for AT_RANDOM");
		return -1;
	}
	rnd = push(&b, random, sizeof(random), 16);
	platform = push_str(&b, "x86_64");
	execfn = push_str(&b, argc > 0 ? argv[0] : exe);
	for (i = 0; i < (uint64_t)envc; i++)
		if ((str[1][i] = push_str(&b, envp[i])) == 0)
			goto toolong;
	for (i = 0; i < (uint64_t)argc; i++)
		if ((str[0][i] = push_str(&b, argv[i])) == 0)
			goto toolong;
	if (rnd == 0 || platform == 0 || execfn == 0)
		goto toolong;
	/* Headers no segment holds go on the stack, for the libc's TLS. */
	if ((phdr = phdr_in_memory(&vm->img, eh)) == 0 &&
	    (phdr = push(&b, file + eh->e_phoff,
	         (size_t)eh->e_phnum * eh->e_phentsize, 8)) == 0)
		goto toolong;

#define AUX(type, value) (aux[n++] = (type), aux[n++] = (value))
	AUX(AT_PHDR, phdr);
	AUX(AT_PHENT, eh->e_phentsize);
	AUX(AT_PHNUM, eh->e_phnum);
	AUX(AT_PAGESZ, SVM_PAGE_SIZE);
	AUX(AT_BASE, 0);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, vm->img.entry);
	AUX(AT_UID, 0);
	AUX(AT_EUID, 0);
	AUX(AT_GID, 0);
	AUX(AT_EGID, 0);
	AUX(AT_SECURE, 0);
	AUX(AT_RANDOM, rnd);
	AUX(AT_HWCAP, x86_hwcap());
	/* HWCAP2_FSGSBASE: the guest's CR4 allows it (x86_cr4()). */
	AUX(AT_HWCAP2, (x86_cr4() & X86_CR4_FSGSBASE) ? 2 : 0);
	AUX(AT_CLKTCK, 100);
	AUX(AT_PLATFORM, platform);
	AUX(AT_EXECFN, execfn);
	AUX(AT_MINSIGSTKSZ, 2048);
	AUX(AT_NULL, 0);
#undef AUX

	/* argc, argv, NULL, envp, NULL, auxv: 16-aligned at argc. */
	nvec = 1 + (uint64_t)argc + 1 + (uint64_t)envc + 1 + n;
	sp = (b.top - nvec * 8) & ~15ull;
	if (b.top < nvec * 8 + 16 || sp < b.floor)
		goto toolong;
	vec = (uint64_t *)(vm->mem + sp);
	i = 0;
	vec[i++] = (uint64_t)argc;
	memcpy(vec + i, str[0], (size_t)argc * 8);
	i += (uint64_t)argc;
	vec[i++] = 0;
	memcpy(vec + i, str[1], (size_t)envc * 8);
	i += (uint64_t)envc;
	vec[i++] = 0;
	memcpy(vec + i, aux, n * 8);
	/* Kept, as Linux keeps it, for core files (NT_AUXV). */
	memcpy(vm->auxv, aux, n * 8);
	vm->auxv_words = (unsigned)n;

	bi.magic = SVM_BOOTINFO_MAGIC;
	bi.abi_version = SVM_ABI_VERSION;
	bi.mem_size = vm->mem_size;
	bi.flags = (vm->trace ? SVM_BOOT_TRACE : 0) |
	    (vm->serve_filter ? 0 : SVM_BOOT_POPULATE);
	for (i = 0; i < vm->img.nsegs && i < SVM_BOOT_SEGS; i++) {
		const struct elf_seg *s = &vm->img.segs[i];

		bi.segs[i].start = s->vaddr & ~(SVM_PAGE_SIZE - 1);
		bi.segs[i].end = (s->vaddr + s->memsz + SVM_PAGE_SIZE - 1) &
		    ~(SVM_PAGE_SIZE - 1);
		/* PF_R 4, PF_W 2, PF_X 1 into PROT_READ 1, WRITE 2, EXEC 4. */
		bi.segs[i].prot = (s->flags & PF_R ? 1 : 0) |
		    (s->flags & PF_W ? 2 : 0) | (s->flags & PF_X ? 4 : 0);
	}
	bi.nsegs = (uint32_t)i;
	bi.entry = vm->img.entry;
	bi.sp = sp;
	bi.tree = vm->tree_gpa;
	bi.brk_start = vm->heap_start;
	bi.mmap_end = vm->stack_bottom - SVM_PAGE_SIZE;
	bi.stack_bottom = vm->stack_bottom;
	/* The two paths go right after the struct, in the boot info pages. */
	bs = (char *)vm->mem + X86_BOOTINFO + sizeof(bi);
	if (sizeof(bi) + strlen(cwd) + strlen(exe) + 2 >
	    X86_BOOTINFO_END - X86_BOOTINFO) {
		snprintf(err, errlen,
		    "working directory or program path too "
		    "long");
		return -1;
	}
	bi.cwd = X86_BOOTINFO + sizeof(bi);
	memcpy(bs, cwd, strlen(cwd) + 1);
	bi.exe = bi.cwd + strlen(cwd) + 1;
	memcpy(bs + strlen(cwd) + 1, exe, strlen(exe) + 1);
	memcpy(vm->mem + X86_BOOTINFO, &bi, sizeof(bi));
	vm->bootinfo = X86_BOOTINFO;
	return 0;
toolong:
	snprintf(err, errlen,
	    "arguments and environment too long (%llu bytes at most)",
	    (unsigned long long)(vm->mem_size - b.floor - 512));
	return -1;
}
