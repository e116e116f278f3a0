/*
 * compute: CPU-bound floating point (a Mandelbrot set count on an N x N grid,
 * default 600), printing the count; the benchmark runs it in the guest and
 * natively.
 */
#include <stdio.h>
#include <stdlib.h>

static long mandelbrot(int n, int max_iter)
{
	long inside = 0;
	int x, y, i;

	for (y = 0; y < n; y++) {
		for (x = 0; x < n; x++) {
			double cr = -2.0 + 2.5 * x / n,
			       ci = -1.25 + 2.5 * y / n;
			double zr = 0, zi = 0;

			for (i = 0; i < max_iter && zr * zr + zi * zi <= 4.0;
			     i++) {
				double t = zr * zr - zi * zi + cr;

				zi = 2 * zr * zi + ci;
				zr = t;
			}
			inside += i == max_iter;
		}
	}
	return inside;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 600;

	if (n <= 0 || n > 100000) {
		fprintf(stderr, "compute: bad size\n");
		return 2;
	}
	printf("mandelbrot %d: %ld points inside\n", n, mandelbrot(n, 256));
	return 0;
}
