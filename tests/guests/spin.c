/* spin: loops forever without a single exit; only --timeout or a signal ends
 * it. */
int main(void)
{
	for (;;)
		__asm__ volatile("");
}
