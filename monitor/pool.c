/*
 * pool.c: VMs parked for reuse by the thread that destroyed them.
 *
 * Creating and destroying a KVM VM is most of a short-lived sandbox's cost
 * on these hosts (KVM_CREATE_VM, KVM_CREATE_VCPU and the teardown on close
 * take about 0.7 ms of a 1.2 ms create + call + destroy: tests/bench's
 * callbench). A runner that
 * asks for it (svm_sandbox_config.recycle) keeps the VM instead: destroy
 * wipes guest memory and parks the VM, and the thread's next create with
 * the same backend, paging and memory size loads its app into it.
 *
 * What the next app could observe is all reset: guest memory is dropped
 * (MADV_DONTNEED: every page reads as zero again), the backend forgets how
 * the last app's memory was mapped (KVM: the memory slot is deleted and
 * added again, which drops its shadow pages), and the backend's open sets
 * every register an app can reach (general, segment, control, x87/SSE,
 * pending events), as for a new vCPU. VMs whose state the monitor cannot vouch
 * for (a triple fault, a host error, a signal) are not parked.
 *
 * Pools are per thread: a vCPU that KVM sees run from another thread pays a
 * synchronize_rcu() on its next KVM_RUN, and a thread-private list needs no
 * lock.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "monitor.h"

struct shell {
	const struct svm_backend *be;
	enum svm_paging paging; /* as the backend resolved it */
	void *backend;
	uint8_t *mem;
	uint64_t mem_size;
	struct shell *next;
};

static __thread struct shell *parked;
static __thread unsigned nparked;
static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;

static void shell_free(struct shell *s)
{
	struct svm_vm vm = {
		.be = s->be,
		.backend = s->backend,
		.mem = s->mem,
		.mem_size = s->mem_size,
	};

	s->be->close(&vm);
	munmap(s->mem, s->mem_size);
	free(s);
}

void pool_drain(void)
{
	while (parked != NULL) {
		struct shell *s = parked;

		parked = s->next;
		shell_free(s);
	}
	nparked = 0;
}

static void drain_at_exit(void *unused)
{
	(void)unused;
	pool_drain();
}

/*
 * A forked child inherits the forking thread's list, but KVM refuses VMs to
 * any process but their creator's: the child drains its copies (the
 * parent's VMs stay open in the parent).
 */
static void make_key(void)
{
	if (pthread_key_create(&exit_key, drain_at_exit) != 0 ||
	    pthread_atfork(NULL, NULL, pool_drain) != 0)
		exit_key = (pthread_key_t)-1;
}

bool pool_take(struct svm_vm *vm)
{
	struct shell **p, *s;

	for (p = &parked; (s = *p) != NULL; p = &s->next) {
		if (s->be != vm->be || s->mem_size != vm->mem_size ||
		    (vm->paging != SVM_PAGING_DEFAULT &&
		        vm->paging != s->paging))
			continue;
		*p = s->next;
		nparked--;
		vm->mem = s->mem;
		vm->backend = s->backend;
		vm->paging = s->paging;
		free(s);
		return true;
	}
	return false;
}

int pool_put(struct svm_vm *vm)
{
	char why[SVM_ERR_LEN];
	struct shell *s;

	if (vm->recycle == 0 || nparked >= vm->recycle ||
	    vm->be->park == NULL || vm->backend == NULL || vm->mem == NULL ||
	    vm->end == SVM_END_SHUTDOWN || vm->end == SVM_END_MONITOR_ERROR ||
	    vm->end == SVM_END_SIGNAL)
		return -1;
	/* The next app must not see what this one left in a register. */
	if (vm->be->resets != NULL && vm->be->resets(vm, why, sizeof(why)))
		return -1;
	if (pthread_once(&exit_once, make_key) != 0 ||
	    exit_key == (pthread_key_t)-1 ||
	    pthread_setspecific(exit_key, &parked) != 0)
		return -1;
	if ((s = malloc(sizeof(*s))) == NULL)
		return -1;
	/*
	 * Park first (finishing the pending exit may still write the guest),
	 * then wipe: nothing of this app may reach the next.
	 */
	if (vm->be->park(vm) < 0 ||
	    madvise(vm->mem, vm->mem_size, MADV_DONTNEED) < 0) {
		free(s);
		return -1;
	}
	*s = (struct shell) {
		.be = vm->be,
		.paging = vm->paging,
		.backend = vm->backend,
		.mem = vm->mem,
		.mem_size = vm->mem_size,
		.next = parked,
	};
	parked = s;
	nparked++;
	vm->backend = NULL;
	vm->mem = NULL;
	return 0;
}
