/* limits.c: the run's wall-clock timeout and stop signals, which kick the vCPU.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "monitor.h"

/* glibc before 2.41 names the field only through its union member. */
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

/* The vm this thread runs; signal handlers reach it only through here. */
static __thread struct svm_vm *running;
/* This thread's id, asked once: gettid is not in the filter. */
static __thread pid_t my_tid;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

/* A forked child's one thread has a new id. */
static void forget_tid(void)
{
	my_tid = 0;
}

static void watch_fork(void)
{
	pthread_atfork(NULL, NULL, forget_tid);
}

/*
 * Async-signal-safe: stores, and a byte into the wake pipe, so that a
 * signal that lands before the monitor blocks on the guest's behalf still
 * ends the wait (vm_wait polls the pipe).
 */
static void on_signal(int sig)
{
	struct svm_vm *vm = running;
	int saved = errno;

	if (vm == NULL)
		return;
	if (sig == SIGIO) {
		vm->gdb_io = 1;
		if (vm->kick != NULL)
			*vm->kick = 1;
		errno = saved;
		return; /* not a stop: vm_wait need not wake */
	}
	if (sig == SIGALRM)
		vm->timed_out = 1;
	else if (vm->stop_signal == 0)
		vm->stop_signal = sig;
	if (vm->kick != NULL)
		*vm->kick = 1;
	if (vm->wake[1] >= 0)
		(void)!write(vm->wake[1], "", 1);
	errno = saved;
}

static int handle(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);
	/* No SA_RESTART: a blocked read or write must return to the loop. */
	return sigaction(sig, &sa, NULL);
}

int vm_catch_signals(void)
{
	return handle(SIGINT) < 0 || handle(SIGTERM) < 0 || handle(SIGHUP) < 0 ?
	    -1 :
	    0;
}

int vm_catch_io(int fd)
{
	struct f_owner_ex owner = { F_OWNER_TID, 0 };
	int fl;

	if (my_tid == 0)
		my_tid = (pid_t)syscall(SYS_gettid);
	owner.pid = my_tid;
	if (handle(SIGIO) < 0 || fcntl(fd, F_SETOWN_EX, &owner) < 0 ||
	    (fl = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, fl | O_ASYNC) < 0)
		return -1;
	return 0;
}

int vm_start_limits(struct svm_vm *vm, char *err, size_t errlen)
{
	struct sigevent sev;
	pid_t tid;

	running = vm;
	pthread_once(&atfork_once, watch_fork);
	if (my_tid == 0)
		my_tid = (pid_t)syscall(SYS_gettid);
	tid = my_tid;
	if (vm->want_stats && vm->residency == NULL &&
	    (vm->residency = calloc(vm->mem_size / SVM_PAGE_SIZE, 1)) == NULL)
		goto fail;
	if (vm->wake[0] < 0 && pipe2(vm->wake, O_NONBLOCK | O_CLOEXEC) < 0) {
		vm->wake[0] = vm->wake[1] = -1;
		goto fail;
	}
	if (vm->timeout_ms == 0 || (vm->have_timer && vm->timer_tid == tid))
		return 0;
	if (vm->have_timer) {
		timer_delete(vm->timer);
		vm->have_timer = false;
	}
	if (handle(SIGALRM) < 0)
		goto fail;
	/* Aimed at this thread, so it is this thread's KVM_RUN that returns. */
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGALRM;
	sev.sigev_notify_thread_id = tid;
	if (timer_create(CLOCK_MONOTONIC, &sev, &vm->timer) < 0)
		goto fail;
	vm->have_timer = true;
	vm->timer_tid = tid;
	return 0;
fail:
	snprintf(err, errlen, "cannot set up the run limits: %s",
	    strerror(errno));
	return -1;
}

/*
 * Once the deadline has passed the timer goes on firing every TICK_MS until
 * disarmed: a blocking call the monitor makes for the guest after it (a
 * write that found room, then none) is interrupted within a tick.
 */
#define TICK_MS 10

void vm_stop_limits(struct svm_vm *vm)
{
	if (running == vm)
		running = NULL;
	if (vm->have_timer)
		timer_delete(vm->timer);
	vm->have_timer = false;
	if (vm->wake[0] >= 0) {
		close(vm->wake[0]);
		close(vm->wake[1]);
	}
	vm->wake[0] = vm->wake[1] = -1;
}

static int set_timer(struct svm_vm *vm, uint64_t ms)
{
	struct itimerspec its;

	if (!vm->have_timer)
		return 0;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)(ms / 1000);
	its.it_value.tv_nsec = (long)(ms % 1000) * 1000000;
	if (ms != 0)
		its.it_interval.tv_nsec = TICK_MS * 1000000;
	if (timer_settime(vm->timer, 0, &its, NULL) < 0)
		return vm_end(vm, SVM_END_MONITOR_ERROR,
		           "cannot arm the timeout: %s", strerror(errno)) ?
		    -1 :
		    -1;
	return 0;
}

/* Empty the wake pipe: what it held is in the flags already. */
static void drain(struct svm_vm *vm)
{
	char buf[64];

	if (vm->wake[0] >= 0)
		while (read(vm->wake[0], buf, sizeof(buf)) > 0)
			;
}

int vm_arm_timeout(struct svm_vm *vm)
{
	/* A tick of the last call's timer must not end this one. */
	drain(vm);
	vm->timed_out = 0;
	return set_timer(vm, vm->timeout_ms);
}

void vm_disarm_timeout(struct svm_vm *vm)
{
	set_timer(vm, 0);
	/* How the run ended is recorded; the next wait is not timed. */
	vm->timed_out = 0;
}

int vm_check_stop(struct svm_vm *vm)
{
	int sig = vm->stop_signal;

	if (sig == 0 && !vm->timed_out) {
		if (vm->kick != NULL)
			*vm->kick = 0;
		return 0;
	}
	if (sig == 0)
		return vm_end(vm, SVM_END_TIMEOUT, "timeout after %llu ms",
		    (unsigned long long)vm->timeout_ms);
	return vm_end(vm, SVM_END_SIGNAL, "stopped by signal %d (%s)", sig,
	    sig == SIGINT      ? "SIGINT" :
	        sig == SIGTERM ? "SIGTERM" :
	                         "SIGHUP");
}

int vm_wait(struct svm_vm *vm, int fd, short events)
{
	struct pollfd p[2] = { { .fd = fd, .events = events },
		{ .fd = vm->wake[0], .events = POLLIN } };

	for (;;) {
		if (vm_check_stop(vm))
			return 1;
		/* ppoll itself, for the same syscall under musl and glibc. */
		if (syscall(SYS_ppoll, p, 2, NULL, NULL, 0) < 0) {
			if (errno == EINTR)
				continue;
			return vm_end(vm, SVM_END_MONITOR_ERROR, "poll: %s",
			    strerror(errno));
		}
		if (p[0].revents != 0)
			return 0; /* ready, or an error the call will report */
		if (p[1].revents != 0 && !vm->timed_out && !vm->stop_signal)
			drain(vm); /* a stale byte: its flag was reset */
	}
}

uint64_t vm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int vm_enter(struct svm_vm *vm)
{
	uint64_t t0;
	int rc, saved;

	if (!vm->want_stats)
		return ioctl(vm->vcpu_fd, vm->be->ioctl_run, 0);
	t0 = vm_now_ns();
	rc = ioctl(vm->vcpu_fd, vm->be->ioctl_run, 0);
	saved = errno;
	vm->stats.guest_ns += vm_now_ns() - t0;
	errno = saved;
	return rc;
}
