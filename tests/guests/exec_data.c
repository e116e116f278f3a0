/* exec_data: jumps into a data buffer; data is not executable, so #PF. */
static unsigned char code[16] = { 0xc3 }; /* ret */

int main(void)
{
	void (*volatile f)(void) = (void (*)(void))(void *)code;

	f();
	return 0;
}
