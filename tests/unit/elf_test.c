/*
 * elf_test: unit tests of the program-file checks (elf_parse) and the
 * guest-address checks (vm_gpa, vm_gpa_out); host-only, no KVM, run under
 * ASan and UBSan. Also checks real programs of this machine and the ones
 * tests/unit/Makefile builds into REAL_DIR.
 * Usage: elf_test [app.bin...]; each app.bin given must be accepted.
 */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	a->eh.e_entry = 0x200010;
	a->eh.e_phoff = offsetof(struct app, ph);
	a->eh.e_ehsize = sizeof(Elf64_Ehdr);
	a->eh.e_phentsize = sizeof(Elf64_Phdr);
	a->eh.e_phnum = 3;
	a->ph[0] = (Elf64_Phdr) { .p_type = PT_LOAD,
		.p_flags = PF_R | PF_X,
		.p_offset = offsetof(struct app, text),
		.p_vaddr = 0x200000,
		.p_filesz = 64,
		.p_memsz = 64,
		.p_align = 0x1000 };
	a->ph[1] = (Elf64_Phdr) { .p_type = PT_LOAD,
		.p_flags = PF_R | PF_W,
		.p_offset = offsetof(struct app, data),
		.p_vaddr = 0x201000,
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
	rc = elf_parse(copy, len, mem, SVM_PROGRAM_MIN, &img, err, sizeof(err));
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
/* The same app as a static-PIE linked at 0: moved to SVM_PIE_BASE. */
static void to_pie(struct app *a)
{
	a->eh.e_type = ET_DYN;
	a->eh.e_entry -= 0x200000;
	a->ph[0].p_vaddr -= 0x200000;
	a->ph[1].p_vaddr -= 0x200000;
}

CASE(m_magic, a->eh.e_ident[1] = 'X')
CASE(m_class32, a->eh.e_ident[EI_CLASS] = ELFCLASS32)
CASE(m_bigendian, a->eh.e_ident[EI_DATA] = ELFDATA2MSB)
CASE(m_machine, a->eh.e_machine = EM_386)
CASE(m_rel, a->eh.e_type = ET_REL; a->eh.e_phnum = 0; a->eh.e_phentsize = 0)
CASE(m_core, a->eh.e_type = ET_CORE)
CASE(m_type0, a->eh.e_type = ET_NONE)
CASE(m_so, to_pie(a); a->eh.e_entry = 0)
CASE(m_version, a->eh.e_version = 2)
CASE(m_ehsize, a->eh.e_ehsize = 52)
CASE(m_phentsize, a->eh.e_phentsize = 32)
CASE(m_phnum0, a->eh.e_phnum = 0)
CASE(m_phnumffff, a->eh.e_phnum = 0xffff)
CASE(m_phoff, a->eh.e_phoff = 0x200000)
CASE(m_phoff_wrap, a->eh.e_phoff = UINT64_MAX - 8)
CASE(m_filesz, a->ph[0].p_filesz = 128; a->ph[0].p_memsz = 64)
CASE(m_offset, a->ph[1].p_offset = 1 << 20)
CASE(m_offset_wrap, a->ph[1].p_offset = UINT64_MAX - 10)
CASE(m_low, a->ph[0].p_vaddr = 0x9000; a->eh.e_entry = 0x9010)
CASE(m_zero, a->ph[0].p_vaddr = 0; a->eh.e_entry = 0x10)
CASE(m_overlap, a->ph[1].p_vaddr = 0x200020)
CASE(m_sharepage, a->ph[1].p_vaddr = 0x200800)
CASE(m_pastmem, a->ph[1].p_vaddr = MEM - 0x1000)
CASE(m_intostack, a->ph[1].p_memsz = MEM - 0x201000 - 0x1000)
CASE(m_wrap, a->ph[1].p_vaddr = UINT64_MAX - 0xfff)
CASE(m_huge, a->ph[1].p_memsz = UINT64_MAX)
CASE(m_align, a->ph[0].p_align = 0x1001)
CASE(m_wx, a->ph[1].p_flags = PF_R | PF_W | PF_X)
CASE(m_entry_data, a->eh.e_entry = 0x201000)
CASE(m_entry_out, a->eh.e_entry = 0x500000)
CASE(m_entry_bss, a->ph[0].p_memsz = 0x800; a->eh.e_entry = 0x200400)
CASE(m_noload, a->ph[0].p_type = PT_NOTE; a->ph[1].p_type = PT_NOTE)
CASE(m_interp, a->ph[2].p_type = PT_INTERP)
/* The interpreter's name is the start of the text: bytes 0x90 and 'A'. */
CASE(m_interp_name, a->ph[2].p_type = PT_INTERP;
     a->ph[2].p_offset = offsetof(struct app, text); a->ph[2].p_filesz = 3;
     a->text[0] = 0x90; a->text[1] = 'A'; a->text[2] = 7)
CASE(m_dyn_outside, a->ph[2].p_type = PT_DYNAMIC;
     a->ph[2].p_offset = sizeof(*a); a->ph[2].p_filesz = 16)
CASE(m_tls_filesz, a->ph[2].p_type = PT_TLS; a->ph[2].p_filesz = 8)
CASE(m_tls_align, a->ph[2].p_type = PT_TLS; a->ph[2].p_align = 6)
CASE(m_share_wx, a->ph[1].p_vaddr = 0x200040)
CASE(m_share_wx_bss, a->ph[0].p_memsz = 0x1010; a->ph[1].p_vaddr = 0x201800)
CASE(m_pie_wrap, to_pie(a); a->ph[1].p_vaddr = UINT64_MAX & ~0xfffull)
CASE(m_pie_align, to_pie(a); a->ph[1].p_align = 0x800000)
CASE(m_pie_past, to_pie(a); a->ph[1].p_memsz = MEM - 0x401000)
CASE(m_pie_entry, to_pie(a); a->eh.e_entry = 0x1000)

static const struct {
	const char *name;
	mutate_fn fn;
	const char *want;
} cases[] = {
	{ "bad magic", m_magic, "bad magic" },
	{ "ELFCLASS32", m_class32,
	    "32-bit ELF (ELFCLASS32): svm-sandbox runs 64-bit x86-64 static "
	    "executables" },
	{ "big-endian", m_bigendian, "little-endian" },
	{ "wrong machine", m_machine, "not an x86-64" },
	{ "ET_REL without program headers", m_rel,
	    "object file (ET_REL), not linked into an executable: svm-sandbox "
	    "runs static executables" },
	{ "ET_CORE", m_core, "core file (ET_CORE): svm-sandbox runs static" },
	{ "ET_NONE", m_type0, "not an executable (ELF type 0)" },
	{ "ET_DYN without an entry point", m_so,
	    "shared library (ELF type DYN without an entry point): "
	    "svm-sandbox runs static executables" },
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
	{ "p_vaddr over the page tables", m_low,
	    "segment 0: address 0x9000 below 0x200000, where the guest kernel "
	    "lives" },
	{ "p_vaddr 0", m_zero, "where the guest kernel lives" },
	{ "overlapping segments", m_overlap, "segments 0 and 1 overlap" },
	{ "text and data sharing a page", m_sharepage,
	    "segments 0 and 1 share a page that would be writable and "
	    "executable" },
	{ "data right after the text", m_share_wx,
	    "share a page that would be writable and executable" },
	{ "text bss and data sharing a page", m_share_wx_bss,
	    "share a page that would be writable and executable" },
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
	{ "PT_INTERP", m_interp,
	    "dynamically linked (interpreter ?): svm-sandbox runs static "
	    "executables" },
	{ "PT_INTERP, unprintable", m_interp_name,
	    "dynamically linked (interpreter ?A?): " },
	{ "PT_DYNAMIC outside the file", m_dyn_outside,
	    "program header 2: dynamic section outside the file" },
	{ "PT_TLS filesz > memsz", m_tls_filesz, "TLS file size" },
	{ "PT_TLS alignment", m_tls_align, "TLS alignment 0x6" },
	{ "static-PIE wrapping", m_pie_wrap,
	    "after the static-PIE's lowest one" },
	{ "static-PIE alignment", m_pie_align,
	    "alignment 0x800000 is lost at the static-PIE load address" },
	{ "static-PIE past memory", m_pie_past,
	    "segment 1: 0x401000+0x1bff000 does not fit in guest memory "
	    "(programs may use up to 0x1bff000 with --mem 32M)" },
	{ "static-PIE entry in data", m_pie_entry,
	    "entry point 0x1000 is not in an executable segment" },
};

/* Variants that must load; each checker looks at the image. */
typedef int (*image_fn)(const struct elf_image *img);

static int i_plain(const struct elf_image *img)
{
	return img->type == ET_EXEC && img->bias == 0 && img->nsegs == 2;
}

static int i_tls(const struct elf_image *img)
{
	return i_plain(img) && img->tls;
}

static int i_pie(const struct elf_image *img)
{
	return img->type == ET_DYN && img->bias == SVM_PIE_BASE &&
	    img->entry == 0x400010 && img->segs[0].vaddr == 0x400000 &&
	    img->segs[1].vaddr == 0x401000 && img->end == 0x404000;
}

static int i_pie_high(const struct elf_image *img)
{
	return img->type == ET_DYN && img->bias == SVM_PIE_BASE - 0x10000 &&
	    img->entry == 0x400010 && img->segs[0].vaddr == 0x400000;
}

/* R then RW in one page: the page is RW, and not executable. */
static int i_share(const struct elf_image *img)
{
	uint32_t f;

	return img->nsegs == 3 && img->end == 0x205000 &&
	    elf_page_flags(img, 0x201000, &f) && f == (PF_R | PF_W) &&
	    elf_page_flags(img, 0x201fff, &f) && f == (PF_R | PF_W) &&
	    elf_page_flags(img, 0x200000, &f) && f == (PF_R | PF_X) &&
	    !elf_page_flags(img, 0x205000, &f);
}

/* R in the text's last page: R+X there. */
static int i_share_rx(const struct elf_image *img)
{
	uint32_t f;

	return img->nsegs == 3 && elf_page_flags(img, 0x200800, &f) &&
	    f == (PF_R | PF_X) && elf_page_flags(img, 0x201000, &f) &&
	    f == (PF_R | PF_W);
}

/* The program headers are not in any segment: AT_PHDR must be copied. */
static int i_nophdr(const struct elf_image *img)
{
	return i_plain(img) && img->phdr == 0 &&
	    img->phoff == offsetof(struct app, ph) && img->phnum == 3 &&
	    img->phentsize == sizeof(Elf64_Phdr);
}

/* The text segment starts at the file's start: it loads the headers. */
static int i_phdr(const struct elf_image *img)
{
	return i_plain(img) && img->phdr == 0x200000 + offsetof(struct app, ph);
}

CASE(a_tls, a->ph[2].p_type = PT_TLS; a->ph[2].p_filesz = 8;
     a->ph[2].p_memsz = 16; a->ph[2].p_align = 8)
CASE(a_stack_x, a->ph[2].p_flags = PF_R | PF_W | PF_X)
CASE(a_relro, a->ph[2].p_type = PT_GNU_RELRO; a->ph[2].p_vaddr = 0x201000;
     a->ph[2].p_memsz = 0x1000)
CASE(a_phdr_type, a->ph[2].p_type = PT_PHDR)
CASE(a_note, a->ph[2].p_type = PT_NOTE; a->ph[2].p_offset = UINT64_MAX)
CASE(a_eh_frame, a->ph[2].p_type = PT_GNU_EH_FRAME)
CASE(a_property, a->ph[2].p_type = PT_GNU_PROPERTY)
CASE(a_unknown, a->ph[2].p_type = 0x6abcdef0; a->ph[2].p_memsz = UINT64_MAX)
CASE(a_shlib, a->ph[2].p_type = PT_SHLIB)
CASE(a_pie, to_pie(a))
CASE(a_pie_high, to_pie(a); a->eh.e_entry += 0x10000;
     a->ph[0].p_vaddr += 0x10000; a->ph[1].p_vaddr += 0x10000)
CASE(a_pie_dynamic, to_pie(a); a->ph[2].p_type = PT_DYNAMIC;
     a->ph[2].p_offset = offsetof(struct app, data); a->ph[2].p_filesz = 16)
CASE(a_share, a->ph[1].p_vaddr = 0x201800; a->ph[0].p_flags = PF_R;
     a->ph[2] = a->ph[0]; a->ph[0].p_vaddr = 0x201000;
     a->ph[2].p_flags = PF_R | PF_X; a->eh.e_phnum = 3;
     a->ph[0].p_memsz = a->ph[0].p_filesz = 16)
static void a_share_rx(struct app *a)
{
	a->ph[2] = (Elf64_Phdr) { .p_type = PT_LOAD,
		.p_flags = PF_R,
		.p_vaddr = 0x200800,
		.p_memsz = 0x10 };
}

CASE(a_phdr_loaded, a->ph[0].p_offset = 0;
     a->ph[0].p_filesz = a->ph[0].p_memsz = sizeof(*a);
     a->eh.e_entry = 0x200000 + offsetof(struct app, text) + 0x10)

static const struct {
	const char *name;
	mutate_fn fn;
	image_fn ok;
} accepted[] = {
	{ "PT_TLS", a_tls, i_tls },
	{ "PT_GNU_STACK with PF_X", a_stack_x, i_plain },
	{ "PT_GNU_RELRO", a_relro, i_plain },
	{ "PT_PHDR", a_phdr_type, i_plain },
	{ "PT_NOTE", a_note, i_plain },
	{ "PT_GNU_EH_FRAME", a_eh_frame, i_plain },
	{ "PT_GNU_PROPERTY", a_property, i_plain },
	{ "unknown program header type", a_unknown, i_plain },
	{ "PT_SHLIB", a_shlib, i_plain },
	{ "static-PIE", a_pie, i_pie },
	{ "static-PIE linked at 0x10000", a_pie_high, i_pie_high },
	{ "static-PIE with PT_DYNAMIC", a_pie_dynamic, i_pie },
	{ "R and RW sharing a page", a_share, i_share },
	{ "RX and R sharing a page", a_share_rx, i_share_rx },
	{ "program headers not loaded", NULL, i_nophdr },
	{ "program headers loaded", a_phdr_loaded, i_phdr },
};

static void test_elf(void)
{
	struct app a;
	struct elf_image img;
	char err[SVM_ERR_LEN];
	size_t i, n;

	make_app(&a);
	check(elf_parse((uint8_t *)&a, sizeof(a), MEM, SVM_PROGRAM_MIN, &img,
	          err, sizeof(err)) == 0,
	    "valid app accepted", err);
	check(img.nsegs == 2 && img.entry == 0x200010 && img.end == 0x204000,
	    "valid app image", NULL);
	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		int rc;

		make_app(&a);
		if (accepted[i].fn)
			accepted[i].fn(&a);
		strcpy(err, "");
		rc = elf_parse((uint8_t *)&a, sizeof(a), MEM, SVM_PROGRAM_MIN,
		    &img, err, sizeof(err));
		check(rc == 0, accepted[i].name, err);
		check(rc != 0 || accepted[i].ok(&img), accepted[i].name,
		    "wrong image");
	}
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
	vm.img.segs[0] = (struct elf_seg) { 0x200000, 0x1000, 0, 0x1000, 5, 0 };
	vm.img.segs[1] = (struct elf_seg) { 0x201000, 0x3000, 0, 0x100, 6, 1 };
	vm.img.end = 0x204000;
	vm.heap_start = vm.img.end;
	vm.stack_bottom = MEM - svm_stack_size(MEM);

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

	check(vm_gpa_out(&vm, 0x200000, 4) == NULL, "out: text refused", NULL);
	check(vm_gpa_out(&vm, 0x5000, 4) == NULL, "out: boot info refused",
	    NULL);
	check(vm_gpa_out(&vm, 0x9000, 4) == NULL, "out: page tables refused",
	    NULL);
	check(vm_gpa_out(&vm, 0x201000, 0x3000) != NULL, "out: data+bss", NULL);
	check(vm_gpa_out(&vm, 0x203ff0, 0x20) == NULL,
	    "out: spanning data and heap", NULL);
	check(vm_gpa_out(&vm, 0x204000, 64) != NULL, "out: heap", NULL);
	check(vm_gpa_out(&vm, guard - 8, 16) == NULL, "out: into the guard",
	    NULL);
	check(vm_gpa_out(&vm, MEM - 64, 64) != NULL, "out: stack top", NULL);
	check(vm_gpa_out(&vm, MEM - 8, 16) == NULL, "out: past the end", NULL);
	check(vm_gpa_out(&vm, UINT64_MAX - 4, 16) == NULL, "out: wrapping",
	    NULL);
}

/* A whole file in a heap buffer of exactly its size, or NULL. */
static uint8_t *slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t done = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size <= 0 ||
	    (buf = malloc((size_t)st.st_size)) == NULL)
		goto out;
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n <= 0) {
			free(buf);
			buf = NULL;
			goto out;
		}
		done += (size_t)n;
	}
	*len = done;
out:
	if (fd >= 0)
		close(fd);
	return buf;
}

/* The apps the build produced must pass the same checks. */
static void test_file(const char *path)
{
	struct elf_image img;
	char err[SVM_ERR_LEN] = "";
	size_t n = 0;
	uint8_t *buf = slurp(path, &n);

	check(buf &&
	        elf_parse(buf, n, MEM, SVM_PROGRAM_MIN, &img, err,
	            sizeof(err)) == 0,
	    path, buf ? err : "cannot read it");
	free(buf);
}

#ifndef REAL_DIR
#define REAL_DIR "build/tests/unit" /* tests/unit/Makefile says where */
#endif

/*
 * Real programs: what the toolchains here make must load (with AT_PHDR
 * pointing at the headers as the file has them), what they make for dynamic
 * linking must be refused with what it is. Each must exist: a missing one
 * fails, it is not skipped.
 */
static const struct {
	const char *path;
	int type;         /* what it must load as, or 0: refused */
	uint64_t bias;    /* for ET_DYN */
	const char *want; /* refused: part of the message */
} real[] = {
	/* busybox-static: glibc, 4 PT_LOADs, PT_TLS, GNU_RELRO */
	{ "/bin/busybox", ET_EXEC, 0, NULL },
	{ REAL_DIR "/hello-musl", ET_EXEC, 0, NULL },
	{ REAL_DIR "/hello-glibc", ET_EXEC, 0, NULL },
	{ REAL_DIR "/hello-static-pie", ET_DYN, SVM_PIE_BASE, NULL },
	{ "/bin/true", 0, 0,
	    "dynamically linked (interpreter /lib64/ld-linux-x86-64.so.2): "
	    "svm-sandbox runs static executables" },
	/* It has an interpreter and an entry point too. */
	{ "/lib/x86_64-linux-gnu/libc.so.6", 0, 0,
	    "shared library (soname libc.so.6): svm-sandbox runs static "
	    "executables" },
	/* No interpreter, an entry point, PT_DYNAMIC: only the soname says. */
	{ "/lib64/ld-linux-x86-64.so.2", 0, 0,
	    "shared library (soname ld-linux-x86-64.so.2)" },
	{ REAL_DIR "/hello.so", 0, 0,
	    "shared library (ELF type DYN without an entry point): "
	    "svm-sandbox runs static executables" },
	{ REAL_DIR "/hello.o", 0, 0,
	    "object file (ET_REL), not linked into an executable: "
	    "svm-sandbox runs static executables" },
};

static void test_real(void)
{
	size_t i;

	for (i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		struct elf_image img;
		char err[SVM_ERR_LEN] = "", name[300];
		const char *p = real[i].path;
		size_t n = 0;
		uint8_t *buf = slurp(p, &n);
		Elf64_Ehdr eh;
		unsigned j;
		int rc;

		if (buf == NULL || n < sizeof(eh)) {
			check(0, p, "missing or unreadable");
			free(buf);
			continue;
		}
		memcpy(&eh, buf, sizeof(eh));
		rc = elf_parse(buf, n, MEM, SVM_PROGRAM_MIN, &img, err,
		    sizeof(err));
		if (real[i].type == 0) {
			check(rc < 0 && strstr(err, real[i].want) != NULL, p,
			    rc < 0 ? err : "accepted");
			free(buf);
			continue;
		}
		check(rc == 0, p, err);
		if (rc == 0) {
			bool at = false;

			snprintf(name, sizeof(name), "%s: image", p);
			check(img.type == real[i].type &&
			        img.bias == real[i].bias &&
			        img.entry == eh.e_entry + real[i].bias &&
			        img.phnum == eh.e_phnum && img.phdr != 0,
			    name, NULL);
			for (j = 0; j < img.nsegs; j++) {
				const struct elf_seg *s = &img.segs[j];

				if (img.phdr >= s->vaddr &&
				    img.phdr - s->vaddr < s->filesz)
					at = s->offset + img.phdr - s->vaddr ==
					    eh.e_phoff;
			}
			snprintf(name, sizeof(name), "%s: AT_PHDR", p);
			check(at, name, NULL);
		}
		/* In the smallest memory, it is too big: said with sizes. */
		snprintf(name, sizeof(name), "%s in 2 MiB", p);
		rc = elf_parse(buf, n, SVM_MEM_MIN, SVM_PROGRAM_MIN, &img, err,
		    sizeof(err));
		check(rc < 0 &&
		        strstr(err,
		            "does not fit in guest memory (programs may "
		            "use up to 0x1bf000 with --mem 2M)"),
		    name, err);
		free(buf);
	}
}

int main(int argc, char **argv)
{
	int i;

	test_elf();
	test_gpa();
	test_real();
	for (i = 1; i < argc; i++)
		test_file(argv[i]);
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
