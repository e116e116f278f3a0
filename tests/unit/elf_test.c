/*
 * elf_test: unit tests of the app-file checks (elf_parse) and the guest-address
 * checks (vm_gpa, vm_gpa_out); host-only, no KVM, run under ASan and UBSan.
 * Usage: elf_test [app.bin...]; each app.bin given must be accepted.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"

static int passed, failed;

#define MEM (32ull << 20)

static void check(int ok, const char *name, const char *detail)
{
	if (ok) {
		passed++;
	} else {
		failed++;
		printf("FAIL %s%s%s\n", name, detail ? ": " : "",
		    detail ? detail : "");
	}
}

/* A valid app: one RX segment at 1 MiB and one RW segment with bss. */
struct app {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[3];
	uint8_t text[64];
	uint8_t data[64];
};

static void make_app(struct app *a)
{
	memset(a, 0, sizeof(*a));
	memcpy(a->eh.e_ident, ELFMAG, SELFMAG);
	a->eh.e_ident[EI_CLASS] = ELFCLASS64;
	a->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	a->eh.e_ident[EI_VERSION] = EV_CURRENT;
	a->eh.e_type = ET_EXEC;
	a->eh.e_machine = EM_X86_64;
	a->eh.e_version = EV_CURRENT;
	a->eh.e_entry = 0x100010;
	a->eh.e_phoff = offsetof(struct app, ph);
	a->eh.e_ehsize = sizeof(Elf64_Ehdr);
	a->eh.e_phentsize = sizeof(Elf64_Phdr);
	a->eh.e_phnum = 3;
	a->ph[0] = (Elf64_Phdr) { .p_type = PT_LOAD,
		.p_flags = PF_R | PF_X,
		.p_offset = offsetof(struct app, text),
		.p_vaddr = 0x100000,
		.p_filesz = 64,
		.p_memsz = 64,
		.p_align = 0x1000 };
	a->ph[1] = (Elf64_Phdr) { .p_type = PT_LOAD,
		.p_flags = PF_R | PF_W,
		.p_offset = offsetof(struct app, data),
		.p_vaddr = 0x101000,
		.p_filesz = 64,
		.p_memsz = 0x3000,
		.p_align = 0x1000 };
	a->ph[2] =
	    (Elf64_Phdr) { .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W };
}

/* Parse a (possibly broken) app; expect failure with want in the message. */
static void expect_fail(const char *name, const void *file, size_t len,
    uint64_t mem, const char *want)
{
	struct elf_image img;
	char err[SVM_ERR_LEN] = "";
	/* A heap copy of exactly len bytes: ASan catches any read past it. */
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, file, len);
	rc = elf_parse(copy, len, mem, &img, err, sizeof(err));
	free(copy);
	if (rc == 0) {
		check(0, name, "accepted");
		return;
	}
	check(strstr(err, want) != NULL, name, err);
}

typedef void (*mutate_fn)(struct app *a);

#define CASE(id, body)                                                         \
	static void id(struct app *a)                                          \
	{                                                                      \
		body;                                                          \
	}
CASE(m_magic, a->eh.e_ident[1] = 'X')
CASE(m_class32, a->eh.e_ident[EI_CLASS] = ELFCLASS32)
CASE(m_bigendian, a->eh.e_ident[EI_DATA] = ELFDATA2MSB)
CASE(m_machine, a->eh.e_machine = EM_386)
CASE(m_dyn, a->eh.e_type = ET_DYN)
CASE(m_version, a->eh.e_version = 2)
CASE(m_ehsize, a->eh.e_ehsize = 52)
CASE(m_phentsize, a->eh.e_phentsize = 32)
CASE(m_phnum0, a->eh.e_phnum = 0)
CASE(m_phnumffff, a->eh.e_phnum = 0xffff)
CASE(m_phoff, a->eh.e_phoff = 0x100000)
CASE(m_phoff_wrap, a->eh.e_phoff = UINT64_MAX - 8)
CASE(m_filesz, a->ph[0].p_filesz = 128; a->ph[0].p_memsz = 64)
CASE(m_offset, a->ph[1].p_offset = 1 << 20)
CASE(m_offset_wrap, a->ph[1].p_offset = UINT64_MAX - 10)
CASE(m_low, a->ph[0].p_vaddr = 0x9000; a->eh.e_entry = 0x9010)
CASE(m_zero, a->ph[0].p_vaddr = 0; a->eh.e_entry = 0x10)
CASE(m_overlap, a->ph[1].p_vaddr = 0x100020)
CASE(m_sharepage, a->ph[1].p_vaddr = 0x100800)
CASE(m_pastmem, a->ph[1].p_vaddr = MEM - 0x1000)
CASE(m_intostack, a->ph[1].p_memsz = MEM - 0x101000 - 0x1000)
CASE(m_wrap, a->ph[1].p_vaddr = UINT64_MAX - 0xfff)
CASE(m_huge, a->ph[1].p_memsz = UINT64_MAX)
CASE(m_align, a->ph[0].p_align = 0x1001)
CASE(m_wx, a->ph[1].p_flags = PF_R | PF_W | PF_X)
CASE(m_entry_data, a->eh.e_entry = 0x101000)
CASE(m_entry_out, a->eh.e_entry = 0x500000)
CASE(m_entry_bss, a->ph[0].p_memsz = 0x800; a->eh.e_entry = 0x100400)
CASE(m_noload, a->ph[0].p_type = PT_NOTE; a->ph[1].p_type = PT_NOTE)
CASE(m_interp, a->ph[2].p_type = PT_INTERP)
CASE(m_tls, a->ph[2].p_type = PT_TLS)

static const struct {
	const char *name;
	mutate_fn fn;
	const char *want;
} cases[] = {
	{ "bad magic", m_magic, "bad magic" },
	{ "ELFCLASS32", m_class32, "not a 64-bit" },
	{ "big-endian", m_bigendian, "little-endian" },
	{ "wrong machine", m_machine, "not an x86-64" },
	{ "ET_DYN", m_dyn, "not a static executable" },
	{ "e_version", m_version, "ELF version" },
	{ "e_ehsize", m_ehsize, "ELF header size" },
	{ "e_phentsize", m_phentsize, "program header size" },
	{ "e_phnum 0", m_phnum0, "program header count" },
	{ "e_phnum 0xffff", m_phnumffff, "program header count" },
	{ "e_phoff past the end", m_phoff, "outside the file" },
	{ "e_phoff wraps", m_phoff_wrap, "outside the file" },
	{ "p_filesz > p_memsz", m_filesz, "file size" },
	{ "p_offset past the end", m_offset, "data outside the file" },
	{ "p_offset wraps", m_offset_wrap, "data outside the file" },
	{ "p_vaddr over the page tables", m_low, "below the lowest" },
	{ "p_vaddr 0", m_zero, "below the lowest" },
	{ "overlapping segments", m_overlap, "overlap" },
	{ "segments sharing a page", m_sharepage, "overlap" },
	{ "segment past memory", m_pastmem, "does not fit" },
	{ "segment into the stack", m_intostack, "does not fit" },
	{ "p_vaddr+p_memsz wraps", m_wrap, "does not fit" },
	{ "huge p_memsz", m_huge, "does not fit" },
	{ "p_align not a power of two", m_align, "power of two" },
	{ "writable and executable", m_wx, "writable and executable" },
	{ "entry in data", m_entry_data, "entry point" },
	{ "entry outside", m_entry_out, "entry point" },
	{ "entry in text bss", m_entry_bss, "entry point" },
	{ "no PT_LOAD", m_noload, "no loadable" },
	{ "PT_INTERP", m_interp, "dynamically linked" },
	{ "PT_TLS", m_tls, "thread-local" },
};

static void test_elf(void)
{
	struct app a;
	struct elf_image img;
	char err[SVM_ERR_LEN];
	size_t i, n;

	make_app(&a);
	check(elf_parse((uint8_t *)&a, sizeof(a), MEM, &img, err,
	          sizeof(err)) == 0,
	    "valid app accepted", err);
	check(img.nsegs == 2 && img.entry == 0x100010 && img.end == 0x104000,
	    "valid app image", NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_app(&a);
		cases[i].fn(&a);
		expect_fail(cases[i].name, &a, sizeof(a), MEM, cases[i].want);
	}
	/* Every truncation of a valid file is refused, never read past. */
	make_app(&a);
	for (n = 0; n < sizeof(a); n++) {
		char name[64];

		snprintf(name, sizeof(name), "truncated to %zu bytes", n);
		expect_fail(name, &a, n, MEM,
		    n < sizeof(Elf64_Ehdr) ? "too short" : "outside the file");
	}
}

static void test_gpa(void)
{
	struct svm_vm vm;
	static uint8_t mem[4096];
	uint64_t guard = MEM - svm_stack_size(MEM) - SVM_PAGE_SIZE;

	memset(&vm, 0, sizeof(vm));
	vm.mem = mem; /* never dereferenced: only pointers are compared */
	vm.mem_size = MEM;
	vm.img.nsegs = 2;
	vm.img.segs[0] = (struct elf_seg) { 0x100000, 0x1000, 0, 0x1000, 5, 0 };
	vm.img.segs[1] = (struct elf_seg) { 0x101000, 0x3000, 0, 0x100, 6, 1 };
	vm.img.end = 0x104000;

	check(vm_gpa(&vm, 0, MEM) == mem, "whole memory", NULL);
	check(vm_gpa(&vm, MEM - 1, 1) == mem + MEM - 1, "last byte", NULL);
	check(vm_gpa(&vm, MEM, 0) == mem + MEM, "length 0 at the end", NULL);
	check(vm_gpa(&vm, MEM - 8, 16) == NULL, "spanning the end", NULL);
	check(vm_gpa(&vm, MEM, 1) == NULL, "just past the end", NULL);
	check(vm_gpa(&vm, MEM + 1, 0) == NULL, "length 0 past the end", NULL);
	check(vm_gpa(&vm, 0x1000, UINT64_MAX) == NULL, "length SIZE_MAX", NULL);
	check(vm_gpa(&vm, UINT64_MAX - 4, 16) == NULL, "wrapping past 2^64",
	    NULL);
	check(vm_gpa(&vm, UINT64_MAX, 1) == NULL, "address 2^64-1", NULL);

	check(vm_gpa_out(&vm, 0x100000, 4) == NULL, "out: text refused", NULL);
	check(vm_gpa_out(&vm, 0x5000, 4) == NULL, "out: boot info refused",
	    NULL);
	check(vm_gpa_out(&vm, 0x9000, 4) == NULL, "out: page tables refused",
	    NULL);
	check(vm_gpa_out(&vm, 0x101000, 0x3000) != NULL, "out: data+bss", NULL);
	check(vm_gpa_out(&vm, 0x103ff0, 0x20) == NULL,
	    "out: spanning data and heap", NULL);
	check(vm_gpa_out(&vm, 0x104000, 64) != NULL, "out: heap", NULL);
	check(vm_gpa_out(&vm, guard - 8, 16) == NULL, "out: into the guard",
	    NULL);
	check(vm_gpa_out(&vm, MEM - 64, 64) != NULL, "out: stack top", NULL);
	check(vm_gpa_out(&vm, MEM - 8, 16) == NULL, "out: past the end", NULL);
	check(vm_gpa_out(&vm, UINT64_MAX - 4, 16) == NULL, "out: wrapping",
	    NULL);
}

/* The apps the build produced must pass the same checks. */
static void test_file(const char *path)
{
	struct elf_image img;
	char err[SVM_ERR_LEN] = "";
	FILE *f = fopen(path, "rb");
	static uint8_t buf[1 << 22];
	size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;

	if (f)
		fclose(f);
	check(n > 0 && elf_parse(buf, n, MEM, &img, err, sizeof(err)) == 0,
	    path, err);
}

int main(int argc, char **argv)
{
	int i;

	test_elf();
	test_gpa();
	for (i = 1; i < argc; i++)
		test_file(argv[i]);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
