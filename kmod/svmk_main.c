// SPDX-License-Identifier: GPL-2.0
/*
 * svmk_main.c: module setup and /dev/svmk. Each open() is one VM with one
 * vCPU; its ioctls are documented in uapi/svmk.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/io.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/svm.h>
#include <asm/tsc.h>

#include "svmk.h"

/* Permission maps shared by every VM: all ones, so everything exits. */
#define IOPM_SIZE (3 * PAGE_SIZE)	/* 64K ports + the 3-byte overrun */
#define MSRPM_SIZE (2 * PAGE_SIZE)
u64 svmk_iopm_pa, svmk_msrpm_pa;
bool svmk_npt_ok;
static struct page *iopm, *msrpm;

struct svmk_file {
	struct svmk_vm vm;
};

static int svmk_open(struct inode *inode, struct file *f)
{
	struct svmk_file *sf;
	struct svmk_vm *vm;
	int ret = -ENOMEM;

	sf = kzalloc(sizeof(*sf), GFP_KERNEL_ACCOUNT);
	if (!sf)
		goto err;
	vm = &sf->vm;
	mutex_init(&vm->lock);
	vm->paging = svmk_npt_ok ? SVMK_PAGING_TDP : SVMK_PAGING_SHADOW;
	vm->run = (struct svmk_run *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vm->run)
		goto err_free;
	ret = svmk_vcpu_init(vm);
	if (ret)
		goto err_run;
	vm->mm = current->mm;
	mmgrab(vm->mm);
	f->private_data = sf;
	return stream_open(inode, f);

err_run:
	free_page((unsigned long)vm->run);
err_free:
	kfree(sf);
err:
	return ret;
}

static int svmk_release(struct inode *inode, struct file *f)
{
	struct svmk_file *sf = f->private_data;
	struct svmk_vm *vm = &sf->vm;

	/* The reverse of open, first run and SVMK_SET_MEMORY. */
	svmk_shadow_free(vm);
	svmk_npt_free(vm);
	svmk_dirty_free(vm);
	svmk_mem_free(vm);
	mmdrop(vm->mm);
	svmk_vcpu_free(vm);
	free_page((unsigned long)vm->run);
	kfree(sf);
	return 0;
}

/* The run page, as with KVM's kvm_run: shared, one page at offset 0. */
static int svmk_mmap(struct file *f, struct vm_area_struct *vma)
{
	struct svmk_file *sf = f->private_data;

	if (vma->vm_pgoff || vma_pages(vma) != 1 ||
	    !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	return vm_insert_page(vma, vma->vm_start, virt_to_page(sf->vm.run));
}

static long svmk_ioctl_locked(struct svmk_vm *vm, unsigned int cmd,
			      unsigned long arg)
{
	void __user *argp = (void __user *)arg;
	union {
		struct svmk_memory mem;
		struct svmk_regs regs;
		struct svmk_sregs sregs;
		struct svmk_dirty_log log;
		struct svmk_msrs msrs;
	} u;
	long ret;

	switch (cmd) {
	case SVMK_SET_MEMORY:
		if (copy_from_user(&u.mem, argp, sizeof(u.mem)))
			return -EFAULT;
		return svmk_mem_set(vm, &u.mem);
	case SVMK_SET_PAGING:
		if (arg != SVMK_PAGING_TDP && arg != SVMK_PAGING_SHADOW)
			return -EINVAL;
		if (arg == SVMK_PAGING_TDP && !svmk_npt_ok)
			return -EINVAL;
		if (vm->started)
			return -EBUSY;
		vm->paging = arg;
		return 0;
	case SVMK_GET_REGS:
		svmk_get_regs(vm, &u.regs);
		return copy_to_user(argp, &u.regs, sizeof(u.regs)) ? -EFAULT : 0;
	case SVMK_SET_REGS:
		if (copy_from_user(&u.regs, argp, sizeof(u.regs)))
			return -EFAULT;
		return svmk_set_regs(vm, &u.regs);
	case SVMK_GET_SREGS:
		svmk_get_sregs(vm, &u.sregs);
		return copy_to_user(argp, &u.sregs, sizeof(u.sregs)) ?
		       -EFAULT : 0;
	case SVMK_SET_SREGS:
		if (copy_from_user(&u.sregs, argp, sizeof(u.sregs)))
			return -EFAULT;
		return svmk_set_sregs(vm, &u.sregs);
	case SVMK_GET_MSRS:
		svmk_get_msrs(vm, &u.msrs);
		return copy_to_user(argp, &u.msrs, sizeof(u.msrs)) ? -EFAULT : 0;
	case SVMK_SET_MSRS:
		if (copy_from_user(&u.msrs, argp, sizeof(u.msrs)))
			return -EFAULT;
		return svmk_set_msrs(vm, &u.msrs);
	case SVMK_RUN:
		if (arg)
			return -EINVAL;
		ret = svmk_vcpu_run(vm);
		return ret;
	case SVMK_SNAPSHOT:
		return arg ? -EINVAL : svmk_snapshot(vm);
	case SVMK_RESTORE:
		return arg ? -EINVAL : svmk_restore(vm);
	case SVMK_ENABLE_DIRTY_LOG:
		return arg ? -EINVAL : svmk_dirty_enable(vm);
	case SVMK_GET_DIRTY_LOG:
		if (copy_from_user(&u.log, argp, sizeof(u.log)))
			return -EFAULT;
		return svmk_dirty_get(vm, &u.log);
	}
	return -ENOTTY;
}

static long svmk_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	struct svmk_file *sf = f->private_data;
	long ret;

	/* Facts about svmk and the host, not the VM: any process may ask. */
	if (cmd == SVMK_GET_API_VERSION)
		return arg ? -EINVAL : SVMK_API_VERSION;
	if (cmd == SVMK_GET_TSC_KHZ) {
		if (arg)
			return -EINVAL;
		/* The guest TSC is the host's plus an offset: same rate. */
		return tsc_khz ? tsc_khz : -ENODEV;
	}
	/* Like KVM: the VM belongs to the process that created it. */
	if (current->mm != sf->vm.mm)
		return -EIO;
	if (mutex_lock_interruptible(&sf->vm.lock))
		return -EINTR;
	ret = svmk_ioctl_locked(&sf->vm, cmd, arg);
	mutex_unlock(&sf->vm.lock);
	return ret;
}

static const struct file_operations svmk_fops = {
	.owner = THIS_MODULE,
	.open = svmk_open,
	.release = svmk_release,
	.mmap = svmk_mmap,
	.unlocked_ioctl = svmk_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice svmk_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "svmk",
	.fops = &svmk_fops,
	.mode = 0666,
};

static int __init svmk_init(void)
{
	u64 vm_cr;
	int ret;

	if (!boot_cpu_has(X86_FEATURE_SVM)) {
		pr_info("no AMD SVM on this CPU\n");
		return -ENODEV;
	}
	rdmsrl(MSR_VM_CR, vm_cr);
	if (vm_cr & SVM_VM_CR_SVM_DIS_MASK) {
		pr_info("SVM disabled by firmware\n");
		return -ENODEV;
	}
	svmk_npt_ok = boot_cpu_has(X86_FEATURE_NPT);

	ret = -ENOMEM;
	iopm = alloc_pages(GFP_KERNEL, get_order(IOPM_SIZE));
	if (!iopm)
		goto err;
	memset(page_address(iopm), 0xff, IOPM_SIZE);
	svmk_iopm_pa = page_to_phys(iopm);

	msrpm = alloc_pages(GFP_KERNEL, get_order(MSRPM_SIZE));
	if (!msrpm)
		goto err_iopm;
	memset(page_address(msrpm), 0xff, MSRPM_SIZE);
	svmk_msrpm_pa = page_to_phys(msrpm);

	ret = svmk_cpu_setup();
	if (ret)
		goto err_msrpm;
	ret = misc_register(&svmk_dev);
	if (ret)
		goto err_cpu;
	pr_info("ready (nested paging %s)\n", svmk_npt_ok ? "yes" : "no");
	return 0;

err_cpu:
	svmk_cpu_cleanup();
err_msrpm:
	__free_pages(msrpm, get_order(MSRPM_SIZE));
err_iopm:
	__free_pages(iopm, get_order(IOPM_SIZE));
err:
	return ret;
}

static void __exit svmk_exit(void)
{
	misc_deregister(&svmk_dev);
	svmk_cpu_cleanup();
	__free_pages(msrpm, get_order(MSRPM_SIZE));
	__free_pages(iopm, get_order(IOPM_SIZE));
}

module_init(svmk_init);
module_exit(svmk_exit);
MODULE_DESCRIPTION("Minimal AMD-SVM hypervisor: one vCPU per VM");
MODULE_LICENSE("GPL");
