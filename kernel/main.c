/* main.c: the guest kernel's start: check the boot info, set up, run the
 * program. */
#include "kernel.h"

/* In .data, the page after SVM_KSTATS: tests/guests/sysloop.c looks there. */
__attribute__((section(".data"))) const struct svm_bootinfo *boot;

/* The counters the monitor reads for --stats, at SVM_KSTATS (kernel.ld). */
__attribute__((section(".kstats"), used)) struct svm_kstats kstats;

_Noreturn void enter_program(uint64_t entry, uint64_t sp);
_Noreturn void kmain(const struct svm_bootinfo *bi);

_Noreturn void kmain(const struct svm_bootinfo *bi)
{
	if (bi->magic != SVM_BOOTINFO_MAGIC ||
	    bi->abi_version != SVM_ABI_VERSION)
		kpanic("boot info ABI mismatch");
	boot = bi;
	mem_init();
	fs_init();
	if (bi->cwd != 0)
		fs_set_cwd((const char *)(uintptr_t)bi->cwd);
	enter_program(bi->entry, bi->sp);
}

long sys_dispatch(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	const struct sys_entry *e =
	    nr >= 0 && nr < SYS_MAX ? &sys_table[nr] : NULL;
	long a[6] = { a0, a1, a2, a3, a4, a5 }, ret;
	unsigned i;

	kstats.syscalls++;
	if (e == NULL || e->fn == NULL) {
		kstats.nosys++;
		for (i = 0; i < SVM_KSTATS_NOSYS; i++)
			if (kstats.nosys_count[i] == 0 ||
			    kstats.nosys_nr[i] == (uint32_t)nr) {
				kstats.nosys_nr[i] = (uint32_t)nr;
				kstats.nosys_count[i]++;
				break;
			}
		ret = -ENOSYS;
	} else {
		/* exit and exit_group do not come back: say them first. */
		if ((boot->flags & SVM_BOOT_TRACE) &&
		    (nr == __NR_exit || nr == __NR_exit_group))
			trace_call(nr, a, 0);
		ret = e->fn(a0, a1, a2, a3, a4, a5);
	}
	if (boot->flags & SVM_BOOT_TRACE)
		trace_call(nr, a, ret);
	return ret;
}
