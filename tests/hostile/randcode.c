/*
 * randcode: runs N guests whose code is random bytes (seeded, reproducible)
 * and checks that each run ends with a documented status, within its time
 * limit, with at most one line from the monitor, and that the monitor itself
 * never dies of a signal.
 * Usage: randcode SVM-SANDBOX N SEED [monitor options...]
 */
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TEXT 0x100000
#define CODE_SIZE 4096

static uint64_t rng;

static uint64_t next(void)
{
	/* xorshift64*: small, and the same sequence on every machine */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

/* An app: random text at 1 MiB, a zeroed data page after it. */
static int write_app(const char *path)
{
	struct {
		Elf64_Ehdr eh;
		Elf64_Phdr ph[2];
	} h;
	uint8_t code[CODE_SIZE];
	size_t i;
	FILE *f;

	memset(&h, 0, sizeof(h));
	memcpy(h.eh.e_ident, ELFMAG, SELFMAG);
	h.eh.e_ident[EI_CLASS] = ELFCLASS64;
	h.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	h.eh.e_ident[EI_VERSION] = EV_CURRENT;
	h.eh.e_type = ET_EXEC;
	h.eh.e_machine = EM_X86_64;
	h.eh.e_version = EV_CURRENT;
	h.eh.e_entry = TEXT + next() % 64;
	h.eh.e_phoff = sizeof(Elf64_Ehdr);
	h.eh.e_ehsize = sizeof(Elf64_Ehdr);
	h.eh.e_phentsize = sizeof(Elf64_Phdr);
	h.eh.e_phnum = 2;
	h.ph[0] = (Elf64_Phdr) { .p_type = PT_LOAD,
		.p_flags = PF_R | PF_X,
		.p_offset = 0x1000,
		.p_vaddr = TEXT,
		.p_filesz = CODE_SIZE,
		.p_memsz = CODE_SIZE,
		.p_align = 0x1000 };
	h.ph[1] = (Elf64_Phdr) { .p_type = PT_LOAD,
		.p_flags = PF_R | PF_W,
		.p_offset = 0x1000,
		.p_vaddr = TEXT + 0x1000,
		.p_filesz = 0,
		.p_memsz = 0x1000,
		.p_align = 0x1000 };
	for (i = 0; i < sizeof(code); i += 8) {
		uint64_t r = next();
		memcpy(code + i, &r, 8);
	}
	if ((f = fopen(path, "wb")) == NULL)
		return -1;
	fwrite(&h, sizeof(h), 1, f);
	fseek(f, 0x1000, SEEK_SET);
	fwrite(code, sizeof(code), 1, f);
	return fclose(f);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/randcode.XXXXXX", app[64], errf[64];
	static char *args[64];
	int n = argc > 2 ? atoi(argv[2]) : 0, i, na = 0, bad = 0;
	long counts[256] = { 0 };
	double slowest = 0;

	if (argc < 4 || n < 1) {
		fprintf(stderr,
		    "usage: randcode SVM-SANDBOX N SEED [options...]\n");
		return 2;
	}
	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(app, sizeof(app), "%s/app.bin", dir);
	snprintf(errf, sizeof(errf), "%s/err", dir);
	args[na++] = argv[1];
	args[na++] = "--timeout=100ms";
	for (i = 4; i < argc && na < 60; i++)
		args[na++] = argv[i];
	args[na++] = app;
	args[na] = NULL;
	rng =
	    strtoull(argv[3], NULL, 0) | 1; /* xorshift needs a nonzero state */

	for (i = 0; i < n; i++) {
		uint64_t seed = rng;
		double t0, dt;
		char line[512] = "";
		int st, lines = 0;
		pid_t pid;
		FILE *f;

		if (write_app(app) < 0)
			return 2;
		t0 = now();
		if ((pid = fork()) == 0) {
			int out = open("/dev/null", O_WRONLY);
			int err =
			    open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0600);

			dup2(out, 1);
			dup2(out, 0);
			dup2(err, 2);
			execv(args[0], args);
			_exit(127);
		}
		waitpid(pid, &st, 0);
		dt = now() - t0;
		slowest = dt > slowest ? dt : slowest;
		if ((f = fopen(errf, "r")) != NULL) {
			while (fgets(line, sizeof(line), f) != NULL)
				lines++;
			fclose(f);
		}
		/*
		 * The app may exit with any status it likes; what must never
		 * happen: the monitor killed by a signal (a crash, or its own
		 * filter), a monitor error, a run past its limit, or more than
		 * the monitor's one line (random code cannot write a line of
		 * its own without a working stack and a valid struct, which
		 * it does not set up; if it ever does, the line is shown).
		 */
		if (WIFSIGNALED(st) || WEXITSTATUS(st) == 3 ||
		    WEXITSTATUS(st) == 127 || dt > 2.0 || lines > 1) {
			printf("FAIL guest %d (seed %#llx): %s %d, %.3f s, "
			       "%d lines: %s",
			    i, (unsigned long long)seed,
			    WIFSIGNALED(st) ? "signal" : "status",
			    WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st),
			    dt, lines, line);
			bad++;
		}
		if (WIFEXITED(st))
			counts[WEXITSTATUS(st)]++;
	}
	unlink(app);
	unlink(errf);
	rmdir(dir);
	printf("randcode: %d guests, slowest %.3f s; statuses:", n, slowest);
	for (i = 0; i < 256; i++)
		if (counts[i])
			printf(" %d:%ld", i, counts[i]);
	printf("\n%d passed, %d failed\n", n - bad, bad);
	return bad != 0;
}
