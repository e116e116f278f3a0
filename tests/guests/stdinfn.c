/*
 * stdinfn: an ordinary program, served as a function by its stdin: it sets
 * up (counts its start), then reads all of stdin and prints it upper-cased
 * with its length. "exit N" exits N, "fault" faults.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int starts;

int main(void)
{
	static char buf[1 << 20];
	size_t n = 0, r, i;

	starts++; /* set up before the first read: 1 in every call */
	while ((r = fread(buf + n, 1, sizeof(buf) - 1 - n, stdin)) > 0)
		n += r;
	buf[n] = '\0';
	if (strcmp(buf, "fault") == 0)
		*(volatile int *)0 = 1;
	for (i = 0; i < n; i++)
		buf[i] = (char)toupper((unsigned char)buf[i]);
	if (strncmp(buf, "EXIT ", 5) == 0) {
		fputs(buf, stdout);
		return atoi(buf + 5);
	}
	printf("%s %zu starts %d", buf, n, starts);
	return 0;
}
