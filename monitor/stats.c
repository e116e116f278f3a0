/* stats.c: what --stats prints at the end of a run. */
#include <stdio.h>
#include <sys/mman.h>

#include "monitor.h"

static const char *const exit_names[SVM_EXIT_KINDS] = {
	"io",
	"hlt",
	"shutdown",
	"mmio",
	"intr",
	"other",
};

static const char *const hypercall_names[SVM_HC_MAX] = {
	"write",
	"read",
	"random",
	"exit",
	"nop",
	"ready",
	"done",
	"populate",
};

/* Guest pages in host memory: populated by the monitor or touched by the app.
 */
static uint64_t resident(struct svm_vm *vm)
{
	uint64_t i, n = 0;

	/* One call on exactly the guest mapping: what the filter allows. */
	if (vm->residency == NULL ||
	    mincore(vm->mem, vm->mem_size, vm->residency) < 0)
		return 0;
	for (i = 0; i < vm->mem_size / SVM_PAGE_SIZE; i++)
		n += vm->residency[i] & 1;
	return n;
}

static double ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

void vm_print_stats(struct svm_vm *vm, int fd, bool json)
{
	const struct svm_stats *s = &vm->stats;
	struct svm_kstats ks = { 0 };
	const void *k;
	uint64_t total = 0;
	const char *sep = "";
	unsigned i;

	const char *paging = vm->paging == SVM_PAGING_TDP ? "tdp" :
	    vm->paging == SVM_PAGING_SHADOW               ? "shadow" :
	                                                    "unknown";

	vm->stats.pages_resident = resident(vm);
	for (i = 0; i < SVM_EXIT_KINDS; i++)
		total += s->exits[i];
	/* The guest kernel's counts, copied once from its data. */
	if ((k = vm_gpa(vm, SVM_KSTATS, sizeof(ks))) != NULL)
		memcpy(&ks, k, sizeof(ks));
	if (json) {
		dprintf(fd,
		    "{\"backend\": \"%s\", \"paging\": \"%s\", "
		    "\"exits\": {\"total\": %llu",
		    vm->be->name, paging, (unsigned long long)total);
		for (i = 0; i < SVM_EXIT_KINDS; i++)
			dprintf(fd, ", \"%s\": %llu", exit_names[i],
			    (unsigned long long)s->exits[i]);
		dprintf(fd, "}, \"hypercalls\": {");
		for (i = 0; i < SVM_HC_MAX; i++, sep = ", ")
			dprintf(fd, "%s\"%s\": %llu", sep, hypercall_names[i],
			    (unsigned long long)s->hypercalls[i]);
		dprintf(fd,
		    "}, \"syscalls\": %llu, \"enosys\": {\"total\": %llu",
		    (unsigned long long)ks.syscalls,
		    (unsigned long long)ks.nosys);
		for (i = 0; i < SVM_KSTATS_NOSYS && ks.nosys_count[i]; i++)
			dprintf(fd, ", \"%u\": %u", ks.nosys_nr[i],
			    ks.nosys_count[i]);
		dprintf(fd,
		    "}, \"setup_ms\": %.3f, \"guest_ms\": %.3f, "
		    "\"monitor_ms\": %.3f, \"guest_pages_resident\": %llu}\n",
		    ms(s->setup_ns), ms(s->guest_ns), ms(s->monitor_ns),
		    (unsigned long long)s->pages_resident);
		return;
	}
	dprintf(fd, "svm-sandbox: stats: %s, %s paging; exits %llu (",
	    vm->be->name, paging, (unsigned long long)total);
	for (i = 0; i < SVM_EXIT_KINDS; i++, sep = ", ")
		dprintf(fd, "%s%s %llu", sep, exit_names[i],
		    (unsigned long long)s->exits[i]);
	dprintf(fd, "); hypercalls");
	for (i = 0, sep = " "; i < SVM_HC_MAX; i++, sep = ", ")
		dprintf(fd, "%s%s %llu", sep, hypercall_names[i],
		    (unsigned long long)s->hypercalls[i]);
	dprintf(fd, "; system calls %llu, ENOSYS %llu",
	    (unsigned long long)ks.syscalls, (unsigned long long)ks.nosys);
	for (i = 0, sep = " ("; i < SVM_KSTATS_NOSYS && ks.nosys_count[i];
	     i++, sep = ", ")
		dprintf(fd, "%s%u: %u", sep, ks.nosys_nr[i], ks.nosys_count[i]);
	dprintf(fd, "%s", i > 0 ? ")" : "");
	dprintf(fd,
	    "; setup %.3f ms, guest %.3f ms, monitor %.3f ms; "
	    "guest pages resident %llu\n",
	    ms(s->setup_ns), ms(s->guest_ns), ms(s->monitor_ns),
	    (unsigned long long)s->pages_resident);
}
