/* flood: writes output forever; --max-output or a closed pipe must end it. */
#include <stdio.h>

int main(void)
{
	static char line[4096];
	int i;

	for (i = 0; i < (int)sizeof(line) - 1; i++)
		line[i] = 'a' + i % 26;
	line[sizeof(line) - 2] = '\n';
	for (;;)
		fputs(line, stdout);
}
