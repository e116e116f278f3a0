/* write_text: stores into its own code; text is read-only, so #PF. */
int main(void)
{
	volatile unsigned char *p = (volatile unsigned char *)(void *)main;

	*p = 0xc3;
	return 0;
}
