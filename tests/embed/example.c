/* example: an embedder built against the installed library with pkg-config. */
#include <stdio.h>
#include <svm_sandbox.h>

int main(int argc, char **argv)
{
	struct svm_sandbox_config cfg;
	struct svm_sandbox_result res;
	struct svm_sandbox *sb;
	char out[256];

	if (argc != 2)
		return 2;
	svm_sandbox_config_init(&cfg);
	cfg.timeout_ms = 1000;
	if (svm_sandbox_create(&cfg, argv[1], 1, argv + 1, &sb, &res) < 0 ||
	    svm_sandbox_serve(sb, &res) < 0) {
		fprintf(stderr, "example: %s\n", res.message);
		return 1;
	}
	if (svm_sandbox_call(sb, "hi", 2, out, sizeof(out), &res) < 0 ||
	    res.kind != SVM_SANDBOX_ANSWERED)
		return 1;
	printf("%s: %.*s\n", svm_sandbox_kind_name(res.kind), (int)res.out_len,
	    out);
	svm_sandbox_destroy(sb);
	return 0;
}
