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

/*
 * What vm_create() and the page-table code take for granted about an image
 * elf_parse() accepted: every byte it copies or maps is checked here again,
 * independently, against the file and against guest memory of mem bytes.
 */
static void check_image(const struct elf_image *img, const uint8_t *file,
    size_t len, uint64_t mem)
{
	uint64_t limit = mem - svm_stack_size(mem) - SVM_PAGE_SIZE;
	uint64_t end = 0, e_entry;
	bool entry_ok = false;
	unsigned i, j;

	CHECK(img->nsegs >= 1 && img->nsegs <= ELF_MAX_SEGS);
	/* The entry point is the file's own e_entry, not something derived. */
	memcpy(&e_entry, file + offsetof(Elf64_Ehdr, e_entry), sizeof(e_entry));
	CHECK(img->entry == e_entry);

	for (i = 0; i < img->nsegs; i++) {
		const struct elf_seg *s = &img->segs[i];
		uint64_t fend, mend, p0, p1;

		CHECK(s->memsz > 0);
		CHECK(s->filesz <= s->memsz);
		CHECK(!__builtin_add_overflow(s->offset, s->filesz, &fend) &&
		    fend <= len);
		CHECK(s->vaddr >= SVM_LOAD_MIN);
		CHECK(!__builtin_add_overflow(s->vaddr, s->memsz, &mend) &&
		    mend <= limit);
		CHECK((s->flags & ~(uint32_t)(PF_R | PF_W | PF_X)) == 0);
		CHECK(!((s->flags & PF_W) && (s->flags & PF_X)));

		/* Page rights are per page: no page may hold two segments. */
		p0 = s->vaddr & ~PAGE_MASK;
		p1 = (mend + PAGE_MASK) & ~PAGE_MASK;
		for (j = 0; j < i; j++) {
			const struct elf_seg *t = &img->segs[j];
			uint64_t q0 = t->vaddr & ~PAGE_MASK;
			uint64_t q1 =
			    (t->vaddr + t->memsz + PAGE_MASK) & ~PAGE_MASK;

			CHECK(p1 <= q0 || q1 <= p0);
		}
		if (p1 > end)
			end = p1;
		/* Only bytes from the file count as code, not zero fill. */
		if ((s->flags & PF_X) && img->entry >= s->vaddr &&
		    img->entry - s->vaddr < s->filesz)
			entry_ok = true;
	}
	CHECK(entry_ok);
	/* The heap starts at end, so it must be exact and page-aligned. */
	CHECK(img->end == end);
	CHECK((img->end & PAGE_MASK) == 0 && img->end <= limit);
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

	if (a->entry != b->entry || a->end != b->end || a->nsegs != b->nsegs)
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

	rbig = elf_parse(data, size, MEM_BIG, &big, err, SVM_ERR_LEN);
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
	rsmall =
	    elf_parse(copy + 1, size, MEM_SMALL, &small, short_err, SHORT_ERR);
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
