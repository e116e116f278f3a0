// SPDX-License-Identifier: GPL-2.0
/*
 * svmk_npt.c: nested page tables for TDP mode. They map guest-physical
 * [0, mem_size) onto the pinned pages and nothing else, so whatever the
 * guest's own tables say, it reaches only its memory; anything else is a
 * nested page fault, reported as SVMK_EXIT_MMIO.
 *
 * Guest memory is at most 1 GiB, so one PML4, one PDPT and one PD suffice;
 * leaves are 4 KiB because the pinned pages need not be contiguous. The
 * tables are built at the first run with every leaf absent: the guest's
 * first access to a page faults, and svmk pins the page and fills the leaf.
 *
 * While the dirty log is on (svmk_dirty.c), a leaf is read-only until the
 * guest first writes its page: the nested #PF logs the page and makes the
 * leaf writable; reading the log makes the logged leaves read-only again.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/io.h>
#include <linux/gfp.h>

#include "svmk.h"

/*
 * Nested walks are user-mode accesses, so every level needs U; the guest's
 * own tables decide the real rights, the nested ones allow everything.
 */
#define NPT_FLAGS (PTE_P | PTE_W | PTE_U)

static u64 *npt_alloc(void)
{
	return (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
}

int svmk_npt_build(struct svmk_vm *vm)
{
	struct svmk_npt *npt = &vm->npt;
	unsigned long i, npts;

	BUILD_BUG_ON(SVMK_MEM_MAX > (1ULL << 30));
	npt->pml4 = npt_alloc();
	npt->pdpt = npt_alloc();
	npt->pd = npt_alloc();
	if (!npt->pml4 || !npt->pdpt || !npt->pd)
		goto err_free;
	npt->pml4[0] = __pa(npt->pdpt) | NPT_FLAGS;
	npt->pdpt[0] = __pa(npt->pd) | NPT_FLAGS;

	npts = DIV_ROUND_UP(vm->npages, 512);
	for (i = 0; i < npts; i++) {
		npt->pt[i] = npt_alloc();
		if (!npt->pt[i])
			goto err_free;
		npt->pd[i] = __pa(npt->pt[i]) | NPT_FLAGS;
	}
	return 0;

err_free:
	svmk_npt_free(vm);
	return -ENOMEM;
}

/*
 * The next access through a leaf made read-only here faults: every VMRUN
 * flushes the ASID's translations (see svmk_enter).
 */
void svmk_npt_protect(struct svmk_vm *vm, const unsigned long *pages)
{
	unsigned long i;

	if (!vm->npt.pml4)
		return;		/* not built yet: no leaf to protect */
	if (!pages) {
		for (i = 0; i < vm->npages; i++)
			vm->npt.pt[i / 512][i % 512] &= ~PTE_W;
		return;
	}
	for_each_set_bit(i, pages, vm->npages)
		vm->npt.pt[i / 512][i % 512] &= ~PTE_W;
}

/*
 * An absent leaf inside guest memory is the guest's first touch of that
 * page: pin it and fill the leaf, read-only while the dirty log is on
 * unless the access is a write, which is then logged (as if the leaf had
 * been there read-only). A write to a present read-only leaf is the first
 * write to that page since the dirty log was read: log it. Either way the
 * guest retries the access. Anything else is for the caller.
 */
bool svmk_npt_fault(struct svmk_vm *vm, u64 gpa, u64 err)
{
	u64 gfn = gpa >> PAGE_SHIFT, *leaf;
	bool write = err & PFERR_W;
	struct page *page;

	if (gpa >= vm->mem_size)
		return false;
	leaf = &vm->npt.pt[gfn / 512][gfn % 512];
	if (!(*leaf & PTE_P)) {
		page = svmk_gpa_page(vm, gpa);
		if (!page)
			return false;
		if (vm->dirty && !write) {
			*leaf = page_to_phys(page) | (NPT_FLAGS & ~PTE_W);
		} else {
			*leaf = page_to_phys(page) | NPT_FLAGS;
			svmk_mark_dirty(vm, gpa);
		}
		return true;
	}
	if (!vm->dirty || !write || (*leaf & PTE_W))
		return false;
	*leaf |= PTE_W;
	svmk_mark_dirty(vm, gpa);
	return true;
}

void svmk_npt_free(struct svmk_vm *vm)
{
	struct svmk_npt *npt = &vm->npt;
	int i;

	for (i = 0; i < ARRAY_SIZE(npt->pt); i++) {
		free_page((unsigned long)npt->pt[i]);
		npt->pt[i] = NULL;
	}
	free_page((unsigned long)npt->pd);
	free_page((unsigned long)npt->pdpt);
	free_page((unsigned long)npt->pml4);
	npt->pd = npt->pdpt = npt->pml4 = NULL;
}
