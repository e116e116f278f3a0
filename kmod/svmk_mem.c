// SPDX-License-Identifier: GPL-2.0
/*
 * svmk_mem.c: guest memory (pinned user pages) and the software walk of the
 * guest's own page tables, which shadow paging and instruction decoding use.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/io.h>
#include <linux/highmem.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/sched/mm.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <asm/processor.h>
#include <asm/msr-index.h>

#include "svmk.h"

/* Pin and unpin in chunks: bounded mmap-lock holds, and room to reschedule. */
#define PIN_CHUNK 512UL

/*
 * Whether the pages of [start, end) may stay pinned for the life of the VM.
 * The guest writes them without the kernel noticing, which is fine for
 * anonymous memory (FOLL_WRITE breaks copy-on-write of a private file
 * mapping into anonymous copies too) and for tmpfs/memfd and hugetlbfs files,
 * which are never written back; but a filesystem that writes pages back
 * would find them dirtied behind its back (Linux 6.5 refuses such pins in
 * GUP; 6.1 does not). Driver mappings (I/O, PFN or mixed maps, such as the
 * svmk run page itself) are refused too. Called with the mmap lock held, so
 * the pin that follows sees the same mappings.
 */
static bool pinnable(struct mm_struct *mm, unsigned long start,
		     unsigned long end)
{
	struct vm_area_struct *vma;
	struct inode *inode;

	while (start < end) {
		vma = find_vma(mm, start);
		if (!vma || vma->vm_start > start)
			return false;
		if (vma->vm_flags & (VM_IO | VM_PFNMAP | VM_MIXEDMAP))
			return false;
		if (vma->vm_flags & VM_SHARED) {
			if (!vma->vm_file)
				return false;
			inode = file_inode(vma->vm_file);
			if (!S_ISREG(inode->i_mode) ||
			    (inode->i_sb->s_magic != TMPFS_MAGIC &&
			     inode->i_sb->s_magic != HUGETLBFS_MAGIC))
				return false;
		}
		start = vma->vm_end;
	}
	return true;
}

int svmk_mem_set(struct svmk_vm *vm, const struct svmk_memory *m)
{
	unsigned long npages, pinned = 0, addr, n;
	struct mm_struct *mm = current->mm;
	struct page **pages;
	long ret;

	if (vm->pages || vm->started)
		return -EBUSY;
	if (m->flags || !m->size || m->size > SVMK_MEM_MAX ||
	    !PAGE_ALIGNED(m->size) || !PAGE_ALIGNED(m->userspace_addr))
		return -EINVAL;
	if (m->userspace_addr + m->size < m->userspace_addr ||
	    !access_ok((void __user *)(unsigned long)m->userspace_addr,
		       m->size))
		return -EINVAL;

	npages = m->size >> PAGE_SHIFT;
	pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return -ENOMEM;

	/*
	 * Pinned pages cannot be reclaimed or swapped: charge them to
	 * RLIMIT_MEMLOCK as mlock() and VFIO do, or any user of /dev/svmk
	 * could lock all of the host's memory.
	 */
	ret = account_locked_vm(mm, npages, true);
	if (ret)
		goto err_free;

	/*
	 * Long-term pins: the guest uses these pages for as long as the VM
	 * lives, whatever user space does to its mapping meanwhile.
	 */
	while (pinned < npages) {
		addr = m->userspace_addr + (pinned << PAGE_SHIFT);
		n = min(npages - pinned, PIN_CHUNK);
		mmap_read_lock(mm);
		if (pinnable(mm, addr, addr + (n << PAGE_SHIFT)))
			ret = pin_user_pages(addr, n, FOLL_WRITE | FOLL_LONGTERM,
					     pages + pinned, NULL);
		else
			ret = -EINVAL;
		mmap_read_unlock(mm);
		if (ret <= 0) {
			ret = ret ? ret : -EFAULT;
			goto err_unpin;
		}
		pinned += ret;
		cond_resched();
	}

	vm->pages = pages;
	vm->npages = npages;
	vm->mem_size = m->size;
	return 0;

err_unpin:
	unpin_user_pages(pages, pinned);
	account_locked_vm(mm, npages, false);
err_free:
	kvfree(pages);
	/* An unmapped or read-only range is a bad argument, not a fault. */
	return ret == -EFAULT ? -EINVAL : ret;
}

void svmk_mem_free(struct svmk_vm *vm)
{
	unsigned long i;

	if (!vm->pages)
		return;
	/* The guest may have written to any of them. */
	for (i = 0; i < vm->npages; i += PIN_CHUNK) {
		unpin_user_pages_dirty_lock(vm->pages + i,
					    min(vm->npages - i, PIN_CHUNK),
					    true);
		cond_resched();
	}
	/* Give the charge back, unless the process (and its mm) is gone. */
	if (mmget_not_zero(vm->mm)) {
		account_locked_vm(vm->mm, vm->npages, false);
		mmput(vm->mm);
	}
	kvfree(vm->pages);
	vm->pages = NULL;
	vm->npages = 0;
	vm->mem_size = 0;
}

/* Host-physical address of guest-physical gpa, which must be in memory. */
u64 svmk_gpa_to_hpa(struct svmk_vm *vm, u64 gpa)
{
	return page_to_phys(vm->pages[gpa >> PAGE_SHIFT]) | (gpa & ~PAGE_MASK);
}

/* Map the page holding gpa (< mem_size); returns a pointer to gpa. */
void *svmk_gpa_map(struct svmk_vm *vm, u64 gpa)
{
	return kmap_local_page(vm->pages[gpa >> PAGE_SHIFT]) +
	       (gpa & ~PAGE_MASK);
}

void svmk_gpa_unmap(void *p)
{
	kunmap_local(p);
}

/* Reserved bits of a present entry at level (4 = PML4 ... 1 = PTE). */
static u64 rsvd_mask(int level, u64 e, bool nxe)
{
	u64 mask = GENMASK_ULL(51, boot_cpu_data.x86_phys_bits);

	if (!nxe)
		mask |= PTE_NX;
	if (level == 4)
		mask |= PTE_PS;
	else if (level == 3 && (e & PTE_PS))
		mask |= GENMASK_ULL(29, 13);
	else if (level == 2 && (e & PTE_PS))
		mask |= GENMASK_ULL(20, 13);
	return mask;
}

/*
 * Walk the guest's 4-level tables rooted at cr3 for an access to gva, the way
 * the processor would with CR0.WP=1, no SMEP/SMAP/PKE/LA57. access holds the
 * PFERR_W, PFERR_U and PFERR_I bits of the access. With set_ad, sets the
 * accessed bits of the entries used and the dirty bit of the leaf on a write
 * (atomically: the guest may look at them).
 *
 * Returns 0 and fills w; w->fault is set if the guest must see a #PF with
 * error code w->pferr, w->mmio is set (w->gpa the address) if a table or
 * the page is outside guest memory. w->tables lists the table pages read
 * (shadow paging write-protects them).
 */
int svmk_walk(struct svmk_vm *vm, u64 cr3, u64 gva, u32 access, bool set_ad,
	      struct svmk_walk *w)
{
	bool nxe = vm->vmcb->save.efer & EFER_NX;
	u64 table = cr3 & PTE_ADDR, rights = PTE_W | PTE_U, e = 0;
	u32 acc = access & (PFERR_W | PFERR_U | (nxe ? PFERR_I : 0));
	int level;

	memset(w, 0, sizeof(*w));
	/* Non-canonical addresses raise #GP, never a #PF: not ours. */
	if (((s64)gva << 16) >> 16 != (s64)gva)
		return -EINVAL;

	for (level = 4; level >= 1; level--) {
		int shift = 12 + 9 * (level - 1);
		u64 gpa_e = table + (((gva >> shift) & 511) << 3);
		u64 *p;

		if (gpa_e >= vm->mem_size) {
			w->mmio = true;
			w->gpa = gpa_e;
			return 0;
		}
		w->tables[w->ntables++] = table;
		p = svmk_gpa_map(vm, gpa_e);
		e = READ_ONCE(*p);
		if (!(e & PTE_P)) {
			svmk_gpa_unmap(p);
			w->fault = true;
			w->pferr = acc;
			return 0;
		}
		if (e & rsvd_mask(level, e, nxe)) {
			svmk_gpa_unmap(p);
			w->fault = true;
			w->pferr = acc | PFERR_P | PFERR_RSVD;
			return 0;
		}
		if (!(e & PTE_W))
			rights &= ~PTE_W;
		if (!(e & PTE_U))
			rights &= ~PTE_U;
		if (e & PTE_NX)
			rights |= PTE_NX;

		if (level == 1 || (e & PTE_PS)) {
			u64 off = gva & GENMASK_ULL(shift - 1, 0);

			if (((access & PFERR_U) && !(rights & PTE_U)) ||
			    ((access & PFERR_W) && !(rights & PTE_W)) ||
			    ((acc & PFERR_I) && (rights & PTE_NX))) {
				svmk_gpa_unmap(p);
				w->fault = true;
				w->pferr = acc | PFERR_P;
				return 0;
			}
			if (set_ad) {
				u64 ad = PTE_A | (access & PFERR_W ? PTE_D : 0);

				/* A write to guest memory, if it changes it. */
				if ((e & ad) != ad)
					svmk_mark_dirty(vm, gpa_e);
				set_bit(5, (unsigned long *)p);
				if (access & PFERR_W)
					set_bit(6, (unsigned long *)p);
				e = READ_ONCE(*p);
			}
			svmk_gpa_unmap(p);
			w->gpa = ((e & PTE_ADDR) & ~GENMASK_ULL(shift - 1, 0)) |
				 off;
			w->pte = rights | (e & PTE_D);
			if (w->gpa >= vm->mem_size)
				w->mmio = true;
			return 0;
		}
		if (set_ad && !(e & PTE_A)) {
			svmk_mark_dirty(vm, gpa_e);
			set_bit(5, (unsigned long *)p);
		}
		svmk_gpa_unmap(p);
		table = e & PTE_ADDR;
	}
	return -EINVAL; /* not reached: level 1 is always a leaf */
}
