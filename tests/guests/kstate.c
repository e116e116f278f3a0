/*
 * kstate: the guest kernel's state a call can change, served by its stdin:
 * it sets up (a file at offset 3, a dup of it, a mapping with a pattern, a
 * grown brk, a pipe holding bytes), then each call reports that state and
 * changes all of it. Reset between calls, every report is the first one.
 *   kstate FILE   (FILE a file of the root tree, at least 200 bytes)
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char in[4096];
	char *map, *brk0;
	int fd, dupfd, p[2], nfds = 0, i, same;
	char c = 0;

	if (argc != 2 || (fd = open(argv[1], O_RDONLY)) < 0 ||
	    read(fd, in, 3) != 3 || (dupfd = dup(fd)) < 0 || pipe(p) < 0 ||
	    write(p[1], "xyz", 3) != 3)
		return 2;
	map = mmap(NULL, 65536, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return 2;
	memset(map, 'm', 65536);
	/* musl's sbrk only reads the break: brk itself, raw. */
	brk0 = (char *)syscall(SYS_brk, 0) + 8192;
	if ((char *)syscall(SYS_brk, brk0) != brk0)
		return 2;
	(void)!read(0, in,
	    sizeof(in)); /* the snapshot: each call starts here */

	for (i = 0; i < 64; i++)
		nfds += fcntl(i, F_GETFD) >= 0;
	(void)!read(p[0], &c, 1);
	same = (char *)syscall(SYS_brk, 0) == brk0; /* before printf mallocs */
	printf("offset %ld brk %s map %c%c fds %d pipe %c\n",
	    (long)lseek(fd, 0, SEEK_CUR), same ? "same" : "moved", map[0],
	    map[65535], nfds, c ? c : '-');
	/* Change it all: the next call must not see any of this. */
	lseek(fd, 150, SEEK_SET);
	syscall(SYS_brk, brk0 + (1 << 20));
	memset(map, 'X', 65536);
	munmap(map + 4096, 4096);
	close(dupfd);
	for (i = 0; i < 5; i++)
		(void)!open(argv[1], O_RDONLY);
	close(p[1]);
	return 0;
}
