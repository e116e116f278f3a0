/* null: reads through a NULL pointer; page 0 is not mapped, so #PF at 0. */
int main(void)
{
	volatile int *volatile p = 0;

	return *p;
}
