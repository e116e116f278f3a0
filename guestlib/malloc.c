/* malloc.c: first-fit allocator over the heap the monitor hands the app. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * Every block, used or free, starts with a 16-byte header, and block sizes
 * are multiples of 16, so payloads stay 16-byte aligned. Free blocks form a
 * singly linked list in address order: a freed block's neighbours in memory
 * are then its neighbours in the list, which is all coalescing needs. The tag
 * tells used from free blocks so that a double free or a stray pointer stops
 * the app instead of silently corrupting the list.
 */
struct block {
	size_t size;        /* whole block, header included */
	uintptr_t tag;      /* TAG_USED or TAG_FREE, xored with the address */
	struct block *next; /* free blocks only: the next one up in memory */
};

#define HDR 16
#define MIN_BLOCK 32 /* header plus room for next; also malloc(0)'s size */
#define TAG_USED ((uintptr_t)0x7573656475736564ull)
#define TAG_FREE ((uintptr_t)0x6672656566726565ull)

static struct block *free_list;
static uintptr_t heap_lo, heap_hi;

void __svm_heap_init(void *start, void *end)
{
	uintptr_t lo = ((uintptr_t)start + 15) & ~(uintptr_t)15;
	uintptr_t hi = (uintptr_t)end & ~(uintptr_t)15;

	free_list = NULL;
	heap_lo = heap_hi = 0;
	if (!start || hi <= lo || hi - lo < MIN_BLOCK)
		return;
	heap_lo = lo;
	heap_hi = hi;
	free_list = (struct block *)lo;
	free_list->size = hi - lo;
	free_list->tag = TAG_FREE ^ lo;
	free_list->next = NULL;
}

/* The block size for an n-byte request, or 0 if no heap could hold it. */
static size_t block_size(size_t n)
{
	/* The first test also keeps the rounding below from overflowing. */
	if (n > heap_hi - heap_lo)
		return 0;
	n = (n + HDR + 15) & ~(size_t)15;
	return n < MIN_BLOCK ? MIN_BLOCK : n;
}

/*
 * Unlinks the first need bytes of the free block *pp; a remainder big enough
 * to be a block takes its place in the list, a smaller one goes along. need
 * may be 16 (realloc), so the remainder's header can cover b->next.
 */
static struct block *take(struct block **pp, size_t need)
{
	struct block *b = *pp, *rest, *next = b->next;

	if (b->size - need >= MIN_BLOCK) {
		rest = (struct block *)((char *)b + need);
		rest->size = b->size - need;
		rest->tag = TAG_FREE ^ (uintptr_t)rest;
		rest->next = next;
		*pp = rest;
		b->size = need;
	} else {
		*pp = next;
	}
	return b;
}

/* malloc under another name: gcc would turn malloc+memset into calloc. */
static void *alloc(size_t n)
{
	size_t need = block_size(n);
	struct block **pp, *b;

	if (need)
		for (pp = &free_list; *pp; pp = &(*pp)->next)
			if ((*pp)->size >= need) {
				b = take(pp, need);
				b->tag = TAG_USED ^ (uintptr_t)b;
				return (char *)b + HDR;
			}
	errno = ENOMEM;
	return NULL;
}

/* Puts b on the free list, merged with whichever neighbours are free. */
static void release(struct block *b)
{
	struct block **pp = &free_list, *prev = NULL, *next;

	while (*pp && (uintptr_t)*pp < (uintptr_t)b) {
		prev = *pp;
		pp = &prev->next;
	}
	next = *pp;
	b->tag = TAG_FREE ^ (uintptr_t)b;
	if (next && (uintptr_t)b + b->size == (uintptr_t)next) {
		b->size += next->size;
		next = next->next;
	}
	b->next = next;
	if (prev && (uintptr_t)prev + prev->size == (uintptr_t)b) {
		prev->size += b->size;
		prev->next = next;
	} else {
		*pp = b;
	}
}

/* The block of a pointer malloc returned; anything else aborts the app. */
static struct block *used_block(void *p)
{
	uintptr_t a = (uintptr_t)p - HDR;

	if (((uintptr_t)p & 15) || a < heap_lo || a >= heap_hi ||
	    heap_hi - a < MIN_BLOCK ||
	    ((struct block *)a)->tag != (TAG_USED ^ a))
		abort();
	return (struct block *)a;
}

void *malloc(size_t n)
{
	return alloc(n);
}

void *calloc(size_t n, size_t size)
{
	size_t total;
	void *p;

	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	p = alloc(total);
	return p ? memset(p, 0, total) : NULL;
}

void free(void *p)
{
	if (p)
		release(used_block(p));
}

/* realloc(p, 0) shrinks p to a minimal block and returns it, as musl does. */
void *realloc(void *p, size_t n)
{
	struct block *b, *rest, **pp;
	size_t need;
	void *q;

	if (!p)
		return alloc(n);
	b = used_block(p);
	need = block_size(n);
	if (!need) {
		errno = ENOMEM;
		return NULL;
	}
	if (need <= b->size) {
		if (b->size - need >= MIN_BLOCK) {
			rest = (struct block *)((char *)b + need);
			rest->size = b->size - need;
			b->size = need;
			release(rest);
		}
		return p;
	}
	/* Grow in place if the block right after is free and big enough. */
	for (pp = &free_list; *pp && (uintptr_t)*pp < (uintptr_t)b;
	     pp = &(*pp)->next)
		;
	if (*pp && (uintptr_t)b + b->size == (uintptr_t)*pp &&
	    b->size + (*pp)->size >= need) {
		b->size += take(pp, need - b->size)->size;
		return p;
	}
	q = alloc(n);
	if (!q)
		return NULL;
	memcpy(q, p, b->size - HDR);
	release(b);
	return q;
}
