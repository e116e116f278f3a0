/* div0: divides by zero; the monitor must report #DE. */
#include <stdio.h>

int main(void)
{
	volatile int zero = 0;

	printf("about to divide by zero\n");
	return 10 / zero;
}
