/*
 * serve.c: svm-sandbox --serve, the function-mode protocol over a pipe
 * (protocol 2, README "Function mode"; tests/svm_client.py speaks it).
 *
 * From the runner, a request: a 32-bit little-endian length and that many
 * bytes. From the server, frames: a 16-byte header (32-bit length, kind, a,
 * b) and length bytes:
 *   READY  (1)  a = 2, the protocol; b = 1 (the app serves calls through
 *               svm_serve) or 2 (it is served by its stdin); a JSON object
 *               with protocol, app, mode, max_request, max_answer
 *   ANSWER (2)  a = 0 when the call answered, else the exit status for how
 *               it ended (250 fault, 124 timeout...); b = the status (the
 *               handler's or the app's exit status); the answer's bytes
 *   STATS  (4)  after each answer with --call-stats: a JSON object of the
 *               call's figures
 *   END    (3)  a = the server's exit status; one line saying why: the last
 *               frame whenever the server ends but at the end of input
 * Every result but 0, and every END, also gets one line on stderr.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor.h"

#define FRAME_READY 1
#define FRAME_ANSWER 2
#define FRAME_END 3
#define FRAME_STATS 4
#define PROTOCOL 2
#define STDIN_DEFAULT (1u << 20) /* stdin apps: request and answer size */
/* A refused request is drained only up to this; past it, the server ends. */
#define DRAIN_MAX (16u << 20)

/*
 * Read exactly len bytes of a request. Returns 1, 0 at end of input before
 * the first byte, -1 for a frame cut short, 2 when a stop signal came
 * (vm->end says which).
 */
static int read_all(struct svm_vm *vm, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n;

		if (vm_wait(vm, vm->request_fd, POLLIN))
			return 2;
		n = read(vm->request_fd, (char *)buf + done, len - done);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return n == 0 && done == 0 ? 0 : -1;
		done += (size_t)n;
	}
	return 1;
}

/*
 * Write to the runner: 0, -1 on error, 2 when a stop signal came. After a
 * stop signal (the answer to the call it ended, the END frame) it writes
 * without waiting, and a further signal that interrupts the write gives up.
 */
static int write_all(struct svm_vm *vm, const void *buf, size_t len)
{
	bool stopping = vm->stop_signal != 0;
	size_t done = 0;

	while (done < len) {
		ssize_t n;

		if (!stopping && vm_wait(vm, vm->answer_fd, POLLOUT))
			return 2;
		n = write(vm->answer_fd, (const char *)buf + done,
		    len - done < 4096 ? len - done : 4096);
		if (n < 0 && errno == EINTR && stopping)
			return 2;
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

static int frame(struct svm_vm *vm, uint32_t kind, uint32_t a, uint32_t b,
    const void *data, size_t len)
{
	uint32_t hdr[4] = { (uint32_t)len, kind, a, b };
	int rc;

	if ((rc = write_all(vm, hdr, sizeof(hdr))) != 0)
		return rc;
	return write_all(vm, data, len);
}

/* The server ends with status and one line: an END frame and stderr. */
static _Noreturn void end(struct svm_vm *vm, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static _Noreturn void end(struct svm_vm *vm, int status, const char *fmt, ...)
{
	char msg[SVM_ERR_LEN + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(void)frame(vm, FRAME_END, (uint32_t)status, 0, msg, strlen(msg));
	svm_die(status, "%s", msg);
}

/* A wait or a write that a stop signal ended, or that failed: the end. */
static _Noreturn void stopped(struct svm_vm *vm, int rc)
{
	if (rc == 2)
		end(vm, 128 + vm->stop_signal, "%s", vm->err);
	svm_die(SVM_STATUS_MONITOR, "writing to the runner failed");
}

static void send_stats(struct svm_vm *vm, const struct svm_stats *before,
    uint64_t pages_before)
{
	const struct svm_stats *s = &vm->stats;
	uint64_t exits = 0, hcs = 0;
	char json[256];
	unsigned i;
	int n, rc;

	for (i = 0; i < SVM_EXIT_KINDS; i++)
		exits += s->exits[i] - before->exits[i];
	for (i = 0; i < SVM_HC_PORT_COUNT; i++)
		hcs += s->hypercalls[i] - before->hypercalls[i];
	n = snprintf(json, sizeof(json),
	    "{\"guest_us\": %.1f, \"monitor_us\": %.1f, \"exits\": %llu, "
	    "\"hypercalls\": %llu, \"pages_reset\": %llu}",
	    (double)(s->guest_ns - before->guest_ns) / 1e3,
	    (double)(s->monitor_ns - before->monitor_ns) / 1e3,
	    (unsigned long long)exits, (unsigned long long)hcs,
	    (unsigned long long)(vm->pages_reset - pages_before));
	if ((rc = frame(vm, FRAME_STATS, 0, 0, json, (size_t)n)) != 0)
		stopped(vm, rc);
}

int serve_main(struct svm_vm *vm, const struct serve_opts *o)
{
	char err[SVM_ERR_LEN], ready[512];
	const char *app = strrchr(o->app, '/');
	uint64_t max_req, max_ans, pages_before;
	struct svm_stats before;
	uint8_t *in, *out;
	struct svm_call c;
	uint32_t len;
	size_t out_len;
	int status, rc, n;

	app = app ? app + 1 : o->app;
	if (vm_arm_timeout(vm) < 0 || vm_serve_start(vm, o->warm) < 0) {
		if (vm->end == SVM_END_EXIT)
			end(vm, SVM_STATUS_GUEST_ERROR,
			    "the program exited with status %d before it was "
			    "ready "
			    "for calls",
			    vm->app_status & 0xff);
		end(vm, svm_end_status(vm), "%s", vm->err);
	}
	vm_disarm_timeout(vm);
	if (vm->serve_mode == SVM_SERVE_CALLS) {
		/* The app's own buffer sizes, from its ready hypercall. */
		memcpy(&c, vm_gpa(vm, vm->call, sizeof(c)), sizeof(c));
		max_req = c.in_cap;
		max_ans = c.out_cap;
	} else {
		max_req = max_ans = STDIN_DEFAULT;
	}
	if (o->max_request != 0 && o->max_request < max_req)
		max_req = o->max_request;
	if (o->max_answer != 0 &&
	    (vm->serve_mode == SVM_SERVE_STDIN || o->max_answer < max_ans))
		max_ans = o->max_answer;
	/* Allocated before lockdown. */
	if ((in = malloc(max_req + 1)) == NULL ||
	    (out = malloc(max_ans + 1)) == NULL)
		end(vm, SVM_STATUS_MONITOR, "out of memory");
	if (seccomp_lockdown(vm, err, sizeof(err)) < 0)
		end(vm, SVM_STATUS_MONITOR, "%s", err);
	n = snprintf(ready, sizeof(ready),
	    "{\"protocol\": %d, \"app\": \"%.200s\", \"mode\": \"%s\", "
	    "\"max_request\": %llu, \"max_answer\": %llu}",
	    PROTOCOL, app,
	    vm->serve_mode == SVM_SERVE_CALLS ? "calls" : "stdin",
	    (unsigned long long)max_req, (unsigned long long)max_ans);
	if ((rc = frame(vm, FRAME_READY, PROTOCOL, vm->serve_mode, ready,
	         (size_t)n)) != 0)
		stopped(vm, rc);
	for (;;) {
		if ((rc = read_all(vm, &len, sizeof(len))) == 0)
			exit(0);
		if (rc == 2)
			stopped(vm, rc);
		if (rc < 0)
			end(vm, SVM_STATUS_USAGE, "truncated request on stdin");
		if (len > max_req) {
			/* Refused unread; drained only if that is cheap. */
			if (len > DRAIN_MAX)
				end(vm, SVM_STATUS_USAGE,
				    "request of %u bytes is larger than the "
				    "%llu-byte maximum, too large to skip",
				    len, (unsigned long long)max_req);
			while (len > 0) {
				uint32_t k = len < max_req + 1 ?
				    len :
				    (uint32_t)max_req + 1;

				if ((rc = read_all(vm, in, k)) == 2)
					stopped(vm, rc);
				if (rc != 1)
					end(vm, SVM_STATUS_USAGE,
					    "truncated request on stdin");
				len -= k;
			}
			fprintf(stderr,
			    "svm-sandbox: request larger than the %llu-byte "
			    "maximum\n",
			    (unsigned long long)max_req);
			if ((rc = frame(vm, FRAME_ANSWER, SVM_STATUS_USAGE, 0,
			         NULL, 0)) != 0)
				stopped(vm, rc);
			continue;
		}
		/* A length and then the end of input is a cut frame too. */
		if (len > 0 && (rc = read_all(vm, in, len)) != 1) {
			if (rc == 2)
				stopped(vm, rc);
			end(vm, SVM_STATUS_USAGE, "truncated request on stdin");
		}
		before = vm->stats;
		pages_before = vm->pages_reset;
		rc = vm_call(vm, in, len, out, max_ans, &out_len, &status);
		if (rc < 0)
			end(vm, SVM_STATUS_MONITOR, "%s", vm->err);
		if (rc != 0 && vm->end != SVM_END_SIGNAL)
			fprintf(stderr, "svm-sandbox: call: %s\n",
			    vm->end == SVM_END_EXIT ? "the program exited" :
			                              vm->err);
		if ((rc = frame(vm, FRAME_ANSWER,
		         rc == 0 ? 0 : (uint32_t)svm_end_status(vm),
		         rc == 0 ? (uint32_t)status :
		             vm->end == SVM_END_EXIT ?
		                   (uint32_t)vm->app_status & 0xff :
		                   0,
		         out, rc == 0 ? out_len : 0)) != 0)
			stopped(vm, rc);
		/* Off the next call's path, and nothing of this one kept. */
		if (vm_call_reset(vm) != 0)
			end(vm, SVM_STATUS_MONITOR, "%s", vm->err);
		if (o->call_stats)
			send_stats(vm, &before, pages_before);
		/* A stop signal ends the server once the call is answered. */
		if (vm->stop_signal != 0) {
			vm_check_stop(vm);
			stopped(vm, 2);
		}
	}
}
