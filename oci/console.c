/* console.c: process.terminal: a pty whose master goes to the engine over
 * --console-socket (SCM_RIGHTS), as runc sends it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "oci.h"

int console_open(unsigned rows, unsigned cols, int *master, char *slave,
    size_t slavelen, char *err, size_t errlen)
{
	struct winsize ws = { 0 };
	int fd;

	if ((fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return fail(err, errlen, "cannot open a pty: %s",
		    strerror(errno));
	if (grantpt(fd) < 0 || unlockpt(fd) < 0 ||
	    ptsname_r(fd, slave, slavelen) != 0) {
		int e = errno;

		close(fd);
		return fail(err, errlen, "cannot set up the pty: %s",
		    strerror(e));
	}
	if (rows != 0 || cols != 0) {
		ws.ws_row = (unsigned short)rows;
		ws.ws_col = (unsigned short)cols;
		(void)ioctl(fd, TIOCSWINSZ, &ws);
	}
	*master = fd;
	return 0;
}

int console_send(const char *socket_path, int master, const char *name,
    char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { (void *)name, strlen(name) };
	struct msghdr msg = { 0 };
	struct cmsghdr *cm;
	int s;

	if (strlen(socket_path) >= sizeof(sa.sun_path))
		return fail(err, errlen, "--console-socket %s: path too long",
		    socket_path);
	memcpy(sa.sun_path, socket_path, strlen(socket_path) + 1);
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return fail(err, errlen, "socket: %s", strerror(errno));
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(s);
		return fail(err, errlen, "--console-socket %s: %s", socket_path,
		    strerror(e));
	}
	memset(cbuf, 0, sizeof(cbuf));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &master, sizeof(int));
	while (sendmsg(s, &msg, 0) < 0) {
		int e = errno;

		if (e == EINTR)
			continue;
		close(s);
		return fail(err, errlen,
		    "--console-socket %s: sending the pty: %s", socket_path,
		    strerror(e));
	}
	close(s);
	return 0;
}

int console_attach(const char *slave, char *err, size_t errlen)
{
	int fd, i;

	if ((fd = open(slave, O_RDWR)) < 0)
		return fail(err, errlen, "%s: %s", slave, strerror(errno));
	/* The session leader's first tty is its controlling one; say so. */
	if (ioctl(fd, TIOCSCTTY, 0) < 0) {
		int e = errno;

		close(fd);
		return fail(err, errlen, "%s: TIOCSCTTY: %s", slave,
		    strerror(e));
	}
	for (i = 0; i < 3; i++)
		if (dup2(fd, i) < 0) {
			int e = errno;

			close(fd);
			return fail(err, errlen, "dup2: %s", strerror(e));
		}
	if (fd > 2)
		close(fd);
	return 0;
}
