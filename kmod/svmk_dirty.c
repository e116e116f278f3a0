// SPDX-License-Identifier: GPL-2.0
/*
 * svmk_dirty.c: the dirty log, which pages of guest memory the guest wrote
 * since user space last asked, so that it can put back only those.
 *
 * Writes are caught by write protection: in TDP mode every nested leaf is
 * read-only until its page is written (svmk_npt.c); in shadow mode a shadow
 * leaf is writable only when installed for a write, which logs the page.
 * Reading the log protects the logged pages again. svmk's own writes into
 * guest memory (accessed and dirty bits, svmk_walk) log the page directly.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "svmk.h"

/* Make the pages set in pages (NULL: all) fault on their next write. */
static void write_protect(struct svmk_vm *vm, const unsigned long *pages)
{
	if (vm->paging == SVMK_PAGING_TDP) {
		svmk_npt_protect(vm, pages);
		return;
	}
	/*
	 * Shadow mode: writable leaves exist only for logged pages, but
	 * finding them would mean walking every shadow table. Dropping all
	 * of them (as a TLB flush does) is simpler, and the guest refaults
	 * only what it uses next.
	 */
	vm->sh.stale = true;
}

int svmk_dirty_enable(struct svmk_vm *vm)
{
	if (!vm->pages)
		return -ENOEXEC;
	if (!vm->dirty) {
		vm->dirty = kvcalloc(BITS_TO_LONGS(vm->npages),
				     sizeof(unsigned long), GFP_KERNEL_ACCOUNT);
		if (!vm->dirty)
			return -ENOMEM;
	} else {
		bitmap_zero(vm->dirty, vm->npages);
	}
	write_protect(vm, NULL);
	return 0;
}

int svmk_dirty_get(struct svmk_vm *vm, const struct svmk_dirty_log *log)
{
	/* Whole 64-bit words: the layout uapi/svmk.h promises. */
	size_t len = BITS_TO_LONGS(vm->npages) * sizeof(unsigned long);

	BUILD_BUG_ON(sizeof(unsigned long) != 8);
	if (log->flags)
		return -EINVAL;
	if (!vm->dirty)
		return -ENOENT;
	if (log->size < len)
		return -EINVAL;
	/* Copy first: if that fails, nothing is lost. */
	if (copy_to_user(u64_to_user_ptr(log->bitmap), vm->dirty, len))
		return -EFAULT;
	write_protect(vm, vm->dirty);
	bitmap_zero(vm->dirty, vm->npages);
	return 0;
}

/*
 * Shadow mode, for an access the guest's tables allow to guest page gpa:
 * with the log on, the leaf may be writable only if the access is a write,
 * which is then logged.
 */
bool svmk_dirty_shadow_leaf(struct svmk_vm *vm, u64 gpa, bool write)
{
	if (!vm->dirty)
		return true;
	if (write)
		svmk_mark_dirty(vm, gpa);
	return write;
}

void svmk_dirty_free(struct svmk_vm *vm)
{
	kvfree(vm->dirty);
	vm->dirty = NULL;
}
