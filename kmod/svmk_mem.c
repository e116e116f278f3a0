// SPDX-License-Identifier: GPL-2.0
/*
 * svmk_mem.c: guest memory (user pages, each pinned when first used) and the
 * software walk of the guest's own page tables, which shadow paging and
 * instruction decoding use.
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

/* Unpin in chunks, with room to reschedule. */
#define PIN_CHUNK 512UL

/*
 * Whether the pages of [start, end) may stay pinned for the life of the VM.
 * The guest writes them without the kernel noticing, which is fine for
 * anonymous memory (FOLL_WRITE breaks copy-on-write of a private file
 * mapping into anonymous copies too) and for tmpfs/memfd and hugetlbfs files,
 * which are never written back; but a filesystem that writes pages back
 * would find them dirtied behind its back (Linux 6.5 refuses such pins in
 * GUP; 6.1 does not). Driver mappings (I/O, PFN or mixed maps, such as the
 * svmk run page itself) are refused too, and so are mappings without write
 * permission (the pin asks for write access). Called with the mmap lock
 * held, so the pin that follows sees the same mappings.
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
		if (vma->vm_flags & (VM_IO | VM_PFNMAP | VM_MIXEDMAP) ||
		    !(vma->vm_flags & VM_WRITE))
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

/*
 * Record the mapping; its pages are pinned one by one as svmk first needs
 * them (svmk_gpa_page()), so a VM costs the host only what its guest uses.
 */
int svmk_mem_set(struct svmk_vm *vm, const struct svmk_memory *m)
{
	unsigned long npages, addr = m->userspace_addr;
	struct mm_struct *mm = current->mm;
	struct page **pages;
	bool ok;
	long ret;

	if (vm->pages || vm->started)
		return -EBUSY;
	if (m->flags || !m->size || m->size > SVMK_MEM_MAX ||
	    !PAGE_ALIGNED(m->size) || !PAGE_ALIGNED(addr))
		return -EINVAL;
	if (addr + m->size < addr ||
	    !access_ok((void __user *)addr, m->size))
		return -EINVAL;

	/* Refuse now what the pins would refuse later, while we can say so. */
	mmap_read_lock(mm);
	ok = pinnable(mm, addr, addr + m->size);
	mmap_read_unlock(mm);
	if (!ok)
		return -EINVAL;

	npages = m->size >> PAGE_SHIFT;
	/* NULL: not pinned yet. */
	pages = kvcalloc(npages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return -ENOMEM;

	/*
	 * Pinned pages cannot be reclaimed or swapped: charge them to
	 * RLIMIT_MEMLOCK as mlock() and VFIO do, or any user of /dev/svmk
	 * could lock all of the host's memory. All of them now: the guest may
	 * touch every page, and a run cannot fail halfway for want of limit.
	 */
	ret = account_locked_vm(mm, npages, true);
	if (ret) {
		kvfree(pages);
		return ret;
	}

	vm->pages = pages;
	vm->npages = npages;
	vm->npinned = 0;
	vm->uaddr = addr;
	vm->mem_size = m->size;
	return 0;
}

void svmk_mem_free(struct svmk_vm *vm)
{
	unsigned long i;

	if (!vm->pages)
		return;
	for (i = 0; i < vm->npages; i++) {
		/* The guest may have written to any of them. */
		if (vm->pages[i])
			unpin_user_pages_dirty_lock(&vm->pages[i], 1, true);
		if (i % PIN_CHUNK == PIN_CHUNK - 1)
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
	vm->npinned = 0;
	vm->mem_size = 0;
}

/*
 * Long-term pin of guest frame gfn: the guest uses the page for as long as
 * the VM lives, whatever user space does to its mapping meanwhile. The
 * mapping is checked again: user space may have replaced it since
 * SVMK_SET_MEMORY. Sleeps (page faults, the mmap lock): the run loop calls
 * this between exits, with interrupts and preemption on.
 */
static int pin_page(struct svmk_vm *vm, unsigned long gfn)
{
	unsigned long addr = vm->uaddr + (gfn << PAGE_SHIFT);
	struct mm_struct *mm = vm->mm;
	struct page *page;
	long ret;

	might_sleep();
	/* svmk_ioctl() lets only the owner in; never pin another mm's pages. */
	if (WARN_ON_ONCE(current->mm != mm))
		return -EIO;
	mmap_read_lock(mm);
	if (!vma_lookup(mm, addr))
		ret = -EFAULT;
	else if (!pinnable(mm, addr, addr + PAGE_SIZE))
		ret = -EINVAL;
	else
		ret = pin_user_pages(addr, 1, FOLL_WRITE | FOLL_LONGTERM,
				     &page, NULL);
	mmap_read_unlock(mm);
	if (ret != 1)
		return ret < 0 ? ret : -EFAULT;
	vm->pages[gfn] = page;
	vm->npinned++;
	vm->run->pinned_pages = vm->npinned;
	return 0;
}

/*
 * The page holding guest-physical gpa (< mem_size), pinned now if this is
 * its first use. NULL if it cannot be pinned: then vm->pin_err says why
 * (the first failure of the exit), and the run ends (svmk_vcpu_run()).
 */
struct page *svmk_gpa_page(struct svmk_vm *vm, u64 gpa)
{
	unsigned long gfn = gpa >> PAGE_SHIFT;
	int ret;

	if (likely(vm->pages[gfn]))
		return vm->pages[gfn];
	ret = pin_page(vm, gfn);
	if (ret) {
		if (!vm->pin_err) {
			vm->pin_err = ret;
			vm->pin_gpa = gpa & PAGE_MASK;
		}
		return NULL;
	}
	return vm->pages[gfn];
}

/* Map the page holding gpa (< mem_size): a pointer to gpa, or NULL as above. */
void *svmk_gpa_map(struct svmk_vm *vm, u64 gpa)
{
	struct page *page = svmk_gpa_page(vm, gpa);

	return page ? kmap_local_page(page) + (gpa & ~PAGE_MASK) : NULL;
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
 * (shadow paging write-protects them). -EFAULT if a table page could not be
 * pinned (vm->pin_err).
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
		if (!p)
			return -EFAULT;	/* vm->pin_err ends the run */
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
