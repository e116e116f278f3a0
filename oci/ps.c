/* ps.c: `ps [--format table|json] ID`: the container's one process. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "oci.h"

int cmd_ps(const struct globals *g, int argc, char **argv, char *err,
    size_t errlen)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, alive;
	struct state st;
	int o, why;

	optind = 1;
	while ((o = getopt_long_only(argc, argv, "+:f:", opts, NULL)) != -1) {
		if (o != 'f')
			return usage_error(err, errlen,
			    o == ':' ? "ps: %s needs an argument" :
			               "ps: unknown option %s",
			    argv[optind - 1]);
		if (strcmp(optarg, "json") != 0 && strcmp(optarg, "table") != 0)
			return usage_error(err, errlen,
			    "ps: --format %s: table or json", optarg);
		json = optarg[0] == 'j';
	}
	/* runc passes what follows the id to ps(1); there is no ps here. */
	if (argc - optind != 1)
		return usage_error(err, errlen, "ps: takes one container id");
	if (container_load(g, argv[optind], &st, &why, err, errlen) < 0)
		return container_load_status(why);
	alive = container_status(&st) != STATUS_STOPPED;
	if (json)
		alive ? printf("[%d]\n", (int)st.pid) : printf("[]\n");
	else
		alive ? printf("PID\n%d\n", (int)st.pid) : printf("PID\n");
	container_free(&st);
	return fflush(stdout) == 0 ? 0 : OCI_FAIL;
}
