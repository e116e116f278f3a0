// SPDX-License-Identifier: GPL-2.0
/*
 * svmk_vcpu.c: the one vCPU of a VM: its VMCB, register access, the run
 * loop around VMRUN and the exits every paging mode shares.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/io.h>
#include <linux/gfp.h>
#include <linux/slab.h>
#include <linux/percpu.h>
#include <linux/sched/signal.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/debugreg.h>
#include <asm/mce.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>
#include <asm/spec-ctrl.h>
#include <asm/traps.h>
#include <asm/svm.h>

#include "svmk.h"

/*
 * Per-CPU pages: the host save area VMRUN uses (VM_HSAVE_PA) and the page
 * VMSAVE/VMLOAD keep the rest of the host state in (see svmk_entry.S).
 */
struct svmk_cpu {
	struct page *hsave;
	struct page *host_save;
	struct vmcb *last_vmcb;	/* the VMCB last run here (see svmk_enter) */
};
static DEFINE_PER_CPU(struct svmk_cpu, svmk_cpu);

/* Guest FPU images: XSAVE with the host's XCR0 if there is XSAVE. */
static bool use_xsave;
static u64 xcr0;
static unsigned int fpu_size;
/* The host keeps its CPU number in TSC_AUX (which exists with either). */
static bool has_tsc_aux;

int svmk_cpu_setup(void)
{
	unsigned int cpu, eax, ebx, ecx, edx;

	for_each_possible_cpu(cpu) {
		struct svmk_cpu *c = per_cpu_ptr(&svmk_cpu, cpu);

		c->hsave = alloc_page(GFP_KERNEL | __GFP_ZERO);
		c->host_save = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!c->hsave || !c->host_save)
			goto err_free;
	}

	use_xsave = boot_cpu_has(X86_FEATURE_XSAVE) &&
		    boot_cpu_has(X86_FEATURE_OSXSAVE);
	fpu_size = 512;
	if (use_xsave) {
		xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
		/* EBX: size needed for the features enabled in XCR0. */
		cpuid_count(0xd, 0, &eax, &ebx, &ecx, &edx);
		fpu_size = max(ebx, 576u);
	}
	has_tsc_aux = boot_cpu_has(X86_FEATURE_RDTSCP) ||
		      boot_cpu_has(X86_FEATURE_RDPID);
	return 0;

err_free:
	svmk_cpu_cleanup();
	return -ENOMEM;
}

void svmk_cpu_cleanup(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		struct svmk_cpu *c = per_cpu_ptr(&svmk_cpu, cpu);

		if (c->hsave)
			__free_page(c->hsave);
		if (c->host_save)
			__free_page(c->host_save);
		c->hsave = c->host_save = NULL;
	}
}

static void set_intercept(struct vmcb *v, int bit)
{
	v->control.intercepts[bit / 32] |= BIT(bit % 32);
}

/* Intercepts of both paging modes: everything that must not reach the host. */
static const int common_intercepts[] = {
	INTERCEPT_INTR, INTERCEPT_NMI, INTERCEPT_SMI, INTERCEPT_INIT,
	INTERCEPT_RDPMC, INTERCEPT_CPUID, INTERCEPT_INVD, INTERCEPT_HLT,
	INTERCEPT_INVLPGA, INTERCEPT_IOIO_PROT, INTERCEPT_MSR_PROT,
	INTERCEPT_TASK_SWITCH, INTERCEPT_FERR_FREEZE, INTERCEPT_SHUTDOWN,
	INTERCEPT_VMRUN, INTERCEPT_VMMCALL, INTERCEPT_VMLOAD,
	INTERCEPT_VMSAVE, INTERCEPT_STGI, INTERCEPT_CLGI, INTERCEPT_SKINIT,
	INTERCEPT_WBINVD, INTERCEPT_MONITOR,
	INTERCEPT_MWAIT, INTERCEPT_MWAIT_COND, INTERCEPT_XSETBV,
	INTERCEPT_RDPRU,
	/*
	 * A guest can make the processor deliver #AC forever without an exit
	 * (CVE-2015-5307: an #AC while pushing the #AC frame on a misaligned
	 * CPL-3 stack is benign, so it never becomes #DF): the intercept
	 * turns each delivery into an exit, where signals and the scheduler
	 * get their turn. (The #DB variant needs guest DR7, which svmk
	 * never lets the guest set.)
	 */
	INTERCEPT_EXCEPTION_OFFSET + AC_VECTOR,
	/* A machine check in guest mode is the host's, not the guest's. */
	INTERCEPT_EXCEPTION_OFFSET + MC_VECTOR,
};

int svmk_vcpu_init(struct svmk_vm *vm)
{
	struct vmcb *v;
	int i;

	vm->vmcb = (struct vmcb *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vm->vmcb)
		goto err;
	vm->fpu = kzalloc(roundup_pow_of_two(fpu_size), GFP_KERNEL_ACCOUNT);
	if (!vm->fpu)
		goto err_vmcb;
	/* Power-of-two kmalloc objects are naturally aligned (XSAVE: 64). */
	WARN_ON(!IS_ALIGNED((unsigned long)vm->fpu, 64));
	/* Initial FPU state: XSTATE_BV = 0 means "init" for every feature. */
	*(u32 *)(vm->fpu + 24) = MXCSR_DEFAULT;
	*(u16 *)vm->fpu = 0x37f; /* FCW, for the FXSAVE form */

	vm->vmcb_pa = __pa(vm->vmcb);
	v = vm->vmcb;
	for (i = 0; i < ARRAY_SIZE(common_intercepts); i++)
		set_intercept(v, common_intercepts[i]);
	/* Debug registers DR0-3 are not switched: keep the guest off all. */
	v->control.intercepts[INTERCEPT_DR] = ~0u;
	v->control.iopm_base_pa = svmk_iopm_pa;
	v->control.msrpm_base_pa = svmk_msrpm_pa;
	v->control.asid = 1;
	/* Host interrupts stay the host's; guest IF masks only guest ones. */
	v->control.int_ctl = V_INTR_MASKING_MASK;

	v->save.efer = EFER_SVME;
	v->save.cr0 = X86_CR0_ET;
	v->save.rflags = X86_EFLAGS_FIXED;
	v->save.dr6 = DR6_RESERVED;
	v->save.dr7 = 0x400;	/* DR7 reset value: nothing armed */
	v->save.g_pat = 0x0007040600070406ULL; /* the reset PAT */
	vm->gcr0 = v->save.cr0;
	/*
	 * The guest's TSC starts near 0 now: the host's would tell it how
	 * long the host has been up. Fixed for the life of the VM (SVMK_RESTORE
	 * keeps it), so user space converts with run->tsc_offset.
	 */
	v->control.tsc_offset = -rdtsc();
	vm->run->tsc_offset = v->control.tsc_offset;
	return 0;

err_vmcb:
	free_page((unsigned long)vm->vmcb);
	vm->vmcb = NULL;
err:
	return -ENOMEM;
}

void svmk_vcpu_free(struct svmk_vm *vm)
{
	unsigned int cpu;

	/* A new VM may get this page: it must still see a new VMCB. */
	for_each_possible_cpu(cpu)
		cmpxchg(&per_cpu_ptr(&svmk_cpu, cpu)->last_vmcb, vm->vmcb,
			NULL);
	if (vm->snap) {
		kfree(vm->snap->fpu);
		kfree(vm->snap);
	}
	kfree(vm->fpu);
	free_page((unsigned long)vm->vmcb);
}

/* --- registers ------------------------------------------------------------ */

void svmk_get_regs(struct svmk_vm *vm, struct svmk_regs *r)
{
	unsigned long *g = vm->regs;

	r->rax = vm->vmcb->save.rax;
	r->rbx = g[SVMK_RBX];
	r->rcx = g[SVMK_RCX];
	r->rdx = g[SVMK_RDX];
	r->rsi = g[SVMK_RSI];
	r->rdi = g[SVMK_RDI];
	r->rsp = vm->vmcb->save.rsp;
	r->rbp = g[SVMK_RBP];
	r->r8 = g[SVMK_R8];
	r->r9 = g[SVMK_R9];
	r->r10 = g[SVMK_R10];
	r->r11 = g[SVMK_R11];
	r->r12 = g[SVMK_R12];
	r->r13 = g[SVMK_R13];
	r->r14 = g[SVMK_R14];
	r->r15 = g[SVMK_R15];
	r->rip = vm->vmcb->save.rip;
	r->rflags = vm->vmcb->save.rflags;
}

/* RFLAGS bits that exist; bit 1 is always set. */
#define RFLAGS_VALID (X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | \
		      X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_TF | \
		      X86_EFLAGS_IF | X86_EFLAGS_DF | X86_EFLAGS_OF | \
		      X86_EFLAGS_IOPL | X86_EFLAGS_NT | X86_EFLAGS_RF | \
		      X86_EFLAGS_VM | X86_EFLAGS_AC | X86_EFLAGS_VIF | \
		      X86_EFLAGS_VIP | X86_EFLAGS_ID)

int svmk_set_regs(struct svmk_vm *vm, const struct svmk_regs *r)
{
	unsigned long *g = vm->regs;

	if (r->rflags & ~(RFLAGS_VALID | X86_EFLAGS_FIXED))
		return -EINVAL;
	vm->vmcb->save.rax = r->rax;
	g[SVMK_RBX] = r->rbx;
	g[SVMK_RCX] = r->rcx;
	g[SVMK_RDX] = r->rdx;
	g[SVMK_RSI] = r->rsi;
	g[SVMK_RDI] = r->rdi;
	vm->vmcb->save.rsp = r->rsp;
	g[SVMK_RBP] = r->rbp;
	g[SVMK_R8] = r->r8;
	g[SVMK_R9] = r->r9;
	g[SVMK_R10] = r->r10;
	g[SVMK_R11] = r->r11;
	g[SVMK_R12] = r->r12;
	g[SVMK_R13] = r->r13;
	g[SVMK_R14] = r->r14;
	g[SVMK_R15] = r->r15;
	vm->vmcb->save.rip = r->rip;
	vm->vmcb->save.rflags = r->rflags | X86_EFLAGS_FIXED;
	/* New registers: an IN still waiting for its data is abandoned. */
	vm->pending_in = 0;
	return 0;
}

static void seg_to_vmcb(struct vmcb_seg *d, const struct svmk_segment *s)
{
	d->selector = s->selector;
	d->base = s->base;
	d->limit = s->limit;
	if (s->unusable) {
		d->attrib = 0;
		return;
	}
	d->attrib = (s->type & 15) | (s->s & 1) << 4 | (s->dpl & 3) << 5 |
		    (s->present & 1) << 7 | (s->avl & 1) << 8 |
		    (s->l & 1) << 9 | (s->db & 1) << 10 | (s->g & 1) << 11;
}

static void seg_from_vmcb(struct svmk_segment *d, const struct vmcb_seg *s)
{
	memset(d, 0, sizeof(*d));
	d->selector = s->selector;
	d->base = s->base;
	d->limit = s->limit;
	d->type = s->attrib & 15;
	d->s = (s->attrib >> 4) & 1;
	d->dpl = (s->attrib >> 5) & 3;
	d->present = (s->attrib >> 7) & 1;
	d->avl = (s->attrib >> 8) & 1;
	d->l = (s->attrib >> 9) & 1;
	d->db = (s->attrib >> 10) & 1;
	d->g = (s->attrib >> 11) & 1;
	d->unusable = !d->present;
}

void svmk_get_sregs(struct svmk_vm *vm, struct svmk_sregs *s)
{
	struct vmcb_save_area *v = &vm->vmcb->save;

	memset(s, 0, sizeof(*s));
	seg_from_vmcb(&s->cs, &v->cs);
	seg_from_vmcb(&s->ds, &v->ds);
	seg_from_vmcb(&s->es, &v->es);
	seg_from_vmcb(&s->fs, &v->fs);
	seg_from_vmcb(&s->gs, &v->gs);
	seg_from_vmcb(&s->ss, &v->ss);
	seg_from_vmcb(&s->tr, &v->tr);
	if (s->tr.type == 9)
		s->tr.type = 11;	/* see svmk_set_sregs() */
	seg_from_vmcb(&s->ldt, &v->ldtr);
	s->gdt.base = v->gdtr.base;
	s->gdt.limit = v->gdtr.limit;
	s->idt.base = v->idtr.base;
	s->idt.limit = v->idtr.limit;
	s->cr2 = v->cr2;
	/* Shadow mode: the guest's own view, not what the hardware runs. */
	if (vm->paging == SVMK_PAGING_SHADOW) {
		s->cr0 = vm->gcr0;
		s->cr3 = vm->gcr3;
		s->cr4 = vm->gcr4;
	} else {
		s->cr0 = v->cr0;
		s->cr3 = v->cr3;
		s->cr4 = v->cr4;
	}
	s->efer = v->efer & ~EFER_SVME;
}

/* CR4 bits a guest may set: the host must support them too. */
static u64 cr4_allowed(void)
{
	u64 m = X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE |
		X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE |
		X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;

	if (boot_cpu_has(X86_FEATURE_UMIP))
		m |= X86_CR4_UMIP;
	if (boot_cpu_has(X86_FEATURE_FSGSBASE))
		m |= X86_CR4_FSGSBASE;
	if (boot_cpu_has(X86_FEATURE_PCID))
		m |= X86_CR4_PCIDE;
	if (use_xsave)
		m |= X86_CR4_OSXSAVE;
	if (boot_cpu_has(X86_FEATURE_SMEP))
		m |= X86_CR4_SMEP;
	if (boot_cpu_has(X86_FEATURE_SMAP))
		m |= X86_CR4_SMAP;
	return m;
}

/* Checks VMRUN would do anyway, done early to give the caller -EINVAL. */
bool svmk_cr_valid(u64 cr0, u64 cr3, u64 cr4, u64 efer)
{
	bool lme = efer & EFER_LME, pg = cr0 & X86_CR0_PG;

	if (efer & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX))
		return false;
	if (upper_32_bits(cr0) || ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD)))
		return false;
	if ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE))
		return false;
	if (cr4 & ~cr4_allowed())
		return false;
	if (cr3 >> boot_cpu_data.x86_phys_bits)
		return false;
	if (lme && pg && !(cr4 & X86_CR4_PAE))
		return false;
	if (!!(efer & EFER_LMA) != (lme && pg))
		return false;
	return true;
}

/* Whether SVMK_SET_SREGS takes s. */
static bool sregs_valid(const struct svmk_sregs *s)
{
	return svmk_cr_valid(s->cr0, s->cr3, s->cr4, s->efer) &&
	       !(s->cs.l && s->cs.db);
}

int svmk_set_sregs(struct svmk_vm *vm, const struct svmk_sregs *s)
{
	struct vmcb_save_area *v = &vm->vmcb->save;

	if (!sregs_valid(s))
		return -EINVAL;

	seg_to_vmcb(&v->cs, &s->cs);
	seg_to_vmcb(&v->ds, &s->ds);
	seg_to_vmcb(&v->es, &s->es);
	seg_to_vmcb(&v->fs, &s->fs);
	seg_to_vmcb(&v->gs, &s->gs);
	seg_to_vmcb(&v->ss, &s->ss);
	seg_to_vmcb(&v->tr, &s->tr);
	/*
	 * QEMU's TCG checks the TSS I/O bitmap only if TR's cached type is
	 * 9 (available), while TR holds 11 (busy) after LTR, as KVM users
	 * set it. Real hardware does not look at the type, so keep 9.
	 */
	if ((v->tr.attrib & 15) == 11)
		v->tr.attrib = (v->tr.attrib & ~15) | 9;
	seg_to_vmcb(&v->ldtr, &s->ldt);
	v->gdtr.base = s->gdt.base;
	v->gdtr.limit = s->gdt.limit;
	v->idtr.base = s->idt.base;
	v->idtr.limit = s->idt.limit;
	v->cpl = s->ss.dpl & 3;
	v->cr2 = s->cr2;
	v->efer = s->efer | EFER_SVME; /* VMRUN requires it */

	vm->gcr0 = s->cr0;
	vm->gcr3 = s->cr3;
	vm->gcr4 = s->cr4;
	v->cr0 = s->cr0;
	v->cr4 = s->cr4;
	if (vm->paging == SVMK_PAGING_SHADOW && vm->started) {
		/* The hardware keeps running the shadow root; rebuild it. */
		vm->sh.stale = true;
	} else {
		v->cr3 = s->cr3;
	}
	return 0;
}

/* --- system-call MSRs ------------------------------------------------------ */

/* 4-level paging: the guest cannot turn on LA57. */
static bool canonical(u64 addr)
{
	return ((s64)addr << 16) >> 16 == (s64)addr;
}

/* They live in the VMCB save area, which VMLOAD loads before each VMRUN. */
void svmk_get_msrs(struct svmk_vm *vm, struct svmk_msrs *m)
{
	const struct vmcb_save_area *v = &vm->vmcb->save;

	m->star = v->star;
	m->lstar = v->lstar;
	m->cstar = v->cstar;
	m->sfmask = v->sfmask;
	m->kernel_gs_base = v->kernel_gs_base;
}

/* What WRMSR would refuse with #GP is EINVAL (VMLOAD does not check). */
int svmk_set_msrs(struct svmk_vm *vm, const struct svmk_msrs *m)
{
	struct vmcb_save_area *v = &vm->vmcb->save;

	if (!canonical(m->lstar) || !canonical(m->cstar) ||
	    !canonical(m->kernel_gs_base) || upper_32_bits(m->sfmask))
		return -EINVAL;
	v->star = m->star;
	v->lstar = m->lstar;
	v->cstar = m->cstar;
	v->sfmask = m->sfmask;
	v->kernel_gs_base = m->kernel_gs_base;
	return 0;
}

/* --- snapshot ------------------------------------------------------------ */

/*
 * The copy is of the whole VMCB save area (VMSAVE after each VMRUN keeps
 * FS, GS, TR, LDTR and the MSRs there too), the general registers, the FPU
 * image and the shadow CRs: restoring it gives back exactly this vCPU, with
 * nothing for user space to assemble or for svmk to check again.
 */
int svmk_snapshot(struct svmk_vm *vm)
{
	struct vmcb *v = vm->vmcb;
	struct svmk_snapshot *s = vm->snap;
	struct svmk_sregs sr;

	if (vm->dead)
		return -EIO;	/* the VMCB is undefined after a shutdown */
	if (vm->pending_in)
		return -EBUSY;	/* the IN's data is user space's, not state */
	/*
	 * SVMK_RESTORE loads the copy unchecked: it must be a state that
	 * SET_SREGS and SET_REGS accept. (A TDP guest writes CR4 without
	 * an exit, so it could have set a bit they refuse.)
	 */
	svmk_get_sregs(vm, &sr);
	if (!sregs_valid(&sr) ||
	    (v->save.rflags & ~(RFLAGS_VALID | X86_EFLAGS_FIXED)))
		return -EINVAL;
	if (!s) {
		s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
		if (!s)
			return -ENOMEM;
		/* Only copied, never given to XRSTOR: no alignment. */
		s->fpu = kzalloc(fpu_size, GFP_KERNEL_ACCOUNT);
		if (!s->fpu) {
			kfree(s);
			return -ENOMEM;
		}
		vm->snap = s;
	}
	s->save = v->save;
	s->int_state = v->control.int_state;
	s->v_tpr = v->control.int_ctl & V_TPR_MASK;
	s->event_inj = v->control.event_inj;
	s->event_inj_err = v->control.event_inj_err;
	memcpy(s->regs, vm->regs, sizeof(s->regs));
	s->gcr0 = vm->gcr0;
	s->gcr3 = vm->gcr3;
	s->gcr4 = vm->gcr4;
	/* An image XSAVE wrote: XRSTOR of it cannot fault. */
	memcpy(s->fpu, vm->fpu, fpu_size);
	return 0;
}

int svmk_restore(struct svmk_vm *vm)
{
	struct vmcb *v = vm->vmcb;
	const struct svmk_snapshot *s = vm->snap;

	if (!s)
		return -ENOENT;
	/*
	 * After a shutdown intercept the save area is undefined, and all of
	 * it is rewritten here; the processor does not write the control
	 * fields svmk set up (intercepts, maps, ASID, nested paging), and
	 * int_ctl is set whole: the VM may run again.
	 */
	v->save = s->save;
	v->control.int_state = s->int_state;
	v->control.int_ctl = V_INTR_MASKING_MASK | s->v_tpr;
	v->control.event_inj = s->event_inj;
	v->control.event_inj_err = s->event_inj_err;
	memcpy(vm->regs, s->regs, sizeof(vm->regs));
	memcpy(vm->fpu, s->fpu, fpu_size);
	vm->gcr0 = s->gcr0;
	vm->gcr3 = s->gcr3;
	vm->gcr4 = s->gcr4;
	vm->pending_in = 0;
	vm->dead = false;
	/*
	 * Shadow mode: as after SET_SREGS, rebuild the shadow tables, which
	 * may come from another CR3 or from page tables user space is about
	 * to copy back; svmk_shadow_prepare() puts the root in CR3 again.
	 */
	if (vm->paging == SVMK_PAGING_SHADOW && vm->started)
		vm->sh.stale = true;
	return 0;
}

/* --- events and errors ---------------------------------------------------- */

void svmk_internal_error(struct svmk_vm *vm, u32 suberror, u64 info1,
			 u64 info2)
{
	struct svmk_run *run = vm->run;

	run->exit_reason = SVMK_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.exit_code = vm->vmcb->control.exit_code;
	run->internal.info1 = info1;
	run->internal.info2 = info2;
	run->internal.rip = vm->vmcb->save.rip;
}

static bool contributory(u8 v)
{
	return v == DE_VECTOR || v == TS_VECTOR || v == NP_VECTOR ||
	       v == SS_VECTOR || v == GP_VECTOR;
}

/*
 * Queue an exception for the guest. If the exit interrupted the delivery of
 * another exception (queued again by requeue_event()), combine them as the
 * processor would: #DF, or a triple fault, which ends the VM.
 */
void svmk_inject(struct svmk_vm *vm, u8 vector, bool has_err, u32 err)
{
	struct vmcb_control_area *c = &vm->vmcb->control;
	u32 prev = c->event_inj;

	if ((prev & SVM_EVTINJ_VALID) &&
	    (prev & SVM_EVTINJ_TYPE_MASK) == SVM_EVTINJ_TYPE_EXEPT) {
		u8 pv = prev & SVM_EVTINJ_VEC_MASK;

		if (pv == DF_VECTOR) {
			vm->dead = true;
			return;
		}
		if ((pv == PF_VECTOR &&
		     (vector == PF_VECTOR || contributory(vector))) ||
		    (contributory(pv) && contributory(vector))) {
			vector = DF_VECTOR;
			has_err = true;
			err = 0;
		}
	}
	c->event_inj = vector | SVM_EVTINJ_TYPE_EXEPT | SVM_EVTINJ_VALID |
		       (has_err ? SVM_EVTINJ_VALID_ERR : 0);
	c->event_inj_err = err;
}

/*
 * An exit during event delivery (EXITINTINFO valid) loses the event unless
 * it is injected again. Software interrupts and INT3/INTO are not: the guest
 * RIP still points at the instruction, which simply runs again.
 */
static void requeue_event(struct svmk_vm *vm)
{
	struct vmcb_control_area *c = &vm->vmcb->control;
	u32 info = c->exit_int_info;
	u32 type = info & SVM_EXITINTINFO_TYPE_MASK;
	u8 vec = info & SVM_EXITINTINFO_VEC_MASK;

	c->event_inj = 0;
	if (!(info & SVM_EXITINTINFO_VALID))
		return;
	if (type == SVM_EXITINTINFO_TYPE_SOFT ||
	    (type == SVM_EXITINTINFO_TYPE_EXEPT &&
	     (vec == BP_VECTOR || vec == OF_VECTOR)))
		return;
	c->event_inj = info;
	c->event_inj_err = c->exit_int_info_err;
}

/* --- instruction skip ------------------------------------------------------ */

/*
 * Move RIP past the instruction that caused the exit, which must be the
 * one with the given opcode bytes (after any prefixes). Returns false if the
 * instruction there is something else (e.g. the guest changed it).
 */
static bool skip_insn(struct svmk_vm *vm, const u8 *op, int oplen)
{
	struct svmk_insn d;

	if (svmk_decode(vm, &d) || d.oplen < min(oplen, 2) ||
	    memcmp(d.op, op, min(oplen, d.oplen)))
		return false;
	if (oplen > d.oplen) {		/* e.g. 0F 01 D1: one more byte */
		if (d.len >= d.avail || d.bytes[d.len] != op[oplen - 1])
			return false;
		d.len++;
	}
	vm->vmcb->save.rip += d.len;
	return true;
}

/* --- exits ---------------------------------------------------------------- */

static int handle_io(struct svmk_vm *vm)
{
	struct vmcb *v = vm->vmcb;
	struct svmk_run *run = vm->run;
	u64 info = v->control.exit_info_1;
	u8 size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;
	u64 data;

	if (info & (SVM_IOIO_STR_MASK | SVM_IOIO_REP_MASK)) {
		svmk_internal_error(vm, SVMK_INTERNAL_STRING_IO, info, 0);
		return 1;
	}
	run->exit_reason = SVMK_EXIT_IO;
	run->io.size = size;
	run->io.port = info >> 16;
	run->io.count = 1;
	run->io.data_offset = offsetof(struct svmk_run, io_data);
	memset(run->io_data, 0, sizeof(run->io_data));
	/* EXITINFO2 is the next RIP (no next-RIP saving needed for IOIO). */
	v->save.rip = v->control.exit_info_2;
	if (info & SVM_IOIO_TYPE_MASK) {
		run->io.direction = SVMK_EXIT_IO_IN;
		run->io.data = 0;
		vm->pending_in = size;
	} else {
		run->io.direction = SVMK_EXIT_IO_OUT;
		data = v->save.rax & GENMASK_ULL(size * 8 - 1, 0);
		run->io.data = data;
		memcpy(run->io_data, &data, size);
	}
	return 1;
}

/* Finish an IN: the data user space left in the run page goes to rAX. */
static void complete_in(struct svmk_vm *vm)
{
	u64 data = 0, *rax = &vm->vmcb->save.rax;
	u8 size = vm->pending_in;

	memcpy(&data, vm->run->io_data, size);
	if (size == 4)
		*rax = data;	/* 32-bit writes zero the upper half */
	else
		*rax = (*rax & ~GENMASK_ULL(size * 8 - 1, 0)) | data;
	vm->pending_in = 0;
}

static int handle_cpuid(struct svmk_vm *vm)
{
	static const u8 op[] = { 0x0f, 0xa2 };
	u32 leaf = vm->vmcb->save.rax, sub = vm->regs[SVMK_RCX];
	u32 a, b, c, d;

	if (!skip_insn(vm, op, 2)) {
		svmk_internal_error(vm, SVMK_INTERNAL_UNHANDLED_EXIT, 0, 0);
		return 1;
	}
	cpuid_count(leaf, sub, &a, &b, &c, &d);
	/*
	 * The host's values, but for what the guest cannot use, and for
	 * which host CPU this is: APIC IDs (like TSC_AUX, see svmk_enter)
	 * read as those of a one-CPU machine, 0.
	 */
	switch (leaf) {
	case 1:
		/* No VMX/MONITOR; a hypervisor is present; OSXSAVE is CR4's. */
		c &= ~(BIT(5) | BIT(3) | BIT(27));
		c |= BIT(31);
		if (vm->gcr4 & X86_CR4_OSXSAVE)
			c |= BIT(27);
		b &= ~GENMASK(31, 24);	/* initial APIC ID */
		break;
	case 7:
		if (sub == 0) {
			b &= ~BIT(10);	/* INVPCID: not for shadow paging */
			/* PKU, OSPKE: CR4.PKE is not allowed (and is the host's) */
			c &= ~(BIT(3) | BIT(4));
		}
		break;
	case 0xb:
	case 0x1f:
	case 0x80000026:
		d = 0;			/* x2APIC ID */
		break;
	case 0x8000001e:
		/* Extended APIC ID; compute unit (core) and node IDs. */
		a = 0;
		b &= ~GENMASK(7, 0);
		c &= ~GENMASK(7, 0);
		break;
	case 0x80000001:
		c &= ~BIT(2);		/* SVM */
		break;
	case 0x8000000a:		/* SVM features */
		a = b = c = d = 0;
		break;
	default:
		if (leaf >= 0x40000000 && leaf < 0x50000000)
			a = b = c = d = 0;
	}
	vm->vmcb->save.rax = a;
	vm->regs[SVMK_RBX] = b;
	vm->regs[SVMK_RCX] = c;
	vm->regs[SVMK_RDX] = d;
	return 0;
}

static int handle_xsetbv(struct svmk_vm *vm)
{
	static const u8 op[] = { 0x0f, 0x01, 0xd1 };
	u64 val = (u32)vm->vmcb->save.rax |
		  (u64)(u32)vm->regs[SVMK_RDX] << 32;

	/* XCR0 is not switched: the guest may only keep the host's value. */
	if (vm->regs[SVMK_RCX] != 0 || val != xcr0 || !use_xsave) {
		svmk_inject(vm, GP_VECTOR, true, 0);
		return 0;
	}
	if (!skip_insn(vm, op, 3))
		svmk_internal_error(vm, SVMK_INTERNAL_PRIVILEGED, val, 0);
	return !!vm->run->exit_reason;
}

static int handle_exit(struct svmk_vm *vm)
{
	static const u8 hlt[] = { 0xf4 };
	static const u8 invd[] = { 0x0f, 0x08 }, wbinvd[] = { 0x0f, 0x09 };
	struct vmcb *v = vm->vmcb;
	struct svmk_run *run = vm->run;
	u32 code = v->control.exit_code;

	if (v->control.exit_code_hi || code == (u32)SVM_EXIT_ERR) {
		run->exit_reason = SVMK_EXIT_FAIL_ENTRY;
		run->fail_entry.exit_code = (u64)v->control.exit_code_hi << 32 |
					    code;
		return 1;
	}
	requeue_event(vm);

	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
	case SVM_EXIT_INIT:
		/* The host took it after stgi; just go on. */
		return 0;
	case SVM_EXIT_IOIO:
		return handle_io(vm);
	case SVM_EXIT_HLT:
		if (!skip_insn(vm, hlt, 1)) {
			svmk_internal_error(vm, SVMK_INTERNAL_UNHANDLED_EXIT,
					    0, 0);
			return 1;
		}
		run->exit_reason = SVMK_EXIT_HLT;
		return 1;
	case SVM_EXIT_SHUTDOWN:
		/* The VMCB is undefined after a shutdown intercept. */
		vm->dead = true;
		run->exit_reason = SVMK_EXIT_SHUTDOWN;
		return 1;
	case SVM_EXIT_CPUID:
		return handle_cpuid(vm);
	case SVM_EXIT_NPF:
		if (svmk_npt_fault(vm, v->control.exit_info_2,
				   v->control.exit_info_1))
			return 0;
		if (vm->pin_err)
			return 1;	/* svmk_vcpu_run() reports it */
		if (v->control.exit_info_2 >= vm->mem_size) {
			run->exit_reason = SVMK_EXIT_MMIO;
			run->mmio.gpa = v->control.exit_info_2;
			run->mmio.error = v->control.exit_info_1;
			run->mmio.rip = v->save.rip;
		} else {
			svmk_internal_error(vm, SVMK_INTERNAL_NPF,
					    v->control.exit_info_1,
					    v->control.exit_info_2);
		}
		return 1;
	case SVM_EXIT_MSR:
	case SVM_EXIT_RDPMC:
		/* As for an MSR or counter that does not exist. */
		svmk_inject(vm, GP_VECTOR, true, 0);
		return 0;
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_WRITE_DR7:
		svmk_inject(vm, GP_VECTOR, true, 0);
		return 0;
	case SVM_EXIT_XSETBV:
		return handle_xsetbv(vm);
	case SVM_EXIT_EXCP_BASE + AC_VECTOR:
		/* Reflected (see common_intercepts): #AC's error code is 0. */
		svmk_inject(vm, AC_VECTOR, true, 0);
		return 0;
	case SVM_EXIT_EXCP_BASE + MC_VECTOR:
		/* svmk_enter() gave it to the host's handler already. */
		return 0;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMMCALL:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_RDPRU:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_COND:
	case SVM_EXIT_INVPCID:
		/* CPUID does not offer them (EFER.SVME reads as clear). */
		if (code == SVM_EXIT_INVPCID &&
		    vm->paging == SVMK_PAGING_SHADOW)
			return svmk_shadow_exit(vm, code);
		svmk_inject(vm, UD_VECTOR, false, 0);
		return 0;
	case SVM_EXIT_INVD:
	case SVM_EXIT_WBINVD:
		/* Guest memory is ordinary cached memory: nothing to do. */
		if (!skip_insn(vm, code == SVM_EXIT_INVD ? invd : wbinvd, 2)) {
			svmk_internal_error(vm, SVMK_INTERNAL_PRIVILEGED, 0, 0);
			return 1;
		}
		return 0;
	}
	if (vm->paging == SVMK_PAGING_SHADOW)
		return svmk_shadow_exit(vm, code);
	svmk_internal_error(vm, SVMK_INTERNAL_UNHANDLED_EXIT,
			    v->control.exit_info_1, v->control.exit_info_2);
	return 1;
}

/* The slot of run->exit_counts[] an SVM exit code counts in. */
static int svmk_exit_slot(u32 code)
{
	switch (code) {
	case SVM_EXIT_IOIO:
		return SVMK_COUNT_IO;
	case SVM_EXIT_NPF:
		return SVMK_COUNT_NPF;
	case SVM_EXIT_EXCP_BASE + PF_VECTOR:
		return SVMK_COUNT_PF;
	case SVM_EXIT_WRITE_CR3:
		return SVMK_COUNT_CR3_WRITE;
	case SVM_EXIT_INVLPG:
	case SVM_EXIT_INVPCID:
		return SVMK_COUNT_INVLPG;
	case SVM_EXIT_READ_CR3:
	case SVM_EXIT_WRITE_CR0:
	case SVM_EXIT_WRITE_CR4:
		return SVMK_COUNT_CR_OTHER;
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
	case SVM_EXIT_INIT:
	case SVM_EXIT_EXCP_BASE + MC_VECTOR:
		return SVMK_COUNT_INTR;
	case SVM_EXIT_CPUID:
		return SVMK_COUNT_CPUID;
	case SVM_EXIT_HLT:
		return SVMK_COUNT_HLT;
	case SVM_EXIT_EXCP_BASE + AC_VECTOR:
		return SVMK_COUNT_EXCEPTION;
	}
	return SVMK_COUNT_OTHER;
}

/* --- world switch --------------------------------------------------------- */

/* A machine check that hit the guest: as KVM, give it to the host's handler. */
static void svmk_machine_check(void)
{
#ifdef CONFIG_X86_MCE
	/* Blame user mode, never the kernel, whatever the guest ran at. */
	struct pt_regs regs = { .cs = 3, .flags = X86_EFLAGS_IF };

	do_machine_check(&regs);
#endif
}

static void fpu_load(void *img)
{
	/*
	 * AMD CPUs without XSAVEERPTR (Zen 1 and older) restore the x87
	 * FIP, FDP and FOP only with an exception pending: the guest would
	 * read those of the last x87 instruction anyone ran on this CPU, not
	 * its own (nor, after SVMK_RESTORE, its snapshot's). Set them to a
	 * fixed value first, as Linux does for tasks and so for KVM guests.
	 */
	if (static_cpu_has_bug(X86_BUG_FXSAVE_LEAK))
		asm volatile("fnclex\n\temms\n\tfildl %0" : : "m"(*(u32 *)img));
	if (use_xsave)
		asm volatile("xrstor64 %0"
			     : : "m"(*(u8 *)img), "a"((u32)xcr0),
			       "d"((u32)(xcr0 >> 32)) : "memory");
	else
		asm volatile("fxrstor64 %0" : : "m"(*(u8 *)img));
}

static void fpu_save(void *img)
{
	if (use_xsave)
		asm volatile("xsave64 %0"
			     : "+m"(*(u8 *)img) : "a"((u32)xcr0),
			       "d"((u32)(xcr0 >> 32)) : "memory");
	else
		asm volatile("fxsave64 %0" : "+m"(*(u8 *)img));
}

/*
 * One VMRUN. SVM is enabled on this CPU only for the duration, with
 * interrupts off: the CPU is left as found, so kvm-amd can use it between
 * runs, and we back off (-EBUSY) while kvm-amd has SVM enabled here, which
 * also means its ASIDs are flushed when it next enables SVM.
 *
 * The guest's FPU state lives in vm->fpu; kernel_fpu_begin() has saved
 * the user's (the monitor's) state, to come back on return to user space.
 */
static int svmk_enter(struct svmk_vm *vm)
{
	struct vmcb_control_area *c = &vm->vmcb->control;
	struct svmk_cpu *cpu;
	u64 efer, old_hsave, tsc_aux = 0;
	int ret = 0;

	kernel_fpu_begin();
	cpu = this_cpu_ptr(&svmk_cpu);
	fpu_load(vm->fpu);
	local_irq_disable();

	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		ret = -EBUSY;
		goto out;
	}
	rdmsrl(MSR_VM_HSAVE_PA, old_hsave);
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(cpu->hsave));

	/*
	 * As KVM: a barrier when this CPU switches to another VM, so that
	 * branch predictions one guest trained cannot steer another; not
	 * needed if every #VMEXIT has one (IBPB_ON_VMEXIT: retbleed=ibpb,
	 * spec_rstack_overflow=ibpb or ibpb-vmexit; see svmk_entry.S).
	 */
	if (cpu->last_vmcb != vm->vmcb) {
		cpu->last_vmcb = vm->vmcb;
		if (!cpu_feature_enabled(X86_FEATURE_IBPB_ON_VMEXIT))
			indirect_branch_prediction_barrier();
	}

	/*
	 * One ASID for every VM: flush it on every entry, since another VM
	 * (or another CPU's view of this one) may have left translations.
	 */
	c->tlb_ctl = boot_cpu_has(X86_FEATURE_FLUSHBYASID) ?
		     TLB_CONTROL_FLUSH_ASID : TLB_CONTROL_FLUSH_ALL_ASID;
	c->clean = 0;

	asm volatile("clgi" ::: "memory");
	/*
	 * TSC_AUX holds the host's CPU and node number, and RDPID, which no
	 * intercept catches, reads it (as does RDTSCP): the guest sees 0
	 * instead. Switched with GIF clear, so no interrupt, NMI or SMI runs
	 * host code on the guest's value, and without the MSR tracepoints.
	 * (Linux's own kernel code never reads TSC_AUX; its vDSO does, but no
	 * user code runs here.)
	 */
	if (has_tsc_aux) {
		tsc_aux = __rdmsr(MSR_TSC_AUX);
		if (tsc_aux)
			__wrmsr(MSR_TSC_AUX, 0, 0);
	}
	/*
	 * As KVM: SSBD set through VIRT_SPEC_CTRL or LS_CFG is the guest's,
	 * off (it cannot write the MSR), and the host's again after. With
	 * V_SPEC_CTRL, SSBD is in SPEC_CTRL, which the processor switches;
	 * without, svmk_vmrun() switches SPEC_CTRL.
	 */
	if (!static_cpu_has(X86_FEATURE_V_SPEC_CTRL))
		x86_spec_ctrl_set_guest(0);
	/* Zen 1: a stale quotient of the host's last DIV must not reach it. */
	amd_clear_divider();

	svmk_vmrun(vm->vmcb_pa, vm->regs, page_to_phys(cpu->host_save));

	if (!static_cpu_has(X86_FEATURE_V_SPEC_CTRL))
		x86_spec_ctrl_restore_host(0);
	if (tsc_aux)
		__wrmsr(MSR_TSC_AUX, tsc_aux, tsc_aux >> 32);
	/*
	 * VMSCAPE (vmscape=ibpb): the branch predictions the guest trained
	 * must not steer the monitor either; the flag makes the return to
	 * user space an IBPB. On this CPU, before preemption may move us, as
	 * KVM does.
	 */
	if (cpu_feature_enabled(X86_FEATURE_IBPB_EXIT_TO_USER))
		this_cpu_write(x86_ibpb_exit_to_user, true);
	asm volatile("stgi" ::: "memory");

	wrmsrl(MSR_VM_HSAVE_PA, old_hsave);
	wrmsrl(MSR_EFER, efer);
	/* #VMEXIT leaves DR7 disabled; give the host its breakpoints back. */
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
	/* On this CPU, whose banks hold it, before interrupts come back. */
	if (c->exit_code == SVM_EXIT_EXCP_BASE + MC_VECTOR)
		svmk_machine_check();
out:
	local_irq_enable();
	fpu_save(vm->fpu);
	kernel_fpu_end();
	return ret;
}

static int first_run(struct svmk_vm *vm)
{
	struct vmcb_control_area *c = &vm->vmcb->control;
	int ret;

	if (vm->paging == SVMK_PAGING_TDP) {
		ret = svmk_npt_build(vm);
		if (ret)
			return ret;
		c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
		c->nested_cr3 = __pa(vm->npt.pml4);
	} else {
		ret = svmk_shadow_init(vm);
		if (ret)
			return ret;
	}
	vm->started = true;
	return 0;
}

int svmk_vcpu_run(struct svmk_vm *vm)
{
	struct svmk_run *run = vm->run;
	int ret;

	if (!vm->pages)
		return -ENOEXEC;
	if (vm->dead) {
		run->exit_reason = SVMK_EXIT_SHUTDOWN;
		return -EIO;
	}
	if (!vm->started) {
		ret = first_run(vm);
		if (ret)
			return ret;
	}
	if (vm->pending_in)
		complete_in(vm);
	/* User space may have written guest page tables: see svmk_shadow.c. */
	if (vm->paging == SVMK_PAGING_SHADOW)
		vm->sh.tables_written = true;

	for (;;) {
		run->exit_reason = SVMK_EXIT_NONE;
		/* immediate_exit: user space may set it at any time. */
		if (READ_ONCE(run->immediate_exit) || signal_pending(current)) {
			run->exit_reason = SVMK_EXIT_INTR;
			return -EINTR;
		}
		cond_resched();

		if (vm->paging == SVMK_PAGING_SHADOW) {
			ret = svmk_shadow_prepare(vm);
			if (ret)
				return ret < 0 ? ret : 0;
		}
		ret = svmk_enter(vm);
		if (ret)
			return ret;
		run->exits++;
		run->exit_counts[svmk_exit_slot(vm->vmcb->control.exit_code)]++;
		ret = handle_exit(vm);
		/*
		 * A guest page svmk could not pin ends the run, whatever the
		 * handler made of the access that failed (see svmk_gpa_page()).
		 */
		if (vm->pin_err) {
			svmk_internal_error(vm, SVMK_INTERNAL_MEMORY, vm->pin_gpa,
					    -vm->pin_err);
			vm->pin_err = 0;
			return 0;
		}
		if (vm->dead) {
			/* A triple fault found while injecting. */
			run->exit_reason = SVMK_EXIT_SHUTDOWN;
			return 0;
		}
		if (ret)
			return ret < 0 ? ret : 0;
	}
}
