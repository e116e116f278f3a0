/* log.c: error lines on stderr and in the engine's --log file (JSON lines). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oci.h"

static int log_fd = -1;
static bool log_json, log_debug_on;

int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int usage_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return OCI_USAGE;
}

int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

void time_rfc3339(char buf[OCI_TIME_LEN])
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, OCI_TIME_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	    tm.tm_sec, ts.tv_nsec);
}

int log_open(const char *path, bool json, bool debug, char *err, size_t errlen)
{
	log_json = json;
	log_debug_on = debug;
	log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (log_fd < 0)
		return fail(err, errlen, "--log %s: %s", path, strerror(errno));
	return 0;
}

/* One line in the log: {"level":..,"msg":..,"time":..} or logrus's text. */
static void log_line(const char *level, const char *msg)
{
	char when[OCI_TIME_LEN];
	struct jw w;
	char *line;
	size_t len;

	if (log_fd < 0)
		return;
	time_rfc3339(when);
	jw_init(&w);
	if (log_json) {
		jw_object(&w);
		jw_key(&w, "level");
		jw_string(&w, level);
		jw_key(&w, "msg");
		jw_string(&w, msg);
		jw_key(&w, "time");
		jw_string(&w, when);
		jw_end_object(&w);
		if ((line = jw_done(&w, &len)) == NULL)
			return;
	} else {
		jw_string(&w, msg); /* quoted as logrus quotes */
		if ((line = jw_done(&w, &len)) == NULL)
			return;
		dprintf(log_fd, "time=\"%s\" level=%s msg=", when, level);
	}
	line[len] = '\n';
	(void)write_all(log_fd, line, len + 1);
	free(line);
}

void log_error(const char *msg)
{
	dprintf(2, "%s\n", msg);
	log_line("error", msg);
}

void log_debug(const char *fmt, ...)
{
	char msg[OCI_ERR_LEN];
	va_list ap;

	if (!log_debug_on)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_line("debug", msg);
}
