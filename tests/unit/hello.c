/* hello.c: a plain C program, for elf_test to load as the toolchains build it.
 */
#include <stdio.h>

int main(void)
{
	puts("hello");
	return 0;
}
