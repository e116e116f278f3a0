/* float: SSE and x87 arithmetic work in the app (they run natively at CPL 3).
 */
#include <stdio.h>

int main(void)
{
	volatile double a = 1.5, b = 2.25;
	volatile long double x = 3.0L;
	double s = 0;
	int i;

	for (i = 1; i <= 1000; i++)
		s += 1.0 / ((double)i * i);
	x = x * x / 4.0L;
	printf("sse %.4f x87 %.4f basel %.6f\n", a * b, (double)x, s);
	return 0;
}
