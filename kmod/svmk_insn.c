// SPDX-License-Identifier: GPL-2.0
/*
 * svmk_insn.c: fetching and (minimally) decoding the guest instruction that
 * caused an exit. QEMU's TCG provides neither next-RIP saving nor decode
 * assists, so exits that must skip or interpret an instruction (HLT, CPUID,
 * XSETBV, WBINVD, and in shadow mode MOV CR, CLTS, INVLPG, INVPCID) find its
 * length and operands here.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <asm/processor-flags.h>
#include <asm/svm.h>

#include "svmk.h"

/* Fetch up to 15 bytes at CS:RIP through the guest's own paging. */
int svmk_fetch_insn(struct svmk_vm *vm, u8 *buf, int *len)
{
	struct vmcb_save_area *v = &vm->vmcb->save;
	bool paged = vm->gcr0 & X86_CR0_PG;
	u64 cr3 = vm->paging == SVMK_PAGING_SHADOW ? vm->gcr3 : v->cr3;
	u64 lin = (v->cs.attrib & SVM_SELECTOR_L_MASK) ? v->rip :
		  (u32)(v->cs.base + v->rip);
	u32 acc = PFERR_I | (v->cpl == 3 ? PFERR_U : 0);
	int n = 0;

	if (vm->paging != SVMK_PAGING_SHADOW)
		paged = v->cr0 & X86_CR0_PG;
	while (n < 15) {
		struct svmk_walk w = { .gpa = lin + n };
		int chunk = min_t(int, 15 - n, PAGE_SIZE - ((lin + n) & ~PAGE_MASK));
		u8 *p;

		if (paged && (svmk_walk(vm, cr3, lin + n, acc, false, &w) ||
			      w.fault))
			break;
		if (w.mmio || w.gpa >= vm->mem_size)
			break;
		p = svmk_gpa_map(vm, w.gpa);
		if (!p)
			break;	/* vm->pin_err ends the run */
		memcpy(buf + n, p, chunk);
		svmk_gpa_unmap(p);
		n += chunk;
	}
	*len = n;
	return n ? 0 : -EFAULT;
}

static bool is_legacy_prefix(u8 b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
		return true;
	}
	return false;
}

/*
 * Decode the instruction at RIP as far as svmk needs: prefixes, opcode and,
 * when has_modrm, the ModRM operand, to learn its length. Fills d.
 */
int svmk_decode(struct svmk_vm *vm, struct svmk_insn *d)
{
	bool l64 = vm->vmcb->save.cs.attrib & SVM_SELECTOR_L_MASK;
	int len, i = 0;
	u8 *b = d->bytes;

	memset(d, 0, sizeof(*d));
	if (svmk_fetch_insn(vm, b, &len))
		return -EFAULT;
	d->avail = len;
	while (i < len && is_legacy_prefix(b[i])) {
		if (b[i] == 0x66)
			d->opsize = true;
		i++;
	}
	if (l64 && i < len && (b[i] & 0xf0) == 0x40)
		d->rex = b[i++];
	if (i >= len)
		return -EFAULT;
	d->op[d->oplen++] = b[i++];
	if (d->op[0] == 0x0f) {
		if (i >= len)
			return -EFAULT;
		d->op[d->oplen++] = b[i++];
		if (d->op[1] == 0x38 || d->op[1] == 0x3a) {
			if (i >= len)
				return -EFAULT;
			d->op[d->oplen++] = b[i++];
		}
	}
	d->len = i;
	return 0;
}

/* Parse a ModRM operand at d->len (no immediates follow in our uses). */
int svmk_decode_modrm(struct svmk_insn *d)
{
	int i = d->len, avail = d->avail;
	u8 m;

	if (i >= avail)
		return -EFAULT;
	m = d->bytes[i++];
	d->modrm = m;
	d->mod = m >> 6;
	d->reg = ((m >> 3) & 7) | ((d->rex & 4) ? 8 : 0);
	d->rm = (m & 7) | ((d->rex & 1) ? 8 : 0);
	if (d->mod != 3) {
		if ((m & 7) == 4) {		/* SIB */
			if (i >= avail)
				return -EFAULT;
			if (d->mod == 0 && (d->bytes[i] & 7) == 5)
				i += 4;		/* no base: disp32 */
			i++;
		} else if (d->mod == 0 && (m & 7) == 5) {
			i += 4;			/* RIP-relative disp32 */
		}
		if (d->mod == 1)
			i += 1;
		else if (d->mod == 2)
			i += 4;
	}
	if (i > avail)
		return -EFAULT;
	d->len = i;
	return 0;
}
