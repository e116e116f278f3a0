/* stdio.h: minimal streams (stdio.c) and formatted output (printf.c). */
#ifndef _STDIO_H
#define _STDIO_H

#include <stdarg.h>
#include <stddef.h>

/* Opaque; only stdin, stdout and stderr exist. */
typedef struct __svm_file FILE;
extern FILE *stdin, *stdout, *stderr;

#define EOF (-1)
#define BUFSIZ 4096

#define __svm_printf(f, a) __attribute__((__format__(__printf__, f, a)))

int printf(const char *restrict fmt, ...) __svm_printf(1, 2);
int fprintf(FILE *restrict f, const char *restrict fmt, ...) __svm_printf(2, 3);
int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
    __svm_printf(3, 4);
int vprintf(const char *restrict fmt, va_list ap) __svm_printf(1, 0);
int vfprintf(FILE *restrict f, const char *restrict fmt, va_list ap)
    __svm_printf(2, 0);
int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt,
    va_list ap) __svm_printf(3, 0);

int fputc(int c, FILE *f);
int putc(int c, FILE *f);
int putchar(int c);
int fputs(const char *restrict s, FILE *restrict f);
int puts(const char *s);
size_t fwrite(const void *restrict p, size_t size, size_t n, FILE *restrict f);
int fflush(FILE *f);

int fgetc(FILE *f);
int getc(FILE *f);
int getchar(void);
char *fgets(char *restrict s, int size, FILE *restrict f);
size_t fread(void *restrict p, size_t size, size_t n, FILE *restrict f);

int feof(FILE *f);
int ferror(FILE *f);
void clearerr(FILE *f);

#endif
