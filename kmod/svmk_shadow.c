// SPDX-License-Identifier: GPL-2.0
/*
 * svmk_shadow.c: shadow paging, for when the VM runs without nested paging.
 *
 * The hardware walks shadow tables that map guest-virtual pages straight to
 * the pinned host pages (pinned as the leaves are filled); the guest's CR3 and tables are only read by
 * software. Shadow tables start empty and are filled one 4 KiB page at a
 * time from #PF intercepts, by walking the guest's tables (which also sets
 * the guest's accessed/dirty bits, as the processor would). New
 * translations need no invalidation: absent shadow entries fault and are
 * looked up afresh.
 *
 * Each guest address space (CR3 value) has its own shadow root, and svmk
 * keeps the last SVMK_SH_ROOTS of them, so that switching back to an
 * address space does not fault all of its pages in again. Within the
 * current address space the shadow tables behave like a TLB: the guest must
 * invalidate after changing or removing a present translation. INVLPG,
 * INVPCID, CR0 and CR4 writes drop every shadow table ("zap"), which is
 * always allowed (it is what a full TLB flush does), and simple.
 *
 * A CR3 write flushes the TLB too, so a guest may edit the tables of an
 * inactive address space, or its current one, without INVLPG and expect to
 * see the edit once it has switched. A cached root may therefore be reused
 * only if no table it was built from has been written since. Per guest
 * frame, svmk tracks since the last zap whether a walk that filled a shadow
 * leaf read it as a table ("pt"), and whether some shadow leaf maps it
 * writable ("wmapped"). A leaf for a pt frame is read-only, so the guest's
 * first write to one of its tables faults; svmk then sets tables_written
 * and maps the page writable (without emulating the write). It sets
 * tables_written too when a wmapped frame becomes pt, say a page the guest
 * zeroed before using it as a table: some root may still map it writable,
 * and there is no reverse map to find the leaf. A CR3 write zaps everything
 * (and clears the bitmaps) if tables_written is set; otherwise it switches
 * to the new CR3's cached root, or to an empty one, emptying the least
 * recently used if all are taken. Marks outlive evictions, which only makes
 * them conservative. The accessed and dirty bits svmk itself sets never
 * make a cached leaf wrong: a leaf is writable only once D is set. User
 * space may write guest memory between runs without svmk seeing it, so
 * every SVMK_RUN sets tables_written as well: the first CR3 write after a
 * return to user space zaps, as every CR3 write once did.
 *
 * Rights: a shadow leaf carries the guest's effective U, W and NX, except
 * that W waits for the guest's dirty bit: a clean page is mapped read-only
 * so that the first write faults and svmk sets D; and that pt frames are
 * read-only (above). The guest must run with CR0.WP (supervisor writes
 * honour W: without it neither would fault), without
 * SMEP/SMAP/PKE/PCIDE/LA57; svmk_shadow_prepare() checks this before every
 * entry. Guest 2 MiB and 1 GiB pages are shadowed as 4 KiB pages.
 *
 * Whatever the guest's tables say, a shadow leaf points only at a page of
 * guest memory; translations to guest-physical addresses outside it are
 * reported as SVMK_EXIT_MMIO. Genuine faults are reflected to the guest
 * with the error code and CR2 the processor would give.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/bitmap.h>
#include <linux/slab.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include <asm/traps.h>
#include <asm/svm.h>

#include "svmk.h"

/*
 * Bound on the shadow table pages under the roots, all roots together: one
 * per SH_GUEST_PAGES_PER_TABLE pages of guest memory, at least SH_MIN_PAGES;
 * past it, zap (the guest refaults what it needs). A guest that maps each of
 * its pages once needs one table per 512 of them per address space, so
 * 1/64 leaves room for the 4 cached roots and their upper levels (4096 for
 * 1 GiB, the earlier fixed bound); KVM scales its limit the same way (20
 * per mille of guest pages, at least 64). The floor lets 4 address spaces
 * of a tiny guest keep a dozen 2 MiB regions each. Without the scaling, a
 * guest of a few pages that maps them at many addresses made svmk allocate
 * up to 16 MiB of tables.
 */
#define SH_GUEST_PAGES_PER_TABLE 64
#define SH_MIN_PAGES 64

/* Intermediate shadow entries allow everything; the leaf decides. */
#define SH_TABLE_FLAGS (PTE_P | PTE_W | PTE_U)

static const int shadow_intercepts[] = {
	INTERCEPT_CR3_READ, INTERCEPT_CR0_WRITE, INTERCEPT_CR3_WRITE,
	INTERCEPT_CR4_WRITE, INTERCEPT_INVLPG, INTERCEPT_INVPCID,
	INTERCEPT_EXCEPTION_OFFSET + PF_VECTOR,
};

/* Free the shadow tables under r and mark it unused. */
static void root_clear(struct svmk_vm *vm, struct svmk_sh_root *r)
{
	struct page *pg, *tmp;

	if (!r->valid)
		return;
	list_for_each_entry_safe(pg, tmp, &r->pages, lru) {
		list_del(&pg->lru);
		__free_page(pg);
		vm->sh.npages--;
	}
	vm->run->shadow_pages = vm->sh.npages;
	clear_page(r->pml4);
	r->valid = false;
}

/*
 * Make the root of guest CR3 value cr3 current: its cached one, else an
 * unused one or the least recently used, emptied.
 */
static void root_switch(struct svmk_vm *vm, u64 cr3)
{
	struct svmk_shadow *sh = &vm->sh;
	struct svmk_sh_root *r, *victim = &sh->roots[0];
	u64 key = cr3 & PTE_ADDR;
	int i;

	for (i = 0; i < SVMK_SH_ROOTS; i++) {
		r = &sh->roots[i];
		if (r->valid && r->gcr3 == key) {
			vm->run->shadow_root_hits++;
			goto found;
		}
		if (victim->valid && (!r->valid || r->used < victim->used))
			victim = r;
	}
	r = victim;
	root_clear(vm, r);
	r->gcr3 = key;
	r->valid = true;
found:
	r->used = ++sh->clock;
	sh->cur = r;
}

/* Remember gfn's new bit in sh->pt or sh->wmapped, for the next zap. */
static void note_mark(struct svmk_shadow *sh, u64 gfn)
{
	if (sh->nmarked < SVMK_SH_MARKS)
		sh->marked[sh->nmarked] = gfn;
	sh->nmarked++;
}

/* Drop every shadow table and mark, then start over with gcr3's root. */
void svmk_shadow_zap(struct svmk_vm *vm)
{
	struct svmk_shadow *sh = &vm->sh;
	unsigned int i;

	for (i = 0; i < SVMK_SH_ROOTS; i++)
		root_clear(vm, &sh->roots[i]);
	/*
	 * Zaps often follow each other after a few faults (INVLPG), when
	 * clearing the bitmaps of a big guest (64 KiB for 1 GiB) would cost
	 * more than the rest of the zap.
	 */
	if (sh->nmarked <= SVMK_SH_MARKS) {
		for (i = 0; i < sh->nmarked; i++) {
			__clear_bit(sh->marked[i], sh->pt);
			__clear_bit(sh->marked[i], sh->wmapped);
		}
	} else {
		bitmap_zero(sh->pt, vm->npages);
		bitmap_zero(sh->wmapped, vm->npages);
	}
	sh->nmarked = 0;
	sh->tables_written = false;
	sh->stale = false;
	vm->run->shadow_flushes++;
	root_switch(vm, vm->gcr3);
}

int svmk_shadow_init(struct svmk_vm *vm)
{
	struct svmk_shadow *sh = &vm->sh;
	struct vmcb *v = vm->vmcb;
	int i;

	for (i = 0; i < SVMK_SH_ROOTS; i++)
		INIT_LIST_HEAD(&sh->roots[i].pages);
	sh->max_pages = max_t(unsigned long, SH_MIN_PAGES,
			      vm->npages / SH_GUEST_PAGES_PER_TABLE);
	sh->pt = kvcalloc(BITS_TO_LONGS(vm->npages), sizeof(long),
			  GFP_KERNEL_ACCOUNT);
	sh->wmapped = kvcalloc(BITS_TO_LONGS(vm->npages), sizeof(long),
			       GFP_KERNEL_ACCOUNT);
	if (!sh->pt || !sh->wmapped)
		goto err;
	for (i = 0; i < SVMK_SH_ROOTS; i++) {
		sh->roots[i].pml4 = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
		if (!sh->roots[i].pml4)
			goto err;
	}
	for (i = 0; i < ARRAY_SIZE(shadow_intercepts); i++)
		v->control.intercepts[shadow_intercepts[i] / 32] |=
			BIT(shadow_intercepts[i] % 32);
	v->save.cr0 = vm->gcr0;
	v->save.cr4 = vm->gcr4;
	sh->stale = true;	/* the zap picks the first root */
	return 0;

err:
	svmk_shadow_free(vm);
	return -ENOMEM;
}

/* Also after a failed svmk_shadow_init(), or none. */
void svmk_shadow_free(struct svmk_vm *vm)
{
	struct svmk_shadow *sh = &vm->sh;
	int i;

	for (i = 0; i < SVMK_SH_ROOTS; i++) {
		root_clear(vm, &sh->roots[i]);
		free_page((unsigned long)sh->roots[i].pml4);
		sh->roots[i].pml4 = NULL;
	}
	kvfree(sh->pt);
	kvfree(sh->wmapped);
	sh->pt = sh->wmapped = NULL;
	sh->cur = NULL;
}

/* Guest paging state the shadow code supports (see the top comment). */
static bool state_ok(u64 cr0, u64 cr4, u64 efer)
{
	return (cr0 & X86_CR0_PG) && (cr0 & X86_CR0_WP) &&
	       (cr4 & X86_CR4_PAE) && (efer & EFER_LMA) &&
	       !(cr4 & (X86_CR4_PCIDE | X86_CR4_PKE | X86_CR4_SMEP |
			X86_CR4_SMAP | X86_CR4_LA57));
}

/* Before each entry: 1 (run->exit_reason set) if the guest cannot run. */
int svmk_shadow_prepare(struct svmk_vm *vm)
{
	if (!state_ok(vm->gcr0, vm->gcr4, vm->vmcb->save.efer)) {
		svmk_internal_error(vm, SVMK_INTERNAL_PAGING, vm->gcr0,
				    vm->gcr4);
		return 1;
	}
	if (vm->sh.stale)
		svmk_shadow_zap(vm);
	/* svmk_enter() flushes the ASID's TLB: a new root needs no more. */
	vm->vmcb->save.cr3 = __pa(vm->sh.cur->pml4);
	return 0;
}

static u64 *sh_alloc(struct svmk_vm *vm)
{
	struct page *pg;

	pg = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!pg)
		return NULL;
	list_add(&pg->lru, &vm->sh.cur->pages);
	vm->sh.npages++;
	vm->run->shadow_pages = vm->sh.npages;
	return page_address(pg);
}

/* Guest frame gfn is a table a shadow leaf depends on: watch for writes. */
static void mark_table(struct svmk_shadow *sh, u64 gfn)
{
	if (__test_and_set_bit(gfn, sh->pt))
		return;
	note_mark(sh, gfn);
	/* Some root may map it writable, and we cannot tell which leaf. */
	if (test_bit(gfn, sh->wmapped))
		sh->tables_written = true;
}

/*
 * Install the shadow leaf for gva from a successful guest walk: 0, 1 if the
 * page cannot be pinned (the run ends), -ENOMEM.
 */
static int sh_map(struct svmk_vm *vm, u64 gva, const struct svmk_walk *w,
		  bool write)
{
	struct svmk_shadow *sh = &vm->sh;
	bool nxe = vm->vmcb->save.efer & EFER_NX;
	u64 gfn = w->gpa >> PAGE_SHIFT, *table, leaf;
	struct page *page;
	int i, level;

	/* First, so that a page that cannot be pinned changes nothing. */
	page = svmk_gpa_page(vm, w->gpa);
	if (!page)
		return 1;	/* vm->pin_err: svmk_vcpu_run() reports it */
	leaf = page_to_phys(page) | PTE_P;

	if (sh->npages + 3 > sh->max_pages)
		svmk_shadow_zap(vm);	/* the guest refaults what it needs */

	/* Before the leaf: the walk may have read the leaf's own page. */
	for (i = 0; i < w->ntables; i++)
		mark_table(sh, w->tables[i] >> PAGE_SHIFT);

	table = sh->cur->pml4;
	for (level = 4; level > 1; level--) {
		u64 *e = &table[(gva >> (12 + 9 * (level - 1))) & 511];

		if (!(*e & PTE_P)) {
			u64 *next = sh_alloc(vm);

			if (!next)
				return -ENOMEM;
			*e = __pa(next) | SH_TABLE_FLAGS;
		}
		table = __va(*e & PTE_ADDR);
	}

	if (w->pte & PTE_U)
		leaf |= PTE_U;
	/*
	 * A guest table stays read-only until the guest writes it (once
	 * tables_written is set, read-only would only cost a fault).
	 */
	if ((w->pte & PTE_W) && (w->pte & PTE_D) &&
	    (write || sh->tables_written || !test_bit(gfn, sh->pt))) {
		if (test_bit(gfn, sh->pt))
			sh->tables_written = true;
		if (!__test_and_set_bit(gfn, sh->wmapped))
			note_mark(sh, gfn);
		leaf |= PTE_W;
	}
	if (nxe && (w->pte & PTE_NX))
		leaf |= PTE_NX;
	table[(gva >> 12) & 511] = leaf;
	return 0;
}

static int handle_pf(struct svmk_vm *vm)
{
	struct vmcb *v = vm->vmcb;
	u64 gva = v->control.exit_info_2;
	u32 err = v->control.exit_info_1;
	struct svmk_walk w;
	int ret;

	ret = svmk_walk(vm, vm->gcr3, gva, err & (PFERR_W | PFERR_U | PFERR_I),
			true, &w);
	if (ret) {
		svmk_internal_error(vm, SVMK_INTERNAL_PAGING, err, gva);
		return 1;
	}
	if (w.fault) {
		/* The guest's own fault: deliver it through its IDT. */
		v->save.cr2 = gva;
		svmk_inject(vm, PF_VECTOR, true, w.pferr);
		return 0;
	}
	/* With the dirty log on, only a write maps a page writable. */
	if (!w.mmio && !svmk_dirty_shadow_leaf(vm, w.gpa, err & PFERR_W))
		w.pte &= ~PTE_W;
	if (w.mmio) {
		vm->run->exit_reason = SVMK_EXIT_MMIO;
		vm->run->mmio.gpa = w.gpa;
		vm->run->mmio.error = err;
		vm->run->mmio.rip = v->save.rip;
		return 1;
	}
	return sh_map(vm, gva, &w, err & PFERR_W);
}

static unsigned long *gpr(struct svmk_vm *vm, int reg)
{
	if (reg == SVMK_RAX)
		return (unsigned long *)&vm->vmcb->save.rax;
	if (reg == SVMK_RSP)
		return (unsigned long *)&vm->vmcb->save.rsp;
	return &vm->regs[reg];
}

/*
 * A control register write. Values the processor would refuse get #GP;
 * values it would take but the shadow code does not support end the run.
 */
static int write_cr(struct svmk_vm *vm, int cr, u64 val)
{
	struct vmcb_save_area *s = &vm->vmcb->save;
	u64 cr0 = vm->gcr0, cr3 = vm->gcr3, cr4 = vm->gcr4;

	switch (cr) {
	case 0:
		/* Bits 63:32 of CR0 are reserved: #GP, like the others. */
		cr0 = val;
		break;
	case 3:
		cr3 = val;
		break;
	case 4:
		cr4 = val;
		break;
	default:
		svmk_internal_error(vm, SVMK_INTERNAL_PAGING, cr, val);
		return 1;
	}
	if (!svmk_cr_valid(cr0, cr3, cr4, s->efer & ~EFER_SVME)) {
		svmk_inject(vm, GP_VECTOR, true, 0);
		return 0;
	}
	if (!state_ok(cr0, cr4, s->efer)) {
		svmk_internal_error(vm, SVMK_INTERNAL_PAGING, cr0, cr4);
		return 1;
	}
	vm->gcr0 = s->cr0 = cr0;
	vm->gcr4 = s->cr4 = cr4;
	vm->gcr3 = cr3;
	/*
	 * Any of them flushes the TLB. After a CR3 write, a cached root
	 * still holds what a refill would give unless a table was written
	 * (see the top comment). CR0 and CR4 may change what every entry
	 * means.
	 */
	if (cr == 3 && !vm->sh.tables_written)
		root_switch(vm, cr3);
	else
		vm->sh.stale = true;
	return 0;
}

/*
 * CR accesses, INVLPG and INVPCID, decoded in software (no decode assists
 * or next-RIP under QEMU's TCG). RIP moves on only when the instruction
 * completes.
 */
static int handle_insn(struct svmk_vm *vm, u32 code)
{
	struct vmcb_save_area *s = &vm->vmcb->save;
	struct svmk_insn d;
	int ret;

	/*
	 * The processor checks CPL before these intercepts; check again, so
	 * that a CPL-3 guest never gets to change paging through us even if
	 * an emulated SVM (QEMU's) ordered the checks otherwise.
	 */
	if (s->cpl) {
		svmk_inject(vm, GP_VECTOR, true, 0);
		return 0;
	}
	if (svmk_decode(vm, &d) || d.op[0] != 0x0f)
		goto unhandled;

	if (code == SVM_EXIT_WRITE_CR0 && d.oplen == 2 && d.op[1] == 0x06) {
		/* CLTS */
		ret = write_cr(vm, 0, vm->gcr0 & ~X86_CR0_TS);
		if (!ret && !(vm->vmcb->control.event_inj & SVM_EVTINJ_VALID))
			s->rip += d.len;
		return ret;
	}
	if (d.oplen == 3 && d.op[1] == 0x38 && d.op[2] == 0x82 &&
	    code == SVM_EXIT_INVPCID) {
		if (svmk_decode_modrm(&d))
			goto unhandled;
		vm->sh.stale = true;
		s->rip += d.len;
		return 0;
	}
	if (d.oplen != 2 || svmk_decode_modrm(&d))
		goto unhandled;

	if (code == SVM_EXIT_INVLPG && d.op[1] == 0x01 && d.mod != 3 &&
	    (d.reg & 7) == 7) {
		vm->sh.stale = true;
		s->rip += d.len;
		return 0;
	}
	/* MOV from/to CRn: the ModRM is always a register operand. */
	if (code == SVM_EXIT_READ_CR3 && d.op[1] == 0x20 && d.reg == 3) {
		*gpr(vm, d.rm) = vm->gcr3;
		s->rip += d.len;
		return 0;
	}
	if ((code == SVM_EXIT_WRITE_CR0 || code == SVM_EXIT_WRITE_CR3 ||
	     code == SVM_EXIT_WRITE_CR4) && d.op[1] == 0x22 &&
	    d.reg == code - SVM_EXIT_WRITE_CR0) {
		ret = write_cr(vm, d.reg, *gpr(vm, d.rm));
		if (!ret && !(vm->vmcb->control.event_inj & SVM_EVTINJ_VALID))
			s->rip += d.len;
		return ret;
	}

unhandled:
	/* E.g. LMSW, or code the guest changed under us. */
	svmk_internal_error(vm, SVMK_INTERNAL_PAGING, code, s->rip);
	return 1;
}

/* Exits only shadow mode has: 0 to resume, 1 to return to user space. */
int svmk_shadow_exit(struct svmk_vm *vm, u32 code)
{
	switch (code) {
	case SVM_EXIT_EXCP_BASE + PF_VECTOR:
		return handle_pf(vm);
	case SVM_EXIT_READ_CR3:
	case SVM_EXIT_WRITE_CR0:
	case SVM_EXIT_WRITE_CR3:
	case SVM_EXIT_WRITE_CR4:
	case SVM_EXIT_INVLPG:
	case SVM_EXIT_INVPCID:
		return handle_insn(vm, code);
	}
	svmk_internal_error(vm, SVMK_INTERNAL_UNHANDLED_EXIT,
			    vm->vmcb->control.exit_info_1,
			    vm->vmcb->control.exit_info_2);
	return 1;
}
