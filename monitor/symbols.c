/*
 * symbols.c: the function symbols of the program and of the guest kernel,
 * so that a fault line can say where: "at rip 0x401f74 (cos+0x24)".
 *
 * A fault happens at most once a run and every run pays for the table, so
 * the table is made cheaply and searched slowly: the program's function
 * symbols are copied, unsorted, into one allocation before the guest runs
 * (its file is freed then), the built-in kernel's are read where they lie,
 * and a lookup scans them all. Sorting them cost about 120 us of each start
 * here, a tenth of what the monitor adds to hello.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"

struct symtab {
	const Elf64_Sym *syms;
	size_t count;
	const char *names;
	size_t names_len; /* its last byte is '\0' */
	uint64_t bias;
};

/* Whether [off, off + size) lies in a file of len bytes. */
static bool inside(uint64_t off, uint64_t size, size_t len)
{
	uint64_t end;

	return !__builtin_add_overflow(off, size, &end) && end <= len;
}

static bool is_function(const Elf64_Sym *s, size_t names_len)
{
	return ELF64_ST_TYPE(s->st_info) == STT_FUNC && s->st_size != 0 &&
	    s->st_name < names_len;
}

/* The symbol and string tables of an ELF image, checked; -1 if none. */
static int find_tables(const uint8_t *file, size_t len, struct symtab *t)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)file;
	const Elf64_Shdr *sh, *symsh = NULL, *strsh;
	size_t i;

	/* elf_parse() checked the header; the section table is unchecked. */
	if (len < sizeof(*eh) || eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    eh->e_shnum == 0 ||
	    !inside(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(*sh), len))
		return -1;
	sh = (const Elf64_Shdr *)(file + eh->e_shoff);
	for (i = 0; i < eh->e_shnum; i++)
		if (sh[i].sh_type == SHT_SYMTAB)
			symsh = &sh[i];
	if (symsh == NULL || symsh->sh_link >= eh->e_shnum ||
	    symsh->sh_entsize != sizeof(Elf64_Sym) ||
	    symsh->sh_offset % _Alignof(Elf64_Sym) != 0 ||
	    !inside(symsh->sh_offset, symsh->sh_size, len))
		return -1;
	strsh = &sh[symsh->sh_link];
	if (strsh->sh_type != SHT_STRTAB ||
	    !inside(strsh->sh_offset, strsh->sh_size, len) ||
	    strsh->sh_size == 0 || file[strsh->sh_offset + strsh->sh_size - 1])
		return -1;
	t->syms = (const Elf64_Sym *)(file + symsh->sh_offset);
	t->count = symsh->sh_size / sizeof(Elf64_Sym);
	t->names = (const char *)(file + strsh->sh_offset);
	t->names_len = strsh->sh_size;
	return 0;
}

struct symtab *symtab_view(const uint8_t *file, size_t len, uint64_t bias)
{
	struct symtab *t = calloc(1, sizeof(*t));

	if (t != NULL && find_tables(file, len, t) < 0) {
		free(t);
		return NULL;
	}
	if (t != NULL)
		t->bias = bias;
	return t;
}

struct symtab *symtab_read(const uint8_t *file, size_t len, uint64_t bias)
{
	struct symtab in, *t;
	Elf64_Sym *out;
	size_t i, n = 0;
	char *names;

	if (find_tables(file, len, &in) < 0)
		return NULL;
	for (i = 0; i < in.count; i++)
		n += is_function(&in.syms[i], in.names_len);
	/* The table, the function symbols, the names: one allocation. */
	if ((t = malloc(sizeof(*t) + n * sizeof(*out) + in.names_len)) == NULL)
		return NULL;
	out = (Elf64_Sym *)(t + 1);
	names = (char *)(out + n);
	for (i = 0, n = 0; i < in.count; i++)
		if (is_function(&in.syms[i], in.names_len))
			out[n++] = in.syms[i];
	memcpy(names, in.names, in.names_len);
	*t = (struct symtab) { out, n, names, in.names_len, bias };
	return t;
}

int symtab_name(const struct symtab *t, uint64_t addr, char *buf, size_t len)
{
	const Elf64_Sym *s;
	uint64_t start;
	size_t i;

	if (t == NULL)
		return -1;
	for (i = 0; i < t->count; i++) {
		s = &t->syms[i];
		start = s->st_value + t->bias;
		if (!is_function(s, t->names_len) || addr < start ||
		    addr - start >= s->st_size)
			continue;
		snprintf(buf, len, "%s+%#llx", t->names + s->st_name,
		    (unsigned long long)(addr - start));
		return 0;
	}
	return -1;
}

void symtab_free(struct symtab *t)
{
	free(t);
}
