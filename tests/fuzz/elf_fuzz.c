/* elf_fuzz.c: libFuzzer harness: elf_parse() on any input, and its promises. */
#include <elf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"

#define MEM_BIG SVM_MEM_DEFAULT
#define MEM_SMALL SVM_MEM_MIN
#define PAGE_MASK (SVM_PAGE_SIZE - 1)
/* Short enough that most reasons are cut: truncation must stay in bounds. */
#define SHORT_ERR 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Say which promise broke before the trap, so a crash log explains itself. */
#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "elf_fuzz: violated: %s (line %d)\n",  \
			    #cond, __LINE__);                                  \
			__builtin_trap();                                      \
		}                                                              \
	} while (0)

static Elf64_Phdr file_phdr(const uint8_t *file, const Elf64_Ehdr *eh,
    unsigned i)
{
	Elf64_Phdr ph;

	memcpy(&ph, file + eh->e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
	return ph;
}

/* The union of the rights of the segments in page p, computed afresh. */
static uint32_t page_union(const struct elf_image *img, uint64_t p)
{
	uint32_t u = 0;
	unsigned i;

	for (i = 0; i < img->nsegs; i++) {
		const struct elf_seg *s = &img->segs[i];

		if (p + SVM_PAGE_SIZE > s->vaddr && p < s->vaddr + s->memsz)
			u |= s->flags;
	}
	return u;
}

/*
 * What vm_create(), the page-table code and the Linux start-up (auxv) take
 * for granted about an image elf_parse() accepted: every byte it copies or
 * maps is checked here again, independently, against the file and against
 * guest memory of mem bytes.
 */
static void check_image(const struct elf_image *img, const uint8_t *file,
    size_t len, uint64_t mem)
{
	uint64_t limit = mem - svm_stack_size(mem) - SVM_PAGE_SIZE;
	uint64_t end = 0, low = UINT64_MAX, phsize;
	bool entry_ok = false, phdr_loaded = false, phdr_in = false;
	bool tls = false;
	Elf64_Ehdr eh;
	unsigned i, j;

	CHECK(len >= sizeof(eh));
	memcpy(&eh, file, sizeof(eh));
	CHECK(img->nsegs >= 1 && img->nsegs <= ELF_MAX_SEGS);
	CHECK(img->type == eh.e_type);
	CHECK(eh.e_type == ET_EXEC || eh.e_type == ET_DYN);
	CHECK(eh.e_type == ET_DYN || img->bias == 0);
	/* The entry point is the file's own e_entry, moved with the rest. */
	CHECK(img->entry == eh.e_entry + img->bias);
	CHECK(img->phoff == eh.e_phoff && img->phnum == eh.e_phnum &&
	    img->phentsize == eh.e_phentsize &&
	    img->phentsize == sizeof(Elf64_Phdr));
	phsize = (uint64_t)img->phnum * img->phentsize;
	CHECK(!__builtin_add_overflow(img->phoff, phsize, &end) && end <= len);
	end = 0;

	/* Static only; TLS reported exactly when there is a PT_TLS. */
	for (i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph = file_phdr(file, &eh, i);

		CHECK(ph.p_type != PT_INTERP);
		if (ph.p_type == PT_TLS)
			tls = true;
	}
	CHECK(img->tls == tls);

	for (i = 0; i < img->nsegs; i++) {
		const struct elf_seg *s = &img->segs[i];
		uint64_t fend, mend, p0, p1;
		Elf64_Phdr ph;

		/* The segment is its program header's, moved by the bias. */
		CHECK(s->phdr < eh.e_phnum);
		ph = file_phdr(file, &eh, s->phdr);
		CHECK(ph.p_type == PT_LOAD);
		CHECK(s->vaddr == ph.p_vaddr + img->bias);
		CHECK(s->memsz == ph.p_memsz && s->filesz == ph.p_filesz &&
		    s->offset == ph.p_offset);
		CHECK(s->flags == (ph.p_flags & (PF_R | PF_W | PF_X)));

		CHECK(s->memsz > 0);
		CHECK(s->filesz <= s->memsz);
		CHECK(!__builtin_add_overflow(s->offset, s->filesz, &fend) &&
		    fend <= len);
		CHECK(s->vaddr >= SVM_PROGRAM_MIN);
		CHECK(!__builtin_add_overflow(s->vaddr, s->memsz, &mend) &&
		    mend <= limit);
		CHECK(!((s->flags & PF_W) && (s->flags & PF_X)));

		/* No byte of two segments; shared pages never W+X. */
		p0 = s->vaddr & ~PAGE_MASK;
		p1 = (mend + PAGE_MASK) & ~PAGE_MASK;
		for (j = 0; j < i; j++) {
			const struct elf_seg *t = &img->segs[j];

			CHECK(mend <= t->vaddr ||
			    t->vaddr + t->memsz <= s->vaddr);
		}
		/* Only a segment's first and last pages can be shared. */
		for (j = 0; j < 2; j++) {
			uint64_t p = j == 0 ? p0 : p1 - SVM_PAGE_SIZE;
			uint32_t u = page_union(img, p), f;

			CHECK(elf_page_flags(img, p, &f) && f == u);
			CHECK(elf_page_flags(img, p + PAGE_MASK, &f) && f == u);
			CHECK(!((u & PF_W) && (u & PF_X)));
		}
		if (p1 > end)
			end = p1;
		if (p0 < low)
			low = p0;
		/* Only bytes from the file count as code, not zero fill. */
		if ((s->flags & PF_X) && img->entry >= s->vaddr &&
		    img->entry - s->vaddr < s->filesz)
			entry_ok = true;
		/* AT_PHDR: the table as the file has it, where it is loaded. */
		if (img->phoff >= s->offset && img->phoff + phsize <= fend)
			phdr_loaded = true;
		if (img->phdr >= s->vaddr && img->phdr - s->vaddr < s->filesz) {
			phdr_in = true;
			CHECK(s->filesz - (img->phdr - s->vaddr) >= phsize);
			CHECK(s->offset + (img->phdr - s->vaddr) == img->phoff);
		}
	}
	CHECK(entry_ok);
	CHECK(phdr_loaded == (img->phdr != 0));
	CHECK(img->phdr == 0 || phdr_in);
	/* A static-PIE's lowest page is at SVM_PIE_BASE. */
	CHECK(eh.e_type != ET_DYN || low == SVM_PIE_BASE);
	/* The heap starts at end, so it must be exact and page-aligned. */
	CHECK(img->end == end);
	CHECK((img->end & PAGE_MASK) == 0 && img->end <= limit);
	/* Around the image: no rights where no segment is. */
	{
		uint32_t f;

		CHECK(!elf_page_flags(img, low - 1, &f) && f == 0);
		CHECK(!elf_page_flags(img, end, &f) && f == 0);
	}
}

/* A refusal's reason: one non-empty printable line, inside its buffer. */
static void check_reason(const char *err, size_t errlen)
{
	size_t n = strnlen(err, errlen);

	CHECK(n > 0 && n < errlen);
	for (; n > 0; n--)
		CHECK(err[n - 1] >= 0x20 && err[n - 1] < 0x7f);
}

static bool same_image(const struct elf_image *a, const struct elf_image *b)
{
	unsigned i;

	if (a->entry != b->entry || a->end != b->end || a->nsegs != b->nsegs ||
	    a->bias != b->bias || a->phdr != b->phdr || a->type != b->type ||
	    a->tls != b->tls)
		return false;
	for (i = 0; i < a->nsegs; i++) {
		const struct elf_seg *s = &a->segs[i], *t = &b->segs[i];

		if (s->vaddr != t->vaddr || s->memsz != t->memsz ||
		    s->offset != t->offset || s->filesz != t->filesz ||
		    s->flags != t->flags)
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_image big, small;
	/* Heap buffers of the exact size, so ASan sees any write past them. */
	char *err = malloc(SVM_ERR_LEN), *short_err = malloc(SHORT_ERR);
	uint8_t *copy = malloc(size + 1);
	int rbig, rsmall;

	if (err == NULL || short_err == NULL || copy == NULL)
		abort();

	rbig = elf_parse(data, size, MEM_BIG, SVM_PROGRAM_MIN, &big, err,
	    SVM_ERR_LEN);
	if (rbig == 0)
		check_image(&big, data, size, MEM_BIG);
	else
		check_reason(err, SVM_ERR_LEN);

	/*
	 * Again at an odd address (elf_parse promises not to need alignment),
	 * still ending at the end of its allocation, with the smallest memory.
	 * Less memory can only refuse more: anything accepted here must have
	 * been accepted above, as the very same image.
	 */
	if (size > 0)
		memcpy(copy + 1, data, size);
	rsmall = elf_parse(copy + 1, size, MEM_SMALL, SVM_PROGRAM_MIN, &small,
	    short_err, SHORT_ERR);
	if (rsmall == 0) {
		check_image(&small, copy + 1, size, MEM_SMALL);
		CHECK(rbig == 0 && same_image(&big, &small));
	} else {
		check_reason(short_err, SHORT_ERR);
	}

	free(copy);
	free(short_err);
	free(err);
	return 0;
}
