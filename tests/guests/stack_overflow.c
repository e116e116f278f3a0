/* stack_overflow: recurses into the guard page below the stack. */
static volatile int forever = 1;

static int down(volatile char *prev)
{
	volatile char frame[4096];

	frame[0] = prev ? prev[0] : 1;
	return forever ? down(frame) + frame[1] : 0;
}

int main(void)
{
	return down(0);
}
