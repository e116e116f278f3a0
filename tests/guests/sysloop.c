/*
 * sysloop: system calls the guest kernel answers without an exit, for
 * ever (getppid), or with a broken guest kernel:
 *   sysloop spin    getppid in a loop: --timeout must still end it
 *   sysloop nosys   two calls of a number Linux does not have (400) and
 *                   one of fork: ENOSYS each, counted for --stats
 *   sysloop kfault  clear the kernel's pointer to the boot info (its data is
 *                   the program's memory too), then make a call: the kernel
 *                   faults, and the fault line says so
 */
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "spin") == 0)
		for (;;)
			getppid();
	if (argc == 2 && strcmp(argv[1], "nosys") == 0)
		return syscall(400) == -1 && syscall(400) == -1 &&
		        syscall(SYS_fork) == -1 && errno == ENOSYS ?
		    0 :
		    1;
	if (argc == 2 && strcmp(argv[1], "kfault") == 0) {
		/* The first page of the guest kernel's data (SVM_KSTATS). */
		volatile uint64_t *p = (volatile uint64_t *)0x180000;

		for (; p < (volatile uint64_t *)0x181000; p++)
			if (*p == 0x5000) /* the boot info's address */
				*p = 0;
		getppid();
		return 3;
	}
	return 2;
}
