/* program.c: the container's program checked at create with the monitor's
 * own ELF loader checks, so a bad image fails there with its reason. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci.h"
#include "monitor.h"

int spec_check_program(const struct spec *s, char *err, size_t errlen)
{
	uint64_t mem = s->mem ? s->mem : SVM_MEM_DEFAULT;
	char why[OCI_ERR_LEN], *file;
	struct elf_image img;
	size_t n;
	int fd, rc;

	if ((fd = open(s->program_host, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return fail(err, errlen, "exec: \"%s\": %s", s->args[0],
		    strerror(errno));
	if (read_fd(fd, mem, &file, &n) < 0) {
		if (errno == EFBIG)
			return fail(err, errlen,
			    "exec: \"%s\": %s: larger than guest memory "
			    "(%llu MiB)",
			    s->args[0], s->program,
			    (unsigned long long)(mem >> 20));
		if (errno == ENOMEM)
			return fail(err, errlen, "out of memory");
		return fail(err, errlen, "exec: \"%s\": not a regular file",
		    s->args[0]);
	}
	rc = elf_parse((const uint8_t *)file, n, mem, SVM_PROGRAM_MIN, &img,
	    why, sizeof(why));
	free(file);
	if (rc < 0)
		return fail(err, errlen, "exec: \"%s\": %s: %s", s->args[0],
		    s->program, why);
	return 0;
}
