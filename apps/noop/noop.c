/* noop: a function that answers every call with nothing; the benchmark's. */
#include <svm.h>

static int noop(const void *in, size_t in_len, void *out, size_t out_cap,
    size_t *out_len)
{
	(void)in, (void)in_len, (void)out, (void)out_cap;
	*out_len = 0;
	return 0;
}

int main(void)
{
	svm_serve(noop, 4096, 4096);
}
