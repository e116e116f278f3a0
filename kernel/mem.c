/*
 * mem.c: the program's memory: brk, mmap and friends, and the checks of
 * every address the program hands the kernel.
 *
 * Guest memory is identity-mapped by the monitor's page tables, with the
 * program's segments at their own rights and the rest read-write and never
 * executable, so the kernel never edits page tables: brk and mmap hand out
 * pages of [brk_start, mmap_end), brk growing up, mmap top-down, and a
 * bitmap says which pages are mapped. Relaxed as unikernels do, and said in
 * table.c: mprotect changes no rights (PROT_EXEC memory is not executable,
 * PROT_NONE memory stays accessible), munmap of the program's own segments
 * or stack does nothing, and a file is mapped by copying it (the tree is
 * read-only, so MAP_SHARED of a file is refused for writing).
 */
#include "kernel.h"

#define MAX_PAGES (SVM_MEM_MAX / KPAGE)
#define BITS 64

static uint64_t mapped[MAX_PAGES / BITS];  /* page is in a mapping */
static uint64_t touched[MAX_PAGES / BITS]; /* page was handed out before */
static uint64_t heap_lo, heap_hi;          /* [brk_start, mmap_end) */
static uint64_t cur_brk, brk_hw;           /* brk, and its highest page */

static int test(const uint64_t *map, uint64_t page)
{
	return (map[page / BITS] >> (page % BITS)) & 1;
}

static void set_range(uint64_t *map, uint64_t first, uint64_t n, int on)
{
	for (; n > 0; first++, n--) {
		if (on)
			map[first / BITS] |= 1ull << (first % BITS);
		else
			map[first / BITS] &= ~(1ull << (first % BITS));
	}
}

void mem_init(void)
{
	heap_lo = PAGE_UP(boot->brk_start);
	heap_hi = PAGE_DOWN(boot->mmap_end);
	if (heap_hi < heap_lo || heap_hi > SVM_MEM_MAX)
		kpanic("bad memory layout in the boot info");
	cur_brk = brk_hw = heap_lo;
}

/* Page index within the heap area. */
static uint64_t pg(uint64_t addr)
{
	return (addr - heap_lo) / KPAGE;
}

/*
 * Pages never handed out are not in host memory yet, and the program's
 * first touch of each is a shadow-paging exit of 4.3-6.0 us; one the
 * monitor backed first costs 0.94 us (KVM maps its backed neighbours with
 * it). A run of 16 pages or more is worth the 25 us hypercall that backs it
 * (README, Benchmarks); a start-up's small allocations make none. At most
 * 8 MiB of a run: a program that maps far more than it uses must not become
 * resident for it.
 */
#define POPULATE_MIN 16
#define POPULATE_MAX (8ul << 20)

static void populate(uint64_t first, uint64_t end)
{
	uint64_t len = (end - first) * KPAGE;

	if (end - first >= POPULATE_MIN && (boot->flags & SVM_BOOT_POPULATE))
		hc_populate(heap_lo + first * KPAGE,
		    len < POPULATE_MAX ? len : POPULATE_MAX);
}

/*
 * Zero the pages of [addr, addr + len) handed out before; mark them; if
 * back, have the runs of those never handed out backed.
 */
static void fresh(uint64_t addr, uint64_t len, int back)
{
	uint64_t p, run = 0;
	int in_run = 0;

	for (p = pg(addr); p < pg(addr + len); p++) {
		if (test(touched, p)) {
			memset((void *)(uintptr_t)(heap_lo + p * KPAGE), 0,
			    KPAGE);
			if (in_run && back)
				populate(run, p);
			in_run = 0;
		} else if (!in_run) {
			run = p, in_run = 1;
		}
		touched[p / BITS] |= 1ull << (p % BITS);
	}
	if (in_run && back)
		populate(run, p);
}

int user_ok(uint64_t addr, uint64_t len, int write)
{
	uint64_t end, a;
	uint32_t i;

	if (len == 0)
		return 1;
	if (__builtin_add_overflow(addr, len, &end) || end > boot->mem_size)
		return 0;
	for (i = 0; i < boot->nsegs && i < SVM_BOOT_SEGS; i++) {
		const struct svm_boot_seg *s = &boot->segs[i];

		if (addr >= s->start && end <= s->end)
			return !write || (s->prot & PROT_WRITE);
	}
	if (boot->tree != 0 && addr >= boot->tree &&
	    end <= boot->tree +
	            ((const struct svm_tree *)(uintptr_t)boot->tree)->size)
		return !write;
	if (addr >= boot->stack_bottom)
		return 1;
	if (addr < heap_lo || end > heap_hi)
		return 0;
	for (a = PAGE_DOWN(addr); a < end; a += KPAGE)
		if (a >= PAGE_UP(cur_brk) && !test(mapped, pg(a)))
			return 0;
	return 1;
}

long copy_from_user(void *dst, uint64_t src, size_t len)
{
	if (!user_ok(src, len, 0))
		return -EFAULT;
	memcpy(dst, (const void *)(uintptr_t)src, len);
	return 0;
}

long copy_to_user(uint64_t dst, const void *src, size_t len)
{
	if (!user_ok(dst, len, 1))
		return -EFAULT;
	memcpy((void *)(uintptr_t)dst, src, len);
	return 0;
}

long user_string(char *dst, uint64_t src, size_t cap)
{
	size_t n;

	for (n = 0; n < cap; n++) {
		if (!user_ok(src + n, 1, 0))
			return -EFAULT;
		dst[n] = *(const char *)(uintptr_t)(src + n);
		if (dst[n] == '\0')
			return (long)n;
	}
	return -ENAMETOOLONG;
}

/* The lowest mapped page's address, or heap_hi: where brk must stop. */
static uint64_t lowest_mapping(void)
{
	uint64_t w, n = pg(heap_hi);

	for (w = 0; w < (n + BITS - 1) / BITS; w++)
		if (mapped[w] != 0)
			return heap_lo +
			    (w * BITS + (uint64_t)__builtin_ctzll(mapped[w])) *
			    KPAGE;
	return heap_hi;
}

long sys_brk(long a0, long a1, long a2, long a3, long a4, long a5)
{
	uint64_t want = (uint64_t)a0, top = PAGE_UP(want),
	         old = PAGE_UP(cur_brk);

	(void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	/* want past heap_hi first: its PAGE_UP could wrap to 0. */
	if (want < heap_lo || want > heap_hi || top > lowest_mapping())
		return (long)cur_brk; /* Linux answers a failure with the brk */
	if (top > old) {
		uint64_t a;

		/* Pages brk had before and gave back read as zero again. */
		for (a = old; a < top && a < brk_hw; a += KPAGE)
			memset((void *)(uintptr_t)a, 0, KPAGE);
		/* New ones too, if an unmapped mapping had them. */
		if (top > brk_hw) {
			fresh(brk_hw, top - brk_hw, 1);
			brk_hw = top;
		}
	}
	cur_brk = want;
	return (long)cur_brk;
}

/* Find n free pages top-down above brk: their address, or 0. */
static uint64_t find_free(uint64_t n)
{
	uint64_t lo = pg(PAGE_UP(cur_brk)), p = pg(heap_hi), run = 0;

	while (p > lo) {
		p--;
		if (p % BITS == BITS - 1 && p >= lo + BITS - 1 &&
		    mapped[p / BITS] == ~0ull) {
			run = 0;
			p -= BITS - 1;
			continue;
		}
		run = test(mapped, p) ? 0 : run + 1;
		if (run == n)
			return heap_lo + p * KPAGE;
	}
	return 0;
}

uint64_t kalloc(uint64_t len)
{
	uint64_t a;

	len = PAGE_UP(len);
	if (len == 0 || (a = find_free(len / KPAGE)) == 0)
		return 0;
	fresh(a, len, 1);
	set_range(mapped, pg(a), len / KPAGE, 1);
	return a;
}

void kfree(uint64_t addr, uint64_t len)
{
	set_range(mapped, pg(addr), PAGE_UP(len) / KPAGE, 0);
}

/* Whether [addr, addr + len) is whole pages of the heap area above brk. */
static int in_heap(uint64_t addr, uint64_t len)
{
	uint64_t end;

	return addr % KPAGE == 0 && !__builtin_add_overflow(addr, len, &end) &&
	    addr >= PAGE_UP(cur_brk) && end <= heap_hi;
}

long sys_mmap(long a0, long a1, long a2, long a3, long a4, long a5)
{
	uint64_t addr = (uint64_t)a0, len = PAGE_UP((uint64_t)a1), size;
	int flags = (int)a3, type = flags & MAP_TYPE;
	const struct svm_node *node = NULL;
	uint64_t off = (uint64_t)a5;
	long rc;

	(void)a2;
	if (a1 <= 0 || len == 0 || off % KPAGE != 0 ||
	    (type != MAP_PRIVATE && type != MAP_SHARED &&
	        type != MAP_SHARED_VALIDATE))
		return -EINVAL;
	if (!(flags & MAP_ANONYMOUS)) {
		if ((rc = fs_mappable((int)a4,
		         type != MAP_PRIVATE && ((int)a2 & PROT_WRITE),
		         &node)) < 0)
			return rc;
	}
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		uint64_t p;

		if (!in_heap(addr, len))
			return -ENOMEM;
		if (flags & MAP_FIXED_NOREPLACE)
			for (p = pg(addr); p < pg(addr + len); p++)
				if (test(mapped, p))
					return -EEXIST;
		/* A new mapping replaces the old: zero, as Linux gives it. */
		for (p = addr; p < addr + len; p += KPAGE)
			if (test(mapped, pg(p)))
				memset((void *)(uintptr_t)p, 0, KPAGE);
	} else if ((addr = find_free(len / KPAGE)) == 0) {
		return -ENOMEM;
	}
	/* A reservation (PROT_NONE, MAP_NORESERVE) is not about to be used. */
	fresh(addr, len,
	    (a2 & (PROT_READ | PROT_WRITE | PROT_EXEC)) != 0 &&
	        !(flags & MAP_NORESERVE));
	set_range(mapped, pg(addr), len / KPAGE, 1);
	if (node != NULL && off < node->size) {
		size = node->size - off < len ? node->size - off : len;
		memcpy((void *)(uintptr_t)addr, fs_data(node) + off, size);
	}
	return (long)addr;
}

long sys_munmap(long a0, long a1, long a2, long a3, long a4, long a5)
{
	uint64_t addr = (uint64_t)a0, len = PAGE_UP((uint64_t)a1), end;

	(void)a2, (void)a3, (void)a4, (void)a5;
	if (addr % KPAGE != 0 || a1 <= 0 ||
	    __builtin_add_overflow(addr, len, &end))
		return -EINVAL;
	/* Only mappings go; the segments, brk and stack stay (table.c). */
	if (addr < PAGE_UP(cur_brk))
		addr = PAGE_UP(cur_brk);
	if (end > heap_hi)
		end = heap_hi;
	if (addr < end)
		set_range(mapped, pg(addr), (end - addr) / KPAGE, 0);
	return 0;
}

long sys_mremap(long a0, long a1, long a2, long a3, long a4, long a5)
{
	uint64_t old = (uint64_t)a0, olen = PAGE_UP((uint64_t)a1);
	uint64_t nlen = PAGE_UP((uint64_t)a2), p, to;
	int flags = (int)a3;

	(void)a4, (void)a5;
	if (old % KPAGE != 0 || nlen == 0 || (flags & ~MREMAP_MAYMOVE) != 0)
		return -EINVAL; /* MREMAP_FIXED and DONTUNMAP: refused */
	if (!in_heap(old, olen) || olen == 0)
		return -EFAULT;
	for (p = pg(old); p < pg(old + olen); p++)
		if (!test(mapped, p))
			return -EFAULT;
	if (nlen <= olen) {
		set_range(mapped, pg(old + nlen), (olen - nlen) / KPAGE, 0);
		return (long)old;
	}
	/* Grow in place if the pages after it are free. */
	if (in_heap(old, nlen)) {
		for (p = pg(old + olen); p < pg(old + nlen); p++)
			if (test(mapped, p))
				break;
		if (p == pg(old + nlen)) {
			fresh(old + olen, nlen - olen, 1);
			set_range(mapped, pg(old + olen), (nlen - olen) / KPAGE,
			    1);
			return (long)old;
		}
	}
	if (!(flags & MREMAP_MAYMOVE) || (to = find_free(nlen / KPAGE)) == 0)
		return -ENOMEM;
	fresh(to, nlen, 1);
	set_range(mapped, pg(to), nlen / KPAGE, 1);
	memcpy((void *)(uintptr_t)to, (const void *)(uintptr_t)old, olen);
	set_range(mapped, pg(old), olen / KPAGE, 0);
	return (long)to;
}

long sys_mprotect(long a0, long a1, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	if ((uint64_t)a0 % KPAGE != 0)
		return -EINVAL;
	/* Rights do not change (see above); the range must be memory. */
	return user_ok((uint64_t)a0, PAGE_UP((uint64_t)a1), 0) ? 0 : -ENOMEM;
}

long sys_madvise(long a0, long a1, long a2, long a3, long a4, long a5)
{
	uint64_t addr = (uint64_t)a0, len = PAGE_UP((uint64_t)a1), a;

	(void)a3, (void)a4, (void)a5;
	if (addr % KPAGE != 0)
		return -EINVAL;
	if (!user_ok(addr, len, 0))
		return -ENOMEM;
	/* MADV_DONTNEED: private memory reads as zero afterwards. */
	if (a2 == 4 && user_ok(addr, len, 1))
		for (a = addr; a < addr + len; a += KPAGE)
			memset((void *)(uintptr_t)a, 0, KPAGE);
	return 0; /* MADV_FREE and the hints: nothing to do */
}

long sys_mlock(long a0, long a1, long a2, long a3, long a4, long a5)
{
	(void)a2, (void)a3, (void)a4, (void)a5;
	return user_ok((uint64_t)a0, (uint64_t)a1, 0) ? 0 : -ENOMEM;
}

long sys_munlock(long a0, long a1, long a2, long a3, long a4, long a5)
{
	return sys_mlock(a0, a1, a2, a3, a4, a5);
}

long sys_msync(long a0, long a1, long a2, long a3, long a4, long a5)
{
	return sys_mlock(a0, a1, a2, a3, a4, a5);
}

long sys_mincore(long a0, long a1, long a2, long a3, long a4, long a5)
{
	uint64_t n = PAGE_UP((uint64_t)a1) / KPAGE, i;
	unsigned char one = 1;

	(void)a3, (void)a4, (void)a5;
	if ((uint64_t)a0 % KPAGE != 0)
		return -EINVAL;
	if (!user_ok((uint64_t)a0, n * KPAGE, 0))
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (copy_to_user((uint64_t)a2 + i, &one, 1) < 0)
			return -EFAULT;
	return 0;
}
