/* stdlib.h: allocation (malloc.c), exit, number parsing, sorting (stdlib.c). */
#ifndef _STDLIB_H
#define _STDLIB_H

#include <stddef.h>

#define EXIT_SUCCESS 0
#define EXIT_FAILURE 1
#define RAND_MAX 0x7fffffff

void *malloc(size_t n);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t n);
void free(void *p);

/* Flushes stdout and stderr, then ends the run with status & 0xff. */
_Noreturn void exit(int status);
/* Writes "abort" to stderr and exits with status 134; stdout is not flushed. */
_Noreturn void abort(void);

int atoi(const char *s);
long atol(const char *s);
long strtol(const char *restrict s, char **restrict end, int base);
long long strtoll(const char *restrict s, char **restrict end, int base);
unsigned long strtoul(const char *restrict s, char **restrict end, int base);
unsigned long long strtoull(const char *restrict s, char **restrict end,
    int base);

int abs(int x);
long labs(long x);
long long llabs(long long x);

void qsort(void *base, size_t n, size_t size,
    int (*cmp)(const void *, const void *));

/* At most 256 bytes per call, as in POSIX. */
int getentropy(void *buf, size_t len);
int rand(void);
void srand(unsigned seed);

/* For the start code: hands [start, end) to malloc; call once before main. */
void __svm_heap_init(void *start, void *end);

#endif
