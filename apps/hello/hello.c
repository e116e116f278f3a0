/* hello: prints one line and exits 0. */
#include <stdio.h>

int main(void)
{
	puts("Hello from svm-sandbox!");
	return 0;
}
