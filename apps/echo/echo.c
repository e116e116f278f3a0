/* echo: prints its arguments on one line, then copies its input to its output.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
	static char buf[65536];
	size_t n;
	int i;

	for (i = 1; i < argc; i++)
		printf("%s%s", argv[i], i + 1 < argc ? " " : "\n");
	fflush(stdout);
	/* Big reads and writes: one hypercall moves up to 64 KiB. */
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		if (fwrite(buf, 1, n, stdout) != n)
			return 1;
	return 0;
}
