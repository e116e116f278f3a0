/*
 * hostile: one misbehaviour per argument, each of which the monitor must end
 * with its documented status and one line: privileged instructions, the
 * monitor's own tables, memory outside the guest, bad port I/O, and hypercall
 * arguments at and past the edges of guest memory.
 */
#include <stdio.h>
#include <string.h>
#include <svm.h>
#include <sys/sysinfo.h>

static void out32(unsigned port, uint64_t v)
{
	__asm__ volatile("outl %0, %w1"
	                 :
	                 : "a"((uint32_t)v), "Nd"(port)
	                 : "memory");
}

static void hc_write(uint64_t arg)
{
	out32(SVM_HC_PORT_BASE + SVM_HC_WRITE, arg);
}

/* The populate hint for [addr, addr + len), relative to the mmap area's end. */
static void populate(uint64_t addr, uint64_t len)
{
	static struct svm_hc_populate a;

	a = (struct svm_hc_populate) { addr, len };
	out32(SVM_HC_PORT_BASE + SVM_HC_POPULATE, (uintptr_t)&a);
}

int main(int argc, char **argv)
{
	struct sysinfo si;
	uint64_t mem = sysinfo(&si) == 0 ? si.totalram : 0;
	/* The write hypercall's struct, placed where each case needs it. */
	static struct svm_hc_write w;
	volatile uint8_t *p;
	const char *c = argc > 1 ? argv[1] : "";

	if (strcmp(c, "cli") == 0) {
		__asm__ volatile("cli");
	} else if (strcmp(c, "hlt") == 0) {
		__asm__ volatile("hlt");
	} else if (strcmp(c, "cr3") == 0) {
		__asm__ volatile("mov %0, %%cr3" : : "r"(0xdead000ull));
	} else if (strcmp(c, "lidt") == 0) {
		static const uint8_t zero[10];
		__asm__ volatile("lidt %0" : : "m"(zero));
	} else if (strcmp(c, "pagetables") == 0) {
		p = (volatile uint8_t *)0x9000; /* the PML4: never mapped */
		*p = 0xff;
	} else if (strcmp(c, "idt") == 0) {
		p = (volatile uint8_t *)0x3000; /* kernel-only page */
		*p = 0;
	} else if (strcmp(c, "bootinfo") == 0) {
		p = (volatile uint8_t *)0x5000; /* the boot info: user RO */
		*p = 0;
	} else if (strcmp(c, "mmio-load") == 0) {
		p = (volatile uint8_t *)(uintptr_t)(mem + 0x100000);
		return *p;
	} else if (strcmp(c, "mmio-store") == 0) {
		p = (volatile uint8_t *)0xfee00000; /* where an APIC would be */
		*p = 1;
	} else if (strcmp(c, "port-unknown") == 0) {
		out32(0x80, 0);
	} else if (strcmp(c, "port-in") == 0) {
		uint32_t v;
		__asm__ volatile("inl %w1, %0"
		                 : "=a"(v)
		                 : "Nd"(SVM_HC_PORT_BASE));
		return (int)v;
	} else if (strcmp(c, "port-width") == 0) {
		__asm__ volatile("outb %b0, %w1"
		                 :
		                 : "a"(0), "Nd"(SVM_HC_PORT_BASE));
	} else if (strcmp(c, "rep-outs") == 0) {
		static const uint32_t src[4];
		const uint32_t *s = src;
		uint64_t n = 4;
		__asm__ volatile("rep outsl"
		                 : "+S"(s), "+c"(n)
		                 : "d"(SVM_HC_PORT_BASE + SVM_HC_NOP)
		                 : "memory");
	} else if (strcmp(c, "hc-last-byte") == 0) {
		hc_write(mem - 1); /* the struct starts at the last byte */
	} else if (strcmp(c, "hc-beyond") == 0) {
		hc_write(0xfffffff0); /* the struct is past the end */
	} else if (strcmp(c, "hc-size-max") == 0) {
		w = (struct svm_hc_write) { (uintptr_t) "x", UINT64_MAX, 1, 0 };
		hc_write((uintptr_t)&w);
	} else if (strcmp(c, "hc-wrap") == 0) {
		w = (struct svm_hc_write) { mem - 16, UINT64_MAX - mem + 32, 1,
			0 };
		hc_write((uintptr_t)&w);
	} else if (strcmp(c, "hc-len0-end") == 0) {
		w = (struct svm_hc_write) { mem, 0, 1, -1 };
		hc_write((uintptr_t)&w);
		printf("empty write at the end of memory: %d\n", w.ret);
		return 0;
	} else if (strcmp(c, "hc-bad-fd") == 0) {
		w = (struct svm_hc_write) { (uintptr_t) "x", 1, 3, 0 };
		hc_write((uintptr_t)&w);
	} else if (strcmp(c, "hc-struct-in-rodata") == 0) {
		/* Read-only: the write happens, its result cannot come back. */
		static const struct svm_hc_write ro = { 0x100000, 0, 1, 0 };
		hc_write((uintptr_t)&ro);
	} else if (strncmp(c, "populate-", 9) == 0) {
		/* The boot info (0x5000, user RO) says where the area is. */
		const struct svm_bootinfo *bi = (const void *)0x5000;
		uint64_t lo = (bi->brk_start + 4095) & ~4095ull,
		         end = bi->mmap_end;

		if (strcmp(c, "populate-ok") == 0) {
			populate(end - 65536, 65536);
			populate(lo, 4096);
			printf("populate: the area's both ends are fine\n");
			return 0;
		} else if (strcmp(c, "populate-below") == 0) {
			populate(lo - 4096, 8192);
		} else if (strcmp(c, "populate-guard") == 0) {
			populate(end, 4096); /* the page below the stack */
		} else if (strcmp(c, "populate-unaligned") == 0) {
			populate(end - 8192 + 1, 4096);
		} else if (strcmp(c, "populate-wrap") == 0) {
			populate(end - 4096, UINT64_MAX - 4095);
		} else if (strcmp(c, "populate-empty") == 0) {
			populate(end - 4096, 0);
		}
	} else if (strcmp(c, "random-too-long") == 0) {
		static uint8_t buf[512];
		struct svm_hc_random r = { (uintptr_t)buf, sizeof(buf), 0 };
		out32(SVM_HC_PORT_BASE + SVM_HC_RANDOM, (uintptr_t)&r);
	} else {
		printf("hostile: unknown case '%s'\n", c);
		return 2;
	}
	printf("hostile: %s did not end the run\n", c);
	return 1;
}
