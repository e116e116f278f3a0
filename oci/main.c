/* main.c: the svm-sandbox-oci command: global options, then one subcommand,
 * whose error goes to stderr and the --log file. */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "oci.h"

static const char usage_text[] =
    "usage: svm-sandbox-oci [global options] COMMAND [options] ID...\n"
    "An OCI runtime with runc's command line: each container's program\n"
    "runs in its own svm-sandbox VM.\n"
    "\n"
    "Commands:\n"
    "  create [--bundle DIR] [--pid-file FILE] [--console-socket SOCK] ID\n"
    "                         check the bundle and make the container's\n"
    "                         process, which waits for start\n"
    "  start ID               run the container's program\n"
    "  state ID               print the container's OCI state as JSON\n"
    "  kill [--all] ID [SIG]  send SIG (default SIGTERM) to the container\n"
    "  delete [--force] ID    remove the container (--force: kill it first)\n"
    "  ps [--format=json] ID  list the container's process\n"
    "  features               print the supported features as JSON\n"
    "\n"
    "Global options:\n"
    "  --root DIR             where container state lives\n"
    "                         (default " OCI_ROOT_DEFAULT ")\n"
    "  --log FILE             write errors to FILE too\n"
    "  --log-format FORMAT    text (default) or json\n"
    "  --debug                log every command\n"
    "  --systemd-cgroup       accepted; the VM's process stays in its\n"
    "                         engine's cgroup\n"
    "  -h, --help             print this help and exit\n"
    "  -v, --version          print the version and exit\n"
    "\n"
    "Exit status: 0 done; 1 the command failed; 2 usage error.\n"
    "Every failure comes with one line on stderr and in --log.\n";

static const struct {
	const char *name;
	int (*run)(const struct globals *, int, char **, char *, size_t);
} commands[] = {
	{ "create", cmd_create },
	{ "start", cmd_start },
	{ "state", cmd_state },
	{ "kill", cmd_kill },
	{ "delete", cmd_delete },
	{ "ps", cmd_ps },
	{ "features", cmd_features },
};

/* runc's other commands, refused with the reason. */
static const struct {
	const char *name, *why;
} refused[] = {
	{ "exec", "a container is one program in one VM" },
	{ "run", "use create and start" },
	{ "pause", "a VM cannot be frozen through cgroups" },
	{ "resume", "a VM cannot be frozen through cgroups" },
	{ "update", "a VM's memory is fixed when it is made" },
	{ "checkpoint", "VMs are not checkpointed" },
	{ "restore", "VMs are not checkpointed" },
	{ "events", "there are no cgroup statistics of a VM" },
	{ "list", "use state ID" },
	{ "spec", "write config.json with your engine" },
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "log", required_argument, NULL, 'l' },
		{ "log-format", required_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "systemd-cgroup", no_argument, NULL, 's' },
		{ "rootless", required_argument, NULL, 'R' },
		{ "criu", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct globals g = { OCI_ROOT_DEFAULT };
	const char *log_path = NULL, *log_format = "text";
	char err[OCI_ERR_LEN] = "";
	bool debug = false;
	int o, rc;
	size_t i;

	/* A closed stdout fails a write, it does not kill. fds 0-2 all open,
	 * so no pipe or pty of ours lands there and becomes the container's
	 * stdio. */
	signal(SIGPIPE, SIG_IGN);
	for (o = 0; o < 3; o++)
		if (fcntl(o, F_GETFD) < 0 && open("/dev/null", O_RDWR) != o)
			return OCI_FAIL;
	opterr = 0;
	while ((o = getopt_long_only(argc, argv, "+:hv", opts, NULL)) != -1) {
		switch (o) {
		case 'r':
			g.root = optarg;
			break;
		case 'l':
			log_path = optarg;
			break;
		case 'f':
			log_format = optarg;
			break;
		case 'd':
			debug = true;
			break;
		case 's':
		case 'R':
		case 'C':
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'v':
			printf("svm-sandbox-oci version %s\nspec: %s\n",
			    SVM_VERSION, OCI_VERSION);
			return 0;
		case ':':
			rc = usage_error(err, sizeof(err),
			    "%s needs an argument", argv[optind - 1]);
			goto out;
		default:
			rc = usage_error(err, sizeof(err),
			    "unknown option %s (--help for usage)",
			    argv[optind - 1]);
			goto out;
		}
	}
	if (strcmp(log_format, "json") != 0 &&
	    strcmp(log_format, "text") != 0) {
		rc = usage_error(err, sizeof(err),
		    "--log-format %s: text or json", log_format);
		goto out;
	}
	if (log_path != NULL &&
	    log_open(log_path, log_format[0] == 'j', debug, err, sizeof(err)) <
	        0) {
		rc = OCI_FAIL;
		goto out;
	}
	if (g.root[0] != '/') {
		rc = usage_error(err, sizeof(err),
		    "--root %s: an absolute path", g.root);
		goto out;
	}
	if (optind >= argc) {
		rc = usage_error(err, sizeof(err),
		    "no command given (--help for usage)");
		goto out;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].name) == 0) {
			rc = commands[i].run(&g, argc - optind, argv + optind,
			    err, sizeof(err));
			goto out;
		}
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (strcmp(argv[optind], refused[i].name) == 0) {
			snprintf(err, sizeof(err), "%s is not supported: %s",
			    refused[i].name, refused[i].why);
			rc = OCI_FAIL;
			goto out;
		}
	rc = usage_error(err, sizeof(err),
	    "unknown command \"%s\" (--help for usage)", argv[optind]);
out:
	if (rc != 0)
		log_error(err[0] ? err : "failed");
	return rc;
}
