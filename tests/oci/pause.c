/* pause.c: the pod sandbox's program for the CRI tests: waits for SIGTERM or
 * SIGINT, then exits 0, as Kubernetes' pause does. */
#include <signal.h>
#include <unistd.h>

static void stop(int sig)
{
	(void)sig;
	_exit(0);
}

int main(void)
{
	signal(SIGTERM, stop);
	signal(SIGINT, stop);
	for (;;)
		pause();
}
