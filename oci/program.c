/* program.c: the container's program checked at create with the monitor's
 * own ELF loader checks, so a bad image fails there with its reason. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oci.h"
#include "monitor.h"

int spec_check_program(const struct spec *s, char *err, size_t errlen)
{
	uint64_t mem = s->mem ? s->mem : SVM_MEM_DEFAULT;
	char why[OCI_ERR_LEN];
	struct elf_image img;
	struct stat st;
	uint8_t *file;
	size_t n = 0;
	int fd, rc;

	if ((fd = open(s->program_host, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return fail(err, errlen, "exec: \"%s\": %s", s->args[0],
		    strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(err, errlen, "exec: \"%s\": not a regular file",
		    s->args[0]);
	}
	if ((uint64_t)st.st_size > mem) {
		close(fd);
		return fail(err, errlen,
		    "exec: \"%s\": %s: larger than guest memory (%llu MiB)",
		    s->args[0], s->program, (unsigned long long)(mem >> 20));
	}
	if ((file = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return fail(err, errlen, "out of memory");
	}
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, file + n, (size_t)st.st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	rc = elf_parse(file, n, mem, SVM_PROGRAM_MIN, &img, why, sizeof(why));
	free(file);
	if (rc < 0)
		return fail(err, errlen, "exec: \"%s\": %s: %s", s->args[0],
		    s->program, why);
	return 0;
}
