/* fn: the README's "Writing a program" function, built by svm-cc. */
#include <stdio.h>
#include <string.h>
#include <svm.h>

static int handle(const void *in, size_t in_len, void *out, size_t out_cap,
    size_t *out_len)
{
	int n = snprintf(out, out_cap, "%zu bytes: %.*s", in_len, (int)in_len,
	    (const char *)in);

	*out_len = (size_t)n < out_cap ? (size_t)n : out_cap;
	return 0;
}

int main(void)
{
	svm_serve(handle, 4096, 4096);
}
