/* elf.c: checks a static x86-64 Linux program file before it is loaded. */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "monitor.h"

#define PAGE_MASK (SVM_PAGE_SIZE - 1)
#define STATIC_ONLY "svm-sandbox runs static executables"
#define NAME_MAX_SHOWN 64 /* bytes of a name from the file in a message */

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * A program may use [lowest, limit): the stack and its guard sit
 * above. mem_size >= SVM_MEM_MIN, so this does not wrap.
 */
static uint64_t load_limit(uint64_t mem_size)
{
	return mem_size - svm_stack_size(mem_size) - SVM_PAGE_SIZE;
}

static Elf64_Phdr get_phdr(const uint8_t *file, const Elf64_Ehdr *eh,
    unsigned i)
{
	Elf64_Phdr ph;

	/* check_header() bounded the table inside the file. Copies, not
	 * casts: the file buffer need not be aligned. */
	memcpy(&ph, file + eh->e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
	return ph;
}

/*
 * A name from the file (an interpreter, a soname) at [off, off + max) for a
 * message, into out (NAME_MAX_SHOWN + 4 bytes): up to its NUL, at most
 * NAME_MAX_SHOWN bytes, unprintable bytes as '?', so that a hostile file
 * cannot put control characters on a terminal.
 */
static void show_name(const uint8_t *file, size_t len, uint64_t off,
    uint64_t max, char *out)
{
	size_t n = 0;

	if (off > len)
		max = 0;
	else if (max > len - off)
		max = len - off;
	for (; n < max && n < NAME_MAX_SHOWN && file[off + n] != 0; n++) {
		uint8_t c = file[off + n];

		out[n] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	if (n < max && file[off + n] != 0) {
		memcpy(out + n, "...", 3);
		n += 3;
	} else if (n == 0) {
		out[n++] = '?';
	}
	out[n] = 0;
}

/*
 * The file offset of the bytes at (unbiased) address vaddr, and in *max how
 * many file bytes of the same segment follow: for strings the dynamic
 * section names by address. -1 if no PT_LOAD loads vaddr from the file.
 */
static int vaddr_to_offset(const uint8_t *file, size_t len,
    const Elf64_Ehdr *eh, uint64_t vaddr, uint64_t *off, uint64_t *max)
{
	unsigned i;

	for (i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph = get_phdr(file, eh, i);
		uint64_t d = vaddr - ph.p_vaddr, end;

		if (ph.p_type != PT_LOAD || vaddr < ph.p_vaddr ||
		    d >= ph.p_filesz ||
		    __builtin_add_overflow(ph.p_offset, ph.p_filesz, &end) ||
		    end > len)
			continue;
		*off = ph.p_offset + d;
		*max = ph.p_filesz - d;
		return 0;
	}
	return -1;
}

/* What the dynamic section says about the file, for refusing it clearly. */
struct dyn_info {
	bool needed, soname, strtab;
	uint64_t needed_str, soname_str, strtab_addr;
};

/* Fill *di from the dynamic section ph; -1 if it is not inside the file. */
static int read_dynamic(const uint8_t *file, size_t len, const Elf64_Phdr *ph,
    struct dyn_info *di)
{
	uint64_t end, off;

	memset(di, 0, sizeof(*di));
	if (__builtin_add_overflow(ph->p_offset, ph->p_filesz, &end) ||
	    end > len)
		return -1;
	for (off = ph->p_offset; end - off >= sizeof(Elf64_Dyn);
	     off += sizeof(Elf64_Dyn)) {
		Elf64_Dyn d;

		memcpy(&d, file + off, sizeof(d));
		if (d.d_tag == DT_NULL)
			break;
		if (d.d_tag == DT_NEEDED && !di->needed) {
			di->needed = true;
			di->needed_str = d.d_un.d_val;
		} else if (d.d_tag == DT_SONAME) {
			di->soname = true;
			di->soname_str = d.d_un.d_val;
		} else if (d.d_tag == DT_STRTAB) {
			di->strtab = true;
			di->strtab_addr = d.d_un.d_ptr;
		}
	}
	return 0;
}

/* String str of the dynamic string table, for a message. */
static void dyn_string(const uint8_t *file, size_t len, const Elf64_Ehdr *eh,
    const struct dyn_info *di, uint64_t str, char *out)
{
	uint64_t addr, off, max;

	if (!di->strtab ||
	    __builtin_add_overflow(di->strtab_addr, str, &addr) ||
	    vaddr_to_offset(file, len, eh, addr, &off, &max) < 0)
		off = max = 0;
	show_name(file, len, off, max, out);
}

static int check_header(const Elf64_Ehdr *eh, size_t len, char *err,
    size_t errlen)
{
	uint64_t phend;

	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return fail(err, errlen, "not an ELF file (bad magic)");
	if (eh->e_ident[EI_CLASS] == ELFCLASS32)
		return fail(err, errlen,
		    "32-bit ELF (ELFCLASS32): svm-sandbox runs 64-bit x86-64 "
		    "static executables");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return fail(err, errlen, "not a 64-bit ELF file (class %u)",
		    eh->e_ident[EI_CLASS]);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(err, errlen, "not a little-endian ELF file");
	/* Name the field that is wrong: two fields both hold a version. */
	if (eh->e_ident[EI_VERSION] != EV_CURRENT)
		return fail(err, errlen, "unknown ELF version %u",
		    eh->e_ident[EI_VERSION]);
	if (eh->e_version != EV_CURRENT)
		return fail(err, errlen, "unknown ELF version %u",
		    eh->e_version);
	if (eh->e_machine != EM_X86_64)
		return fail(err, errlen, "not an x86-64 ELF file (machine %u)",
		    eh->e_machine);
	/* Before the program header checks: an object file has none. */
	if (eh->e_type == ET_REL)
		return fail(err, errlen,
		    "object file (ET_REL), not linked into an executable: "
		    "%s",
		    STATIC_ONLY);
	if (eh->e_type == ET_CORE)
		return fail(err, errlen, "core file (ET_CORE): %s",
		    STATIC_ONLY);
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return fail(err, errlen, "not an executable (ELF type %u): %s",
		    eh->e_type, STATIC_ONLY);
	if (eh->e_ehsize != sizeof(Elf64_Ehdr))
		return fail(err, errlen, "bad ELF header size %u",
		    eh->e_ehsize);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return fail(err, errlen, "bad program header size %u",
		    eh->e_phentsize);
	if (eh->e_phnum == 0 || eh->e_phnum >= PN_XNUM)
		return fail(err, errlen, "bad program header count %u",
		    eh->e_phnum);
	if (__builtin_add_overflow(eh->e_phoff,
	        (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), &phend) ||
	    phend > len)
		return fail(err, errlen,
		    "program headers outside the file (offset %#llx)",
		    (unsigned long long)eh->e_phoff);
	return 0;
}

/*
 * Refuse, with what the file is, anything that needs a dynamic loader or is
 * not a program at all. interp and dyn are the indexes of the first
 * PT_INTERP and PT_DYNAMIC, or -1.
 */
static int check_static(const uint8_t *file, size_t len, const Elf64_Ehdr *eh,
    int interp, int dyn, char *err, size_t errlen)
{
	struct dyn_info di = { 0 };
	char name[NAME_MAX_SHOWN + 4];
	bool bad_dyn = false;

	if (dyn >= 0) {
		Elf64_Phdr ph = get_phdr(file, eh, (unsigned)dyn);

		bad_dyn = read_dynamic(file, len, &ph, &di) < 0;
	}
	/*
	 * Before PT_INTERP: glibc's libc.so.6 has one too, and it is a
	 * library more than a program. No executable has a soname.
	 */
	if (eh->e_type == ET_DYN && di.soname) {
		dyn_string(file, len, eh, &di, di.soname_str, name);
		return fail(err, errlen, "shared library (soname %s): %s", name,
		    STATIC_ONLY);
	}
	if (interp >= 0) {
		Elf64_Phdr ph = get_phdr(file, eh, (unsigned)interp);

		show_name(file, len, ph.p_offset, ph.p_filesz, name);
		return fail(err, errlen,
		    "dynamically linked (interpreter %s): %s", name,
		    STATIC_ONLY);
	}
	if (bad_dyn)
		return fail(err, errlen,
		    "program header %d: dynamic section outside the file", dyn);
	/* A plain `cc -shared` library: no interpreter, no entry point. */
	if (eh->e_type == ET_DYN && eh->e_entry == 0)
		return fail(err, errlen,
		    "shared library (ELF type DYN without an entry point): %s",
		    STATIC_ONLY);
	/* Without an interpreter nobody would load what it needs. */
	if (di.needed) {
		dyn_string(file, len, eh, &di, di.needed_str, name);
		return fail(err, errlen,
		    "needs shared library %s but names no interpreter: %s",
		    name, STATIC_ONLY);
	}
	return 0;
}

static int check_load(const Elf64_Phdr *ph, uint64_t vaddr, uint64_t bias,
    size_t len, uint64_t mem_size, uint64_t lowest, unsigned i, char *err,
    size_t errlen)
{
	uint64_t end;

	if (ph->p_filesz > ph->p_memsz)
		return fail(err, errlen,
		    "segment %u: file size %#llx > memory "
		    "size %#llx",
		    i, (unsigned long long)ph->p_filesz,
		    (unsigned long long)ph->p_memsz);
	if (__builtin_add_overflow(ph->p_offset, ph->p_filesz, &end) ||
	    end > len)
		return fail(err, errlen, "segment %u: data outside the file",
		    i);
	if (ph->p_align & (ph->p_align - 1))
		return fail(err, errlen,
		    "segment %u: alignment %#llx is not a power of two", i,
		    (unsigned long long)ph->p_align);
	/* The bias keeps every alignment up to SVM_PIE_BASE's own. */
	if (ph->p_align > 1 && (bias & (ph->p_align - 1)) != 0)
		return fail(err, errlen,
		    "segment %u: alignment %#llx is lost at the static-PIE "
		    "load address %#llx",
		    i, (unsigned long long)ph->p_align, SVM_PIE_BASE);
	if (vaddr < lowest)
		return fail(err, errlen,
		    "segment %u: address %#llx below %#llx, where the guest "
		    "kernel lives",
		    i, (unsigned long long)vaddr, (unsigned long long)lowest);
	if (__builtin_add_overflow(vaddr, ph->p_memsz, &end) ||
	    end > load_limit(mem_size))
		return fail(err, errlen,
		    "segment %u: %#llx+%#llx does not fit in guest memory "
		    "(programs may use up to %#llx with --mem %lluM)",
		    i, (unsigned long long)vaddr,
		    (unsigned long long)ph->p_memsz,
		    (unsigned long long)load_limit(mem_size),
		    (unsigned long long)(mem_size >> 20));
	if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
		return fail(err, errlen,
		    "segment %u: both writable and executable", i);
	return 0;
}

/* PT_TLS: only what any libc that reads it would trip over. */
static int check_tls(const Elf64_Phdr *ph, unsigned i, char *err, size_t errlen)
{
	if (ph->p_filesz > ph->p_memsz)
		return fail(err, errlen,
		    "program header %u: TLS file size %#llx > memory size "
		    "%#llx",
		    i, (unsigned long long)ph->p_filesz,
		    (unsigned long long)ph->p_memsz);
	if (ph->p_align & (ph->p_align - 1))
		return fail(err, errlen,
		    "program header %u: TLS alignment %#llx is not a power "
		    "of two",
		    i, (unsigned long long)ph->p_align);
	return 0;
}

/* Pairs of segments: no shared byte, no page both writable and executable. */
static int check_pairs(const struct elf_image *img, char *err, size_t errlen)
{
	unsigned i, j;

	/* check_load() bounded every end below 1 GiB: no overflow here. */
	for (i = 0; i < img->nsegs; i++) {
		const struct elf_seg *a = &img->segs[i];
		uint64_t a0 = a->vaddr & ~PAGE_MASK;
		uint64_t a1 = (a->vaddr + a->memsz + PAGE_MASK) & ~PAGE_MASK;

		for (j = i + 1; j < img->nsegs; j++) {
			const struct elf_seg *b = &img->segs[j];
			uint64_t b0 = b->vaddr & ~PAGE_MASK;
			uint64_t b1 =
			    (b->vaddr + b->memsz + PAGE_MASK) & ~PAGE_MASK;
			uint32_t u = a->flags | b->flags;

			if (a->vaddr < b->vaddr + b->memsz &&
			    b->vaddr < a->vaddr + a->memsz)
				return fail(err, errlen,
				    "segments %u and %u overlap", a->phdr,
				    b->phdr);
			/*
			 * Rights are per 4 KiB page: a shared page gets the
			 * rights of both segments, as ld's layouts need.
			 */
			if (a0 < b1 && b0 < a1 && (u & PF_W) && (u & PF_X))
				return fail(err, errlen,
				    "segments %u and %u share a page that "
				    "would be writable and executable",
				    a->phdr, b->phdr);
		}
	}
	return 0;
}

bool elf_page_flags(const struct elf_image *img, uint64_t gpa, uint32_t *flags)
{
	uint64_t page = gpa & ~PAGE_MASK;
	bool any = false;
	unsigned i;

	*flags = 0;
	for (i = 0; i < img->nsegs; i++) {
		const struct elf_seg *s = &img->segs[i];
		uint64_t s0 = s->vaddr & ~PAGE_MASK;
		uint64_t s1 = (s->vaddr + s->memsz + PAGE_MASK) & ~PAGE_MASK;

		if (page >= s0 && page < s1) {
			*flags |= s->flags;
			any = true;
		}
	}
	return any;
}

int elf_parse(const uint8_t *file, size_t len, uint64_t mem_size,
    uint64_t lowest, struct elf_image *img, char *err, size_t errlen)
{
	Elf64_Ehdr eh;
	uint64_t min_vaddr = UINT64_MAX, base = 0, phsize;
	int interp = -1, dyn = -1;
	bool pie, entry_ok = false;
	unsigned i;

	memset(img, 0, sizeof(*img));
	if (mem_size < SVM_MEM_MIN)
		return fail(err, errlen, "guest memory too small");
	if (len < sizeof(eh))
		return fail(err, errlen,
		    "file too short for an ELF header "
		    "(%zu bytes)",
		    len);
	memcpy(&eh, file, sizeof(eh));
	if (check_header(&eh, len, err, errlen) < 0)
		return -1;

	/* First what the file is, from the headers that say so. */
	for (i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph = get_phdr(file, &eh, i);

		if (ph.p_type == PT_INTERP && interp < 0)
			interp = (int)i;
		else if (ph.p_type == PT_DYNAMIC && dyn < 0)
			dyn = (int)i;
		else if (ph.p_type == PT_LOAD && ph.p_memsz > 0 &&
		    ph.p_vaddr < min_vaddr)
			min_vaddr = ph.p_vaddr;
	}
	if (check_static(file, len, &eh, interp, dyn, err, errlen) < 0)
		return -1;
	img->type = eh.e_type;
	/*
	 * A static-PIE relocates itself (from PT_DYNAMIC and AT_PHDR) wherever
	 * it is put; as Linux does, the page of its lowest segment goes to one
	 * place, here the fixed SVM_PIE_BASE.
	 */
	pie = eh.e_type == ET_DYN && min_vaddr != UINT64_MAX;
	if (pie) {
		base = min_vaddr & ~PAGE_MASK;
		img->bias = SVM_PIE_BASE - base;
	}

	for (i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph = get_phdr(file, &eh, i);
		uint64_t vaddr = ph.p_vaddr + img->bias;
		struct elf_seg *s;

		switch (ph.p_type) {
		case PT_LOAD:
			/* No wrapping around 2^64 onto low addresses. */
			if (pie &&
			    (ph.p_vaddr < base ||
			        __builtin_add_overflow(SVM_PIE_BASE,
			            ph.p_vaddr - base, &vaddr)))
				return fail(err, errlen,
				    "segment %u: address %#llx does not fit "
				    "in guest memory after the static-PIE's "
				    "lowest one",
				    i, (unsigned long long)ph.p_vaddr);
			break;
		case PT_TLS:
			if (check_tls(&ph, i, err, errlen) < 0)
				return -1;
			img->tls = true;
			continue;
		default:
			/*
			 * Nothing to load: PT_DYNAMIC (the program's own
			 * business), PT_NOTE, PT_PHDR, PT_GNU_RELRO (the
			 * program makes it read-only itself), PT_GNU_EH_FRAME,
			 * PT_GNU_PROPERTY, and PT_GNU_STACK, whose PF_X the
			 * sandbox ignores: the stack is never executable.
			 * Unknown types are ignored too, as Linux does.
			 */
			continue;
		}
		if (check_load(&ph, vaddr, img->bias, len, mem_size, lowest, i,
		        err, errlen) < 0)
			return -1;
		if (ph.p_memsz == 0)
			continue;
		if (img->nsegs == ELF_MAX_SEGS)
			return fail(err, errlen,
			    "more than %d loadable segments", ELF_MAX_SEGS);
		s = &img->segs[img->nsegs++];
		s->vaddr = vaddr;
		s->memsz = ph.p_memsz;
		s->offset = ph.p_offset;
		s->filesz = ph.p_filesz;
		s->flags = ph.p_flags & (PF_R | PF_W | PF_X);
		s->phdr = i;
	}
	if (img->nsegs == 0)
		return fail(err, errlen, "no loadable segment");
	if (check_pairs(img, err, errlen) < 0)
		return -1;

	/* Modular as the bias: entry - vaddr is e_entry - p_vaddr. */
	img->entry = eh.e_entry + img->bias;
	phsize = (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr);
	for (i = 0; i < img->nsegs; i++) {
		const struct elf_seg *s = &img->segs[i];
		uint64_t end = (s->vaddr + s->memsz + PAGE_MASK) & ~PAGE_MASK;

		if (end > img->end)
			img->end = end;
		/* Only bytes from the file count as code, not zero fill. */
		if ((s->flags & PF_X) && img->entry >= s->vaddr &&
		    img->entry - s->vaddr < s->filesz)
			entry_ok = true;
		/* check_header() bounded e_phoff + phsize by len. */
		if (img->phdr == 0 && eh.e_phoff >= s->offset &&
		    eh.e_phoff + phsize <= s->offset + s->filesz)
			img->phdr = s->vaddr + (eh.e_phoff - s->offset);
	}
	if (!entry_ok)
		return fail(err, errlen,
		    "entry point %#llx is not in an executable segment",
		    (unsigned long long)eh.e_entry);
	img->phoff = eh.e_phoff;
	img->phnum = eh.e_phnum;
	img->phentsize = eh.e_phentsize;
	return 0;
}
