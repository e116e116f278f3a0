/* SPDX-License-Identifier: GPL-2.0 */
/* svmk.h: internal interfaces between the parts of the svmk module. */
#ifndef SVMK_H
#define SVMK_H

#include <linux/types.h>
#include <linux/mutex.h>
#include <linux/list.h>
#include <asm/svm.h>

#include "uapi/svmk.h"

/* Guest general registers, in the hardware's encoding order (ModRM.reg). */
enum svmk_reg {
	SVMK_RAX, SVMK_RCX, SVMK_RDX, SVMK_RBX,
	SVMK_RSP, SVMK_RBP, SVMK_RSI, SVMK_RDI,
	SVMK_R8, SVMK_R9, SVMK_R10, SVMK_R11,
	SVMK_R12, SVMK_R13, SVMK_R14, SVMK_R15,
	SVMK_NR_REGS
};

/* Guest page-table bits (x86-64 4-level paging). */
#define PTE_P		BIT_ULL(0)
#define PTE_W		BIT_ULL(1)
#define PTE_U		BIT_ULL(2)
#define PTE_A		BIT_ULL(5)
#define PTE_D		BIT_ULL(6)
#define PTE_PS		BIT_ULL(7)
#define PTE_NX		BIT_ULL(63)
#define PTE_ADDR	GENMASK_ULL(51, 12)

/* #PF error code bits. */
#define PFERR_P		BIT(0)
#define PFERR_W		BIT(1)
#define PFERR_U		BIT(2)
#define PFERR_RSVD	BIT(3)
#define PFERR_I		BIT(4)

/*
 * Nested page tables: [0, size) of guest-physical space, 4 KiB pages; a leaf
 * is present once its page is pinned.
 */
struct svmk_npt {
	u64 *pml4;
	u64 *pdpt;
	u64 *pd;
	u64 *pt[512];	/* SVMK_MEM_MAX / 2 MiB */
};

/* Shadow roots kept per VM: the current one and 3 previous, as KVM. */
#define SVMK_SH_ROOTS 4
/* Frames whose marks a zap clears one by one; more, and it clears all. */
#define SVMK_SH_MARKS 64

/* The shadow tables of one guest address space (see svmk_shadow.c). */
struct svmk_sh_root {
	u64 *pml4;		/* the PML4 the hardware walks */
	struct list_head pages;	/* the other shadow table pages under it */
	u64 gcr3;		/* the guest PML4's gpa, if valid */
	u64 used;		/* sh.clock at the last switch to it: LRU */
	bool valid;		/* else pml4 is empty and pages too */
};

/* Shadow page tables (see svmk_shadow.c). */
struct svmk_shadow {
	struct svmk_sh_root roots[SVMK_SH_ROOTS];
	struct svmk_sh_root *cur;	/* the root of gcr3 */
	unsigned int npages;	/* pages on the roots' lists, all roots */
	unsigned int max_pages;	/* bound on npages (see svmk_shadow.c) */
	u64 clock;
	/* Bitmaps over guest frames, cleared by a full zap. */
	unsigned long *pt;	/* read as a table by a walk filling a leaf */
	unsigned long *wmapped;	/* mapped writable by some shadow leaf */
	u32 marked[SVMK_SH_MARKS];	/* frames with a bit set, ... */
	unsigned int nmarked;	/* ... if no more than SVMK_SH_MARKS */
	bool stale;		/* zap before the next entry */
	bool tables_written;	/* cached roots may be out of date */
};

/* A copy of the whole vCPU (SVMK_SNAPSHOT), for SVMK_RESTORE. */
struct svmk_snapshot {
	struct vmcb_save_area save;
	u32 int_state;		/* interrupt shadow */
	u32 v_tpr;		/* CR8 (int_ctl's V_TPR) */
	u32 event_inj, event_inj_err;
	unsigned long regs[SVMK_NR_REGS];
	u64 gcr0, gcr3, gcr4;
	void *fpu;		/* as vm->fpu */
};

struct svmk_vm {
	struct mutex lock;	/* serialises every ioctl on the VM */
	struct svmk_run *run;	/* the page user space maps */
	struct mm_struct *mm;	/* the opener's: memory and ioctls are its */

	/*
	 * Guest memory: guest-physical [0, mem_size), the user mapping at
	 * uaddr. pages[gfn] is NULL until svmk first needs the page and pins
	 * it (svmk_gpa_page()); npinned counts the others.
	 */
	struct page **pages;
	unsigned long npages;
	unsigned long npinned;
	u64 uaddr;
	u64 mem_size;
	/* First pin failure since the last exit: ends the run. */
	int pin_err;		/* -errno, or 0 */
	u64 pin_gpa;		/* the page that could not be pinned */
	/*
	 * The dirty log: a bit per page of guest memory written since user
	 * space last read it; NULL while logging is off (see svmk_dirty.c).
	 */
	unsigned long *dirty;

	int paging;		/* SVMK_PAGING_* */
	bool started;		/* first SVMK_RUN done: layout is fixed */
	bool dead;		/* shut down: cannot run again */
	u8 pending_in;		/* size of an IN whose data user space gives */

	struct vmcb *vmcb;
	u64 vmcb_pa;
	unsigned long regs[SVMK_NR_REGS];	/* RAX and RSP live in the VMCB */
	void *fpu;		/* guest XSAVE (or FXSAVE) image */
	struct svmk_snapshot *snap;	/* NULL until SVMK_SNAPSHOT */

	/* Shadow mode: what the guest believes its control registers are. */
	u64 gcr0, gcr3, gcr4;

	struct svmk_npt npt;
	struct svmk_shadow sh;
};

/* Log a write to guest-physical gpa (< mem_size) if the dirty log is on. */
static inline void svmk_mark_dirty(struct svmk_vm *vm, u64 gpa)
{
	if (vm->dirty)
		__set_bit(gpa >> PAGE_SHIFT, vm->dirty);
}

/* A decoded instruction, as far as svmk needs (see svmk_decode()). */
struct svmk_insn {
	u8 bytes[15];
	int len;		/* bytes consumed so far */
	int avail;		/* bytes fetched */
	u8 rex;
	bool opsize;		/* 0x66 prefix */
	u8 op[3];
	int oplen;
	u8 modrm, mod, reg, rm;	/* reg and rm extended by REX */
};

/* svmk_main.c */
extern u64 svmk_iopm_pa, svmk_msrpm_pa;
extern bool svmk_npt_ok;

/* svmk_vcpu.c (and svmk_insn.c: fetch, decode) */
int svmk_vcpu_init(struct svmk_vm *vm);
void svmk_vcpu_free(struct svmk_vm *vm);
void svmk_get_regs(struct svmk_vm *vm, struct svmk_regs *r);
int svmk_set_regs(struct svmk_vm *vm, const struct svmk_regs *r);
void svmk_get_sregs(struct svmk_vm *vm, struct svmk_sregs *s);
int svmk_set_sregs(struct svmk_vm *vm, const struct svmk_sregs *s);
/* SVMK_GET_MSRS and SVMK_SET_MSRS (0 or -EINVAL) of vm's vCPU. */
void svmk_get_msrs(struct svmk_vm *vm, struct svmk_msrs *m);
int svmk_set_msrs(struct svmk_vm *vm, const struct svmk_msrs *m);
/* SVMK_SNAPSHOT and SVMK_RESTORE of vm's vCPU: 0 or -errno (uapi/svmk.h). */
int svmk_snapshot(struct svmk_vm *vm);
int svmk_restore(struct svmk_vm *vm);
int svmk_vcpu_run(struct svmk_vm *vm);
int svmk_cpu_setup(void);
void svmk_cpu_cleanup(void);
void svmk_inject(struct svmk_vm *vm, u8 vector, bool has_err, u32 err);
void svmk_internal_error(struct svmk_vm *vm, u32 suberror, u64 info1,
			 u64 info2);
int svmk_skip_insn(struct svmk_vm *vm, const u8 *expect, int len);
int svmk_fetch_insn(struct svmk_vm *vm, u8 *buf, int *len);
int svmk_decode(struct svmk_vm *vm, struct svmk_insn *d);
int svmk_decode_modrm(struct svmk_insn *d);
bool svmk_cr_valid(u64 cr0, u64 cr3, u64 cr4, u64 efer);

/* svmk_mem.c */
int svmk_mem_set(struct svmk_vm *vm, const struct svmk_memory *m);
void svmk_mem_free(struct svmk_vm *vm);
/*
 * The page of guest-physical gpa (< mem_size), pinned on first use (sleeps:
 * call with interrupts on). NULL if it cannot be pinned; vm->pin_err and
 * vm->pin_gpa then say why and where.
 */
struct page *svmk_gpa_page(struct svmk_vm *vm, u64 gpa);
/* Map gpa (< mem_size) as svmk_gpa_page(): a pointer to gpa, or NULL. */
void *svmk_gpa_map(struct svmk_vm *vm, u64 gpa);
void svmk_gpa_unmap(void *p);

/* Result of a guest page walk. */
struct svmk_walk {
	u64 gpa;	/* translation of the address */
	u64 pte;	/* effective rights: PTE_W, PTE_U, PTE_NX, PTE_D */
	bool fault;	/* the guest must see a #PF ... */
	u32 pferr;	/* ... with this error code */
	bool mmio;	/* a table or the page lies outside guest memory */
	u64 tables[4];	/* gpas of the table pages read, PML4 first ... */
	int ntables;	/* ... as many as the walk read inside memory */
};
int svmk_walk(struct svmk_vm *vm, u64 cr3, u64 gva, u32 access, bool set_ad,
	      struct svmk_walk *w);

/* svmk_npt.c */
int svmk_npt_build(struct svmk_vm *vm);
void svmk_npt_free(struct svmk_vm *vm);
/* Make the leaves of the pages set in bitmap pages (NULL: all) read-only. */
void svmk_npt_protect(struct svmk_vm *vm, const unsigned long *pages);
/*
 * Nested #PF at gpa (< mem_size), error code err: true if svmk resolved it
 * (a first touch, or a logged first write) and the guest may retry. False
 * if not, and then vm->pin_err says whether the page could not be pinned.
 */
bool svmk_npt_fault(struct svmk_vm *vm, u64 gpa, u64 err);

/* svmk_dirty.c: SVMK_ENABLE_DIRTY_LOG and SVMK_GET_DIRTY_LOG, 0 or -errno. */
int svmk_dirty_enable(struct svmk_vm *vm);
int svmk_dirty_get(struct svmk_vm *vm, const struct svmk_dirty_log *log);
/* Shadow mode: may the leaf for gpa be writable after this access (write)? */
bool svmk_dirty_shadow_leaf(struct svmk_vm *vm, u64 gpa, bool write);
void svmk_dirty_free(struct svmk_vm *vm);

/* svmk_shadow.c */
int svmk_shadow_init(struct svmk_vm *vm);
void svmk_shadow_free(struct svmk_vm *vm);
void svmk_shadow_zap(struct svmk_vm *vm);
int svmk_shadow_prepare(struct svmk_vm *vm);
int svmk_shadow_exit(struct svmk_vm *vm, u32 exit_code);


/* svmk_entry.S */
void svmk_vmrun(u64 vmcb_pa, unsigned long *regs, u64 host_save_pa);

#endif /* SVMK_H */
