/* mallocall: allocates until malloc fails, then shows it can still work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct node {
	struct node *next;
};

int main(void)
{
	struct node *head = NULL, *n;
	size_t total = 0, sz = 1 << 20;

	/* Halve the request on failure: fills the heap down to small blocks. */
	while (sz >= sizeof(*n)) {
		if ((n = malloc(sz)) == NULL) {
			sz /= 2;
			continue;
		}
		memset(n, 0x5a, sz);
		n->next = head;
		head = n;
		total += sz;
	}
	while (head != NULL) {
		n = head->next;
		free(head);
		head = n;
	}
	n = malloc(1 << 20);
	printf("allocated %zu KiB until malloc failed; after freeing: %s\n",
	    total >> 10, n != NULL ? "ok" : "still failing");
	return n != NULL ? 0 : 1;
}
