/*
 * read_into_text: asks the monitor to read input into its own code. The
 * monitor must refuse (guest error) rather than patch read-only text.
 */
#include <svm.h>

int main(void)
{
	return (int)svm_hc_read((void *)main, 16);
}
