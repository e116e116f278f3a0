/*
 * signal.c: signal bookkeeping. Nothing delivers a signal inside the VM
 * (one process, no timers, no other senders; a fault ends the run in the
 * monitor), so actions, the mask and the alternate stack are kept and
 * reported back as Linux would, and never used.
 */
#include "kernel.h"

#define NSIG 64

static struct ksigaction actions[NSIG + 1];
static uint64_t mask;
static struct kstack_t altstack = { .ss_flags = SS_DISABLE };

int sig_ignored(int sig)
{
	/* SIGCHLD, SIGCONT, SIGURG, SIGWINCH: ignored by default. */
	static const uint64_t dfl_ign =
	    1ull << 17 | 1ull << 18 | 1ull << 23 | 1ull << 28;

	if (sig < 1 || sig > NSIG)
		return 0;
	if (actions[sig].handler == 1) /* SIG_IGN */
		return 1;
	return actions[sig].handler == 0 && ((dfl_ign >> (sig - 1)) & 1);
}

long sys_rt_sigaction(long sig, long uact, long uold, long size, long a4,
    long a5)
{
	struct ksigaction act;

	(void)a4, (void)a5;
	if (size != 8)
		return -EINVAL;
	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	if (uold != 0 &&
	    copy_to_user((uint64_t)uold, &actions[sig], sizeof(act)) < 0)
		return -EFAULT;
	if (uact == 0)
		return 0;
	if (sig == 9 || sig == 19) /* SIGKILL, SIGSTOP */
		return -EINVAL;
	if (copy_from_user(&act, (uint64_t)uact, sizeof(act)) < 0)
		return -EFAULT;
	actions[sig] = act;
	return 0;
}

long sys_rt_sigprocmask(long how, long uset, long uold, long size, long a4,
    long a5)
{
	uint64_t set;

	(void)a4, (void)a5;
	if (size != 8)
		return -EINVAL;
	if (uold != 0 && copy_to_user((uint64_t)uold, &mask, 8) < 0)
		return -EFAULT;
	if (uset == 0)
		return 0;
	if (copy_from_user(&set, (uint64_t)uset, 8) < 0)
		return -EFAULT;
	set &= ~(1ull << 8 | 1ull << 18); /* SIGKILL, SIGSTOP */
	switch (how) {
	case SIG_BLOCK:
		mask |= set;
		break;
	case SIG_UNBLOCK:
		mask &= ~set;
		break;
	case SIG_SETMASK:
		mask = set;
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

long sys_rt_sigpending(long uset, long size, long a2, long a3, long a4, long a5)
{
	uint64_t none = 0;

	(void)a2, (void)a3, (void)a4, (void)a5;
	if (size != 8)
		return -EINVAL;
	return copy_to_user((uint64_t)uset, &none, 8);
}

long sys_sigaltstack(long uss, long uold, long a2, long a3, long a4, long a5)
{
	struct kstack_t ss;

	(void)a2, (void)a3, (void)a4, (void)a5;
	if (uold != 0 &&
	    copy_to_user((uint64_t)uold, &altstack, sizeof(altstack)) < 0)
		return -EFAULT;
	if (uss == 0)
		return 0;
	if (copy_from_user(&ss, (uint64_t)uss, sizeof(ss)) < 0)
		return -EFAULT;
	if (ss.ss_flags != 0 && ss.ss_flags != SS_DISABLE)
		return -EINVAL;
	if (ss.ss_flags == 0 && ss.ss_size < MINSIGSTKSZ)
		return -ENOMEM;
	altstack = ss;
	return 0;
}

long sys_rt_sigreturn(long a0, long a1, long a2, long a3, long a4, long a5)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	kpanic("rt_sigreturn without a signal");
}

long sys_rt_sigsuspend(long a0, long a1, long a2, long a3, long a4, long a5)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4, (void)a5;
	/* No signal can come: waiting for one is waiting forever. */
	for (;;)
		__asm__ volatile("pause");
}
