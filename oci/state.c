/* state.c: `state ID`: the OCI state of a container, as JSON on stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "oci.h"

int cmd_state(const struct globals *g, int argc, char **argv, char *err,
    size_t errlen)
{
	struct state st;
	enum status s;
	struct jw w;
	char *text;
	size_t len;
	int why, rc = 0;

	if (argc != 2)
		return usage_error(err, errlen,
		    "state: takes one container id");
	if (container_load(g, argv[1], &st, &why, err, errlen) < 0)
		return container_load_status(why);
	s = container_status(&st);
	jw_init(&w);
	jw_object(&w);
	jw_key(&w, "ociVersion");
	jw_string(&w, OCI_VERSION);
	jw_key(&w, "id");
	jw_string(&w, st.id);
	jw_key(&w, "status");
	jw_string(&w, status_name(s));
	/* As runc: 0 once the process is gone. */
	jw_key(&w, "pid");
	jw_int(&w, s == STATUS_STOPPED ? 0 : st.pid);
	jw_key(&w, "bundle");
	jw_string(&w, st.bundle);
	jw_key(&w, "rootfs");
	jw_string(&w, st.rootfs);
	jw_key(&w, "created");
	jw_string(&w, st.created);
	jw_key(&w, "owner");
	jw_string(&w, "");
	jw_key(&w, "annotations");
	if (st.annotations != NULL) {
		jw_value(&w, st.annotations);
	} else {
		jw_object(&w);
		jw_end_object(&w);
	}
	jw_end_object(&w);
	if ((text = jw_done(&w, &len)) == NULL) {
		fail(err, errlen, "out of memory");
		rc = OCI_FAIL;
	} else {
		text[len++] = '\n';
		if (write_all(1, text, len) < 0) {
			fail(err, errlen, "writing the state failed");
			rc = OCI_FAIL;
		}
		free(text);
	}
	container_free(&st);
	return rc;
}
