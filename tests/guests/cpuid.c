/*
 * cpuid: prints what CPUID says to this program: the vendor leaf, the
 * feature leaves 1, 7 and 0x80000001, and leaf 1's hypervisor bit. The
 * tests run it natively and in the guest to see whose CPUID the guest gets.
 * Leaf 1's EBX bits 31:24 are the initial APIC ID of whichever CPU runs it:
 * masked, so that two runs compare.
 */
#include <stdint.h>
#include <stdio.h>

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
	                 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
	                 : "a"(leaf), "c"(sub));
}

static void show(uint32_t leaf, uint32_t ebx_mask)
{
	uint32_t r[4];

	cpuid(leaf, 0, r);
	printf("%#x: %08x %08x %08x %08x\n", leaf, r[0], r[1] & ebx_mask, r[2],
	    r[3]);
}

int main(void)
{
	uint32_t r[4];

	show(0, ~0u);
	show(1, 0x00ffffff);
	show(7, ~0u);
	show(0x80000001, ~0u);
	cpuid(1, 0, r);
	printf("hypervisor bit %u\n", r[2] >> 31);
	return 0;
}
