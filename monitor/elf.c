/* elf.c: checks an app file (static ELF64 x86-64 ET_EXEC) before it is loaded.
 */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "monitor.h"

#define PAGE_MASK (SVM_PAGE_SIZE - 1)

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

/* The app may use [SVM_LOAD_MIN, limit): the stack and its guard sit above. */
static uint64_t load_limit(uint64_t mem_size)
{
	return mem_size - svm_stack_size(mem_size) - SVM_PAGE_SIZE;
}

static int check_header(const Elf64_Ehdr *eh, size_t len, char *err,
    size_t errlen)
{
	uint64_t phend;

	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return fail(err, errlen, "not an ELF file (bad magic)");
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
	if (eh->e_type != ET_EXEC)
		return fail(err, errlen,
		    "not a static executable (ELF type %u)", eh->e_type);
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

static int check_load(const Elf64_Phdr *ph, size_t len, uint64_t mem_size,
    unsigned i, char *err, size_t errlen)
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
	if (ph->p_vaddr < SVM_LOAD_MIN)
		return fail(err, errlen,
		    "segment %u: address %#llx below the lowest load address "
		    "%#llx",
		    i, (unsigned long long)ph->p_vaddr, SVM_LOAD_MIN);
	if (__builtin_add_overflow(ph->p_vaddr, ph->p_memsz, &end) ||
	    end > load_limit(mem_size))
		return fail(err, errlen,
		    "segment %u: %#llx+%#llx does not fit in guest memory "
		    "(apps may use up to %#llx with this --mem)",
		    i, (unsigned long long)ph->p_vaddr,
		    (unsigned long long)ph->p_memsz,
		    (unsigned long long)load_limit(mem_size));
	if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
		return fail(err, errlen,
		    "segment %u: both writable and executable", i);
	return 0;
}

int elf_parse(const uint8_t *file, size_t len, uint64_t mem_size,
    struct elf_image *img, char *err, size_t errlen)
{
	Elf64_Ehdr eh;
	unsigned i, j;
	bool entry_ok = false;

	memset(img, 0, sizeof(*img));
	if (mem_size < SVM_MEM_MIN)
		return fail(err, errlen, "guest memory too small");
	if (len < sizeof(eh))
		return fail(err, errlen,
		    "file too short for an ELF header "
		    "(%zu bytes)",
		    len);
	/* Copies, not casts: the file buffer need not be aligned. */
	memcpy(&eh, file, sizeof(eh));
	if (check_header(&eh, len, err, errlen) < 0)
		return -1;

	for (i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		struct elf_seg *s;

		memcpy(&ph, file + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		switch (ph.p_type) {
		case PT_LOAD:
			break;
		case PT_INTERP:
		case PT_DYNAMIC:
			return fail(err, errlen,
			    "dynamically linked (program header %u)", i);
		case PT_TLS:
			return fail(err, errlen,
			    "thread-local storage is not supported");
		default:
			/* PT_NOTE, PT_GNU_STACK, ...: nothing to load. */
			continue;
		}
		if (check_load(&ph, len, mem_size, i, err, errlen) < 0)
			return -1;
		if (ph.p_memsz == 0)
			continue;
		if (img->nsegs == ELF_MAX_SEGS)
			return fail(err, errlen,
			    "more than %d loadable segments", ELF_MAX_SEGS);
		s = &img->segs[img->nsegs++];
		s->vaddr = ph.p_vaddr;
		s->memsz = ph.p_memsz;
		s->offset = ph.p_offset;
		s->filesz = ph.p_filesz;
		s->flags = ph.p_flags & (PF_R | PF_W | PF_X);
		s->phdr = i;
	}
	if (img->nsegs == 0)
		return fail(err, errlen, "no loadable segment");

	/*
	 * Rights are per 4 KiB page, so two segments may not share a page.
	 * check_load() bounded every end below 1 GiB: no overflow here.
	 */
	for (i = 0; i < img->nsegs; i++) {
		const struct elf_seg *a = &img->segs[i];
		uint64_t a0 = a->vaddr & ~PAGE_MASK;
		uint64_t a1 = (a->vaddr + a->memsz + PAGE_MASK) & ~PAGE_MASK;

		for (j = i + 1; j < img->nsegs; j++) {
			const struct elf_seg *b = &img->segs[j];
			uint64_t b0 = b->vaddr & ~PAGE_MASK;
			uint64_t b1 =
			    (b->vaddr + b->memsz + PAGE_MASK) & ~PAGE_MASK;

			if (a0 < b1 && b0 < a1)
				return fail(err, errlen,
				    "segments %u and %u overlap or share a "
				    "page",
				    a->phdr, b->phdr);
		}
		if (a1 > img->end)
			img->end = a1;
		if ((a->flags & PF_X) && eh.e_entry >= a->vaddr &&
		    eh.e_entry - a->vaddr < a->filesz)
			entry_ok = true;
	}
	if (!entry_ok)
		return fail(err, errlen,
		    "entry point %#llx is not in an executable segment",
		    (unsigned long long)eh.e_entry);
	img->entry = eh.e_entry;
	return 0;
}
