/* svm_sandbox.h: the public C API of libsvm-sandbox, for runners that embed it.
 */
#ifndef SVM_SANDBOX_H
#define SVM_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any incompatible change of this header. */
#define SVM_SANDBOX_API_VERSION 2

struct svm_sandbox; /* opaque: one VM with one vCPU */
struct sock_fprog;  /* <linux/filter.h> */

enum svm_sandbox_backend {
	SVM_SANDBOX_KVM,  /* /dev/kvm */
	SVM_SANDBOX_SVMK, /* /dev/svmk, the project's own module */
};

enum svm_sandbox_paging {
	SVM_SANDBOX_PAGING_DEFAULT,
	SVM_SANDBOX_PAGING_TDP,    /* svmk: nested paging */
	SVM_SANDBOX_PAGING_SHADOW, /* svmk: shadow paging */
};

/* Fill with svm_sandbox_config_init(), then change what you need. */
struct svm_sandbox_config {
	uint64_t mem_size;   /* bytes, a multiple of 2 MiB, 2 MiB to 1 GiB */
	uint64_t timeout_ms; /* per run or per call; 0: none */
	uint64_t
	    max_output; /* bytes the app may write to fds 1 and 2; 0: none */
	enum svm_sandbox_backend backend;
	enum svm_sandbox_paging paging;
	int stdin_fd;  /* the app's input (read hypercall) */
	int stdout_fd; /* the app's fd 1 */
	int stderr_fd; /* the app's fd 2 */
	int warm;      /* function mode: no reset between calls */
	/*
	 * KVM: svm_sandbox_destroy parks up to this many VMs, wiped, for the
	 * same thread's next svm_sandbox_create with the same backend, paging
	 * and mem_size (see svm_sandbox(3)); 0: every sandbox gets a new VM.
	 */
	unsigned recycle;
	/*
	 * The program's world (API 2; svm-sandbox(1)'s --root, --file, --env,
	 * --cwd): root, a host directory copied into guest memory as its
	 * read-only "/" (NULL: an empty one); files, nfiles
	 * "HOSTPATH:GUESTPATH" added to it; env, nenv "NAME=VALUE" strings (its
	 * whole environment); cwd, its working directory (NULL: "/"). All read
	 * at create.
	 */
	const char *root;
	const char *const *files;
	int nfiles;
	const char *const *env;
	int nenv;
	const char *cwd;
};

/* How a run or a call ended. */
enum svm_sandbox_kind {
	SVM_SANDBOX_EXITED,   /* the app exited: status */
	SVM_SANDBOX_ANSWERED, /* a call's handler answered: status, out_len */
	SVM_SANDBOX_FAULT,    /* a CPU exception: fault */
	SVM_SANDBOX_TRIPLE_FAULT,  /* the guest shut down */
	SVM_SANDBOX_GUEST_ERROR,   /* the guest broke the ABI */
	SVM_SANDBOX_TIMEOUT,       /* timeout_ms passed */
	SVM_SANDBOX_OUTPUT_LIMIT,  /* more output than max_output or out_cap */
	SVM_SANDBOX_BAD_APP,       /* the app image was refused */
	SVM_SANDBOX_BAD_CONFIG,    /* the config or a call was wrong */
	SVM_SANDBOX_MONITOR_ERROR, /* the host failed (no /dev/kvm, ENOMEM...)
	                            */
};

struct svm_sandbox_result {
	enum svm_sandbox_kind kind;
	int status; /* EXITED: the app's exit status; ANSWERED: the handler's */
	size_t out_len; /* ANSWERED: the answer's length */
	struct {
		uint64_t vector, error_code, rip, address;
	} fault;           /* FAULT */
	char message[256]; /* one line saying what happened; "" for EXITED,
	                      ANSWERED */
};

/* Defaults: 32 MiB, no limits, KVM, fds 0, 1 and 2. */
void svm_sandbox_config_init(struct svm_sandbox_config *cfg);

/*
 * Create a sandbox for the app at path (or the image of len bytes at image),
 * with argv[0..argc) as its arguments. Returns 0 and *sbp, or -1 with res
 * saying why (BAD_APP, BAD_CONFIG, MONITOR_ERROR).
 */
int svm_sandbox_create(const struct svm_sandbox_config *cfg, const char *path,
    int argc, char *const argv[], struct svm_sandbox **sbp,
    struct svm_sandbox_result *res);
int svm_sandbox_create_image(const struct svm_sandbox_config *cfg,
    const void *image, size_t len, int argc, char *const argv[],
    struct svm_sandbox **sbp, struct svm_sandbox_result *res);

/*
 * Run the app to its end. Returns 0 with res saying how it ended, or -1 if
 * the sandbox cannot run (already run, or serving calls).
 */
int svm_sandbox_run(struct svm_sandbox *sb, struct svm_sandbox_result *res);

/*
 * Function mode. svm_sandbox_serve runs the app until it is ready for calls
 * (svm_serve() in guestlib) and keeps a snapshot: 0, or -1 with res saying
 * how the app ended instead. svm_sandbox_call then copies in_len bytes of
 * input into the app, runs its handler and copies up to out_cap bytes of
 * the answer to out; res->kind is ANSWERED, or how the call failed (the next
 * call still starts from the snapshot). It returns 0, or -1 when the sandbox
 * is no longer usable.
 */
int svm_sandbox_serve(struct svm_sandbox *sb, struct svm_sandbox_result *res);
int svm_sandbox_call(struct svm_sandbox *sb, const void *in, size_t in_len,
    void *out, size_t out_cap, struct svm_sandbox_result *res);

/*
 * Seccomp. svm_sandbox_filter builds the filter that allows exactly what
 * running this sandbox needs, as classic BPF: *prog's filter is malloc'd and
 * the caller frees it. svm_sandbox_lockdown installs it on the calling thread
 * only (no TSYNC): run each sandbox on a thread of its own; create it, serve
 * it (function mode), lock that thread down, then run or call. On a locked
 * thread create, serve and filter fail with BAD_CONFIG, and destroy and
 * drain free nothing (the filter allows no munmap): the memory goes with the
 * process. Both return 0 or -1 with res.
 */
int svm_sandbox_filter(struct svm_sandbox *sb, struct sock_fprog *prog,
    struct svm_sandbox_result *res);
int svm_sandbox_lockdown(struct svm_sandbox *sb,
    struct svm_sandbox_result *res);

/* Free everything the sandbox holds (or park its VM: recycle); NULL is fine.
 */
void svm_sandbox_destroy(struct svm_sandbox *sb);

/* Free the VMs parked for the calling thread (also done when it exits). */
void svm_sandbox_drain(void);

/* A short name for kind, e.g. "fault". */
const char *svm_sandbox_kind_name(enum svm_sandbox_kind kind);

#ifdef __cplusplus
}
#endif

#endif
