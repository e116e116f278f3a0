/* sandbox.c: the public API (svm_sandbox.h) over the monitor's VM object. */
#include <errno.h>
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"
#include "svm_sandbox.h"

struct svm_sandbox {
	struct svm_vm vm;
	bool used; /* run or served: a sandbox runs its app once */
};

/*
 * Whether this thread has loaded a sandbox's filter: from then on it may
 * only run, call and end the process. What would need another syscall
 * (create, serve, filter, and the frees of destroy) refuses or does
 * nothing instead of being killed.
 */
static __thread bool locked;

static const char locked_msg[] =
    "this thread is locked down (svm_sandbox_lockdown): create and serve "
    "before it";

void svm_sandbox_config_init(struct svm_sandbox_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mem_size = SVM_MEM_DEFAULT;
	cfg->backend = SVM_SANDBOX_KVM;
	cfg->stdin_fd = 0;
	cfg->stdout_fd = 1;
	cfg->stderr_fd = 2;
}

static void say(struct svm_sandbox_result *res, enum svm_sandbox_kind kind,
    const char *msg)
{
	memset(res, 0, sizeof(*res));
	res->kind = kind;
	snprintf(res->message, sizeof(res->message), "%s", msg);
}

/* Translate how the VM's run or call ended into a result. */
static void result(const struct svm_vm *vm, struct svm_sandbox_result *res)
{
	static const enum svm_sandbox_kind kinds[] = {
		[SVM_END_EXIT] = SVM_SANDBOX_EXITED,
		[SVM_END_FAULT] = SVM_SANDBOX_FAULT,
		[SVM_END_SHUTDOWN] = SVM_SANDBOX_TRIPLE_FAULT,
		[SVM_END_GUEST_ERROR] = SVM_SANDBOX_GUEST_ERROR,
		[SVM_END_MONITOR_ERROR] = SVM_SANDBOX_MONITOR_ERROR,
		[SVM_END_TIMEOUT] = SVM_SANDBOX_TIMEOUT,
		[SVM_END_OUTPUT_LIMIT] = SVM_SANDBOX_OUTPUT_LIMIT,
		[SVM_END_SIGNAL] = SVM_SANDBOX_MONITOR_ERROR,
		[SVM_END_READY] = SVM_SANDBOX_GUEST_ERROR,
		[SVM_END_DONE] = SVM_SANDBOX_ANSWERED,
	};

	say(res, kinds[vm->end], vm->end == SVM_END_EXIT ? "" : vm->err);
	if (vm->end == SVM_END_EXIT)
		res->status = vm->app_status & 0xff;
	if (vm->end == SVM_END_FAULT) {
		res->fault.vector = vm->fault.vector;
		res->fault.error_code = vm->fault.error;
		res->fault.rip = vm->fault.rip;
		res->fault.address = vm->fault_cr2;
	}
}

static int create(const struct svm_sandbox_config *c, const char *path,
    const void *image, size_t len, int argc, char *const argv[],
    struct svm_sandbox **sbp, struct svm_sandbox_result *res)
{
	struct svm_config cfg = {
		.backend = c->backend == SVM_SANDBOX_SVMK ? &svm_backend_svmk :
		                                            &svm_backend_kvm,
		.paging = c->paging == SVM_SANDBOX_PAGING_TDP ? SVM_PAGING_TDP :
		    c->paging == SVM_SANDBOX_PAGING_SHADOW ? SVM_PAGING_SHADOW :
		                                             SVM_PAGING_DEFAULT,
		.mem_size = c->mem_size,
		.timeout_ms = c->timeout_ms,
		.max_output = c->max_output,
		/* An embedder may serve or run: its filter allows both. */
		.serve = true,
		.stdin_fd = c->stdin_fd,
		.stdout_fd = c->stdout_fd,
		.stderr_fd = c->stderr_fd,
		.recycle = c->recycle,
		.root = c->root,
		.files = (char *const *)c->files,
		.nfiles = c->nfiles,
		.envp = (char *const *)c->env,
		.envc = c->nenv,
		.cwd = c->cwd,
	};
	static const enum svm_sandbox_kind kinds[] = {
		[SVM_STATUS_BAD_APP] = SVM_SANDBOX_BAD_APP,
		[SVM_STATUS_USAGE] = SVM_SANDBOX_BAD_CONFIG,
		[SVM_STATUS_MONITOR] = SVM_SANDBOX_MONITOR_ERROR,
	};
	struct svm_sandbox *sb;
	char err[SVM_ERR_LEN];
	int rc;

	*sbp = NULL;
	if (locked) {
		say(res, SVM_SANDBOX_BAD_CONFIG, locked_msg);
		return -1;
	}
	if ((sb = calloc(1, sizeof(*sb))) == NULL) {
		say(res, SVM_SANDBOX_MONITOR_ERROR, "out of memory");
		return -1;
	}
	rc = path ?
	    vm_create(&sb->vm, &cfg, path, argc, argv, err, sizeof(err)) :
	    vm_create_image(&sb->vm, &cfg, "image", image, len, argc, argv, err,
	        sizeof(err));
	if (rc != 0) {
		say(res, kinds[rc], err);
		free(sb);
		return -1;
	}
	/* Recycling hands this VM to the next app: it must reset it all. */
	if (c->recycle > 0 && sb->vm.be->resets != NULL &&
	    sb->vm.be->resets(&sb->vm, err, sizeof(err)) < 0) {
		sb->vm.recycle = 0;
		vm_destroy(&sb->vm);
		free(sb);
		say(res, SVM_SANDBOX_MONITOR_ERROR, err);
		return -1;
	}
	sb->vm.warm = c->warm != 0;
	*sbp = sb;
	say(res, SVM_SANDBOX_EXITED, "");
	return 0;
}

int svm_sandbox_create(const struct svm_sandbox_config *cfg, const char *path,
    int argc, char *const argv[], struct svm_sandbox **sbp,
    struct svm_sandbox_result *res)
{
	return create(cfg, path, NULL, 0, argc, argv, sbp, res);
}

int svm_sandbox_create_image(const struct svm_sandbox_config *cfg,
    const void *image, size_t len, int argc, char *const argv[],
    struct svm_sandbox **sbp, struct svm_sandbox_result *res)
{
	return create(cfg, NULL, image, len, argc, argv, sbp, res);
}

/* Bind the sandbox to the calling thread for signals and the timeout. */
static int start(struct svm_sandbox *sb, struct svm_sandbox_result *res)
{
	char err[SVM_ERR_LEN];

	if (vm_start_limits(&sb->vm, err, sizeof(err)) < 0) {
		say(res, SVM_SANDBOX_MONITOR_ERROR, err);
		return -1;
	}
	return 0;
}

/* The one start of the app a sandbox gets, run or serve. */
static int first_start(struct svm_sandbox *sb, struct svm_sandbox_result *res)
{
	if (sb->used) {
		say(res, SVM_SANDBOX_BAD_CONFIG, "the sandbox has already run");
		return -1;
	}
	if (start(sb, res) < 0)
		return -1;
	sb->used = true;
	return 0;
}

int svm_sandbox_run(struct svm_sandbox *sb, struct svm_sandbox_result *res)
{
	if (first_start(sb, res) < 0)
		return -1;
	if (vm_arm_timeout(&sb->vm) == 0)
		sb->vm.be->run(&sb->vm);
	vm_disarm_timeout(&sb->vm);
	result(&sb->vm, res);
	return 0;
}

int svm_sandbox_serve(struct svm_sandbox *sb, struct svm_sandbox_result *res)
{
	int rc = -1;

	/* Taking the snapshot needs memory, mincore and KVM's dirty log. */
	if (locked) {
		say(res, SVM_SANDBOX_BAD_CONFIG, locked_msg);
		return -1;
	}
	if (first_start(sb, res) < 0)
		return -1;
	if (vm_arm_timeout(&sb->vm) == 0)
		rc = vm_serve_start(&sb->vm, sb->vm.warm);
	vm_disarm_timeout(&sb->vm);
	if (rc < 0) {
		result(&sb->vm, res);
		if (sb->vm.end == SVM_END_EXIT)
			snprintf(res->message, sizeof(res->message),
			    "the program exited before it was ready for calls");
		return -1;
	}
	say(res, SVM_SANDBOX_ANSWERED, "");
	return 0;
}

int svm_sandbox_call(struct svm_sandbox *sb, const void *in, size_t in_len,
    void *out, size_t out_cap, struct svm_sandbox_result *res)
{
	size_t out_len;
	int status, rc;

	if (!sb->vm.serving) {
		say(res, SVM_SANDBOX_BAD_CONFIG, "the sandbox is not serving");
		return -1;
	}
	if (start(sb, res) < 0)
		return -1;
	rc = vm_call(&sb->vm, in, in_len, out, out_cap, &out_len, &status);
	if (rc < 0) {
		result(&sb->vm, res);
		return -1;
	}
	if (rc > 0) {
		result(&sb->vm, res);
		return 0;
	}
	say(res, SVM_SANDBOX_ANSWERED, "");
	res->status = status;
	res->out_len = out_len;
	return 0;
}

int svm_sandbox_filter(struct svm_sandbox *sb, struct sock_fprog *prog,
    struct svm_sandbox_result *res)
{
	const size_t cap = 512;
	struct sock_filter *bpf = malloc(cap * sizeof(*bpf));
	char err[SVM_ERR_LEN] = "out of memory";
	ssize_t n = -1;

	if (locked) {
		free(bpf);
		say(res, SVM_SANDBOX_BAD_CONFIG, locked_msg);
		return -1;
	}
	if (bpf == NULL ||
	    (n = seccomp_export(&sb->vm, bpf, cap, err, sizeof(err))) < 0) {
		free(bpf);
		say(res, SVM_SANDBOX_MONITOR_ERROR, err);
		return -1;
	}
	prog->len = (unsigned short)n;
	prog->filter = bpf;
	return 0;
}

int svm_sandbox_lockdown(struct svm_sandbox *sb, struct svm_sandbox_result *res)
{
	char err[SVM_ERR_LEN];

	/* The timer and the mincore vector must exist before the filter. */
	if (start(sb, res) < 0)
		return -1;
	if (seccomp_lockdown(&sb->vm, err, sizeof(err)) < 0) {
		say(res, SVM_SANDBOX_MONITOR_ERROR, err);
		return -1;
	}
	/* The filter does not allow the wipe, and the thread is the pool's. */
	sb->vm.recycle = 0;
	locked = true;
	return 0;
}

void svm_sandbox_destroy(struct svm_sandbox *sb)
{
	/*
	 * Locked down, munmap and close would kill the process: leave it
	 * all to the process's exit, which is all this thread can do now.
	 */
	if (sb == NULL || locked)
		return;
	vm_destroy(&sb->vm);
	free(sb);
}

void svm_sandbox_drain(void)
{
	if (!locked)
		pool_drain();
}

const char *svm_sandbox_kind_name(enum svm_sandbox_kind kind)
{
	static const char *const names[] = {
		[SVM_SANDBOX_EXITED] = "exited",
		[SVM_SANDBOX_ANSWERED] = "answered",
		[SVM_SANDBOX_FAULT] = "fault",
		[SVM_SANDBOX_TRIPLE_FAULT] = "triple fault",
		[SVM_SANDBOX_GUEST_ERROR] = "guest error",
		[SVM_SANDBOX_TIMEOUT] = "timeout",
		[SVM_SANDBOX_OUTPUT_LIMIT] = "output limit",
		[SVM_SANDBOX_BAD_APP] = "bad app",
		[SVM_SANDBOX_BAD_CONFIG] = "bad config",
		[SVM_SANDBOX_MONITOR_ERROR] = "monitor error",
	};

	return (unsigned)kind < sizeof(names) / sizeof(names[0]) ? names[kind] :
	                                                           "?";
}
