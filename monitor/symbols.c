/*
 * symbols.c: the function symbols of the program and of the guest kernel,
 * read from their ELF symbol tables before the guest runs, so that a fault
 * line can say where: "at rip 0x401f74 (cos+0x24)".
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"

struct sym {
	uint64_t addr, size;
	uint32_t name; /* offset into the names */
};

struct symtab {
	struct sym *syms;
	size_t count;
	char *names;
};

/* Whether [off, off + size) lies in a file of len bytes. */
static bool inside(uint64_t off, uint64_t size, size_t len)
{
	uint64_t end;

	return !__builtin_add_overflow(off, size, &end) && end <= len;
}

static int by_addr(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

struct symtab *symtab_read(const uint8_t *file, size_t len, uint64_t bias)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)file;
	const Elf64_Shdr *sh, *symsh = NULL, *strsh;
	const Elf64_Sym *in;
	struct symtab *t;
	size_t i, n;

	/* elf_parse() checked the header; the section table is unchecked. */
	if (len < sizeof(*eh) || eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    eh->e_shnum == 0 ||
	    !inside(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(*sh), len))
		return NULL;
	sh = (const Elf64_Shdr *)(file + eh->e_shoff);
	for (i = 0; i < eh->e_shnum; i++)
		if (sh[i].sh_type == SHT_SYMTAB)
			symsh = &sh[i];
	if (symsh == NULL || symsh->sh_link >= eh->e_shnum ||
	    symsh->sh_entsize != sizeof(Elf64_Sym) ||
	    !inside(symsh->sh_offset, symsh->sh_size, len))
		return NULL;
	strsh = &sh[symsh->sh_link];
	if (strsh->sh_type != SHT_STRTAB ||
	    !inside(strsh->sh_offset, strsh->sh_size, len) ||
	    strsh->sh_size == 0)
		return NULL;
	in = (const Elf64_Sym *)(file + symsh->sh_offset);
	n = symsh->sh_size / sizeof(*in);
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->syms = calloc(n ? n : 1, sizeof(*t->syms))) == NULL ||
	    (t->names = malloc(strsh->sh_size)) == NULL) {
		symtab_free(t);
		return NULL;
	}
	/* The string table whole, its last byte forced to end a name. */
	memcpy(t->names, file + strsh->sh_offset, strsh->sh_size);
	t->names[strsh->sh_size - 1] = '\0';
	for (i = 0; i < n; i++) {
		if (ELF64_ST_TYPE(in[i].st_info) != STT_FUNC ||
		    in[i].st_size == 0 || in[i].st_name >= strsh->sh_size)
			continue;
		t->syms[t->count++] = (struct sym) { in[i].st_value + bias,
			in[i].st_size, in[i].st_name };
	}
	qsort(t->syms, t->count, sizeof(*t->syms), by_addr);
	return t;
}

int symtab_name(const struct symtab *t, uint64_t addr, char *buf, size_t len)
{
	size_t lo = 0, hi;

	if (t == NULL || t->count == 0)
		return -1;
	/* The last symbol that starts at or below addr. */
	hi = t->count;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (addr < t->syms[lo].addr ||
	    addr - t->syms[lo].addr >= t->syms[lo].size)
		return -1;
	snprintf(buf, len, "%s+%#llx", t->names + t->syms[lo].name,
	    (unsigned long long)(addr - t->syms[lo].addr));
	return 0;
}

void symtab_free(struct symtab *t)
{
	if (t == NULL)
		return;
	free(t->syms);
	free(t->names);
	free(t);
}
