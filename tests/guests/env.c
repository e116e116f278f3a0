/* env: time advances and looks like a real date; random bytes differ. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv, char **envp)
{
	unsigned char r1[300], r2[300];
	int n = 0;
	uint64_t t0 = mono_ns(), t1;
	time_t now = time(NULL);
	char *p = malloc(100000);

	if (argc == 2 && strcmp(argv[1], "env") == 0) {
		while (envp[n] != NULL)
			n++;
		printf("A=%s B=%s n %d\n", getenv("A") ? getenv("A") : "(none)",
		    getenv("B") ? getenv("B") : "(none)", n);
		return 0;
	}
	/* 2020-01-01 .. 2100-01-01: the clock came from the host. */
	if (now < 1577836800 || now > 4102444800) {
		printf("bad time %lld\n", (long long)now);
		return 1;
	}
	if (getrandom(r1, 200, 0) != 200 ||
	    getrandom(r2, sizeof(r2), 0) != sizeof(r2) ||
	    memcmp(r1, r2, 200) == 0) {
		printf("bad random\n");
		return 1;
	}
	if (p == NULL) {
		printf("malloc failed\n");
		return 1;
	}
	memset(p, 1, 100000);
	free(p);
	while ((t1 = mono_ns()) == t0)
		;
	printf("argc %d argv[1] %s time ok random ok malloc ok\n", argc,
	    argc > 1 ? argv[1] : "(none)");
	return 7;
}
