/*
 * gdb.c: --gdb PORT: a gdb remote-protocol stub for a plain run, so that
 * `gdb PROGRAM` and `target remote :PORT` debug the program in its VM.
 *
 * Breakpoints and steps happen inside the guest: a breakpoint is an int3
 * the monitor writes into the program's text (the #BP gate is DPL 3), a
 * step sets RFLAGS.TF for one instruction (#DB); both reach the monitor's
 * fault stubs, which report them like any fault (hypercall.c: fault() hands
 * them here). Not KVM_SET_GUEST_DEBUG: on this PVM host it accepts
 * SINGLESTEP and USE_SW_BP but traps only the emulated CPL-0 code, never
 * the program's own instructions, and its int3 still goes to the guest. At a
 * stop the vCPU sits in the stub at CPL 0: going on means loading the program's
 * registers from the stub's frame back into it (be->set_cpu). gdb's addresses
 * are guest-virtual, which the identity map makes guest-physical; each one is
 * checked against the monitor's own page tables. One thread, all-stop; the
 * first stop is at the program's entry point, after the guest kernel's boot.
 * While the program runs, gdb's interrupt (^C) arrives as SIGIO, which kicks
 * the vCPU out to the run loop (gdb_interrupt).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "monitor.h"

#define PKT_MAX 16384 /* the PacketSize we announce */
#define NBP 64        /* software breakpoints */
#define TF 0x100ull
/* RFLAGS bits gdb may change: the arithmetic flags, DF, AC and ID. */
#define FLAGS_GDB 0x240cd5ull
#define NREGS 60

struct gdb {
	int fd;
	bool started;  /* the program reached its entry point */
	bool resumed;  /* gdb waits for a stop reply (it sent c or s) */
	bool stepping; /* that was a step */
	bool detached;
	bool fatal;   /* stopped at a fault the program cannot go on from */
	bool swbreak; /* stopped at one of gdb's breakpoints */
	int sig;      /* the stop's signal, in gdb's numbers */
	svm_gpa_t entry;
	uint8_t entry_byte;
	struct {
		svm_gpa_t addr;
		uint8_t byte;
	} bp[NBP];
	unsigned nbp;
	struct svm_cpu cpu; /* the program's registers while it is stopped */
	uint8_t rbuf[4096]; /* input read, not yet taken */
	size_t rpos, rlen;
	char pkt[PKT_MAX + 1]; /* the packet being handled */
	size_t pkt_len;
	char reply[2 * PKT_MAX + 1];
	size_t reply_len;
	char out[2 * PKT_MAX + 8]; /* the last packet sent, framed */
	size_t out_len;
};

/*
 * Refill the input: 0, -1 if gdb went away, 1 if the run ended while the
 * monitor waited (vm->end set).
 */
static int read_more(struct svm_vm *vm, struct gdb *g)
{
	ssize_t n;

	for (;;) {
		n = read(g->fd, g->rbuf, sizeof(g->rbuf));
		if (n > 0) {
			g->rpos = 0;
			g->rlen = (size_t)n;
			return 0;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			return -1;
		if (errno == EAGAIN && vm_wait(vm, g->fd, POLLIN))
			return 1;
	}
}

/* The next byte from gdb, -1 if it went away, -2 if the run ended. */
static int get_byte(struct svm_vm *vm, struct gdb *g)
{
	int rc;

	if (g->rpos == g->rlen && (rc = read_more(vm, g)) != 0)
		return rc == 1 ? -2 : -1;
	return g->rbuf[g->rpos++];
}

/* 0, -1 if gdb went away, 1 if the run ended while the monitor waited. */
static int write_all(struct svm_vm *vm, struct gdb *g, const char *p,
    size_t len)
{
	while (len > 0) {
		ssize_t n = write(g->fd, p, len);

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || errno != EAGAIN)
			return -1;
		if (vm_wait(vm, g->fd, POLLOUT))
			return 1;
	}
	return 0;
}

static const char hexd[] = "0123456789abcdef";

static int unhex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Frame g->reply as a packet and send it; kept for a resend. */
static int send_reply(struct svm_vm *vm, struct gdb *g)
{
	unsigned sum = 0;
	size_t i;

	g->out[0] = '$';
	for (i = 0; i < g->reply_len; i++) {
		g->out[1 + i] = g->reply[i];
		sum += (uint8_t)g->reply[i];
	}
	g->out[1 + i] = '#';
	g->out[2 + i] = hexd[(sum >> 4) & 15];
	g->out[3 + i] = hexd[sum & 15];
	g->out_len = 4 + i;
	return write_all(vm, g, g->out, g->out_len);
}

/* The reply being built: text, hex bytes, and escaped binary. */
static void say(struct gdb *g, const char *s)
{
	size_t n = strlen(s);

	if (n > sizeof(g->reply) - 1 - g->reply_len)
		n = sizeof(g->reply) - 1 - g->reply_len;
	memcpy(g->reply + g->reply_len, s, n);
	g->reply_len += n;
}

static void say_hex(struct gdb *g, const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len && g->reply_len + 2 < sizeof(g->reply); i++) {
		g->reply[g->reply_len++] = hexd[b[i] >> 4];
		g->reply[g->reply_len++] = hexd[b[i] & 15];
	}
}

/*
 * qXfer data from off in [data, data + len): 'm' and as much as gdb asked
 * for (max bytes once escaped), or 'l' and the rest.
 */
static void say_xfer(struct gdb *g, const char *data, size_t len, uint64_t off,
    uint64_t max)
{
	size_t used = 0, i;

	if (off >= len) {
		say(g, "l");
		return;
	}
	g->reply[g->reply_len++] = 'm';
	for (i = (size_t)off; i < len; i++) {
		char c = data[i];
		bool esc = c == '#' || c == '$' || c == '}' || c == '*';

		if (used + 1 + esc > max || g->reply_len + 3 > sizeof(g->reply))
			break;
		if (esc)
			g->reply[g->reply_len++] = '}';
		g->reply[g->reply_len++] = esc ? c ^ 0x20 : c;
		used += 1 + esc;
	}
	if (i == len)
		g->reply[0] = 'l';
}

/*
 * Read the next packet into g->pkt and acknowledge it. 0, -1 (gdb went
 * away) or 1 (the run ended).
 */
static int get_packet(struct svm_vm *vm, struct gdb *g)
{
	int c, hi, lo;
	unsigned sum;

	for (;;) {
		while ((c = get_byte(vm, g)) != '$') {
			if (c < 0)
				return c == -2 ? 1 : -1;
			/* '+' acks our last packet; '-' asks it again. */
			if (c == '-' && g->out_len > 0 &&
			    write_all(vm, g, g->out, g->out_len) != 0)
				return -1;
		}
		g->pkt_len = 0;
		sum = 0;
		while ((c = get_byte(vm, g)) != '#') {
			if (c < 0)
				return c == -2 ? 1 : -1;
			sum += (unsigned)c;
			if (g->pkt_len < PKT_MAX)
				g->pkt[g->pkt_len++] = (char)c;
		}
		if ((hi = get_byte(vm, g)) < 0 || (lo = get_byte(vm, g)) < 0)
			return hi == -2 || lo == -2 ? 1 : -1;
		g->pkt[g->pkt_len] = '\0';
		if (unhex(hi) * 16 + unhex(lo) == (int)(sum & 0xff) &&
		    g->pkt_len < PKT_MAX)
			return write_all(vm, g, "+", 1) != 0 ? -1 : 0;
		if (write_all(vm, g, "-", 1) != 0)
			return -1;
	}
}

/* A hex number at *p, moved past it. */
static uint64_t num(const char **p)
{
	uint64_t v = 0;
	int d;

	while ((d = unhex(**p)) >= 0) {
		v = v << 4 | (uint64_t)d;
		(*p)++;
	}
	return v;
}

/*
 * Guest memory for gdb: the host address of [addr, addr + *len), with *len
 * cut at the end of memory or the first page the monitor's page tables do
 * not map for the program. Writes only at or above the program's lowest
 * address: its own memory (text included, for breakpoints), not the guest
 * kernel's or the monitor's tables. NULL if not even the first byte.
 */
static uint8_t *mem(const struct svm_vm *vm, uint64_t addr, uint64_t *len,
    bool write)
{
	uint64_t ok = 0, page;

	if (addr >= vm->mem_size || (write && addr < SVM_PROGRAM_MIN))
		return NULL;
	if (*len > vm->mem_size - addr)
		*len = vm->mem_size - addr;
	if (vm_gpa(vm, addr, *len) == NULL)
		return NULL;
	for (page = addr & ~(SVM_PAGE_SIZE - 1); ok < *len;
	     page += SVM_PAGE_SIZE) {
		if (!(x86_page_rights(vm, page) & X86_PTE_U))
			break;
		ok = page + SVM_PAGE_SIZE - addr;
	}
	if (ok == 0)
		return NULL;
	if (ok < *len)
		*len = ok;
	return vm->mem + addr;
}

static int find_bp(const struct gdb *g, svm_gpa_t addr)
{
	unsigned i;

	for (i = 0; i < g->nbp; i++)
		if (g->bp[i].addr == addr)
			return (int)i;
	return -1;
}

/* The register numbers of the target description below, as svm_cpu's. */
static const size_t fields[] = {
	offsetof(struct svm_cpu, rax),
	offsetof(struct svm_cpu, rbx),
	offsetof(struct svm_cpu, rcx),
	offsetof(struct svm_cpu, rdx),
	offsetof(struct svm_cpu, rsi),
	offsetof(struct svm_cpu, rdi),
	offsetof(struct svm_cpu, rbp),
	offsetof(struct svm_cpu, rsp),
	offsetof(struct svm_cpu, r8),
	offsetof(struct svm_cpu, r9),
	offsetof(struct svm_cpu, r10),
	offsetof(struct svm_cpu, r11),
	offsetof(struct svm_cpu, r12),
	offsetof(struct svm_cpu, r13),
	offsetof(struct svm_cpu, r14),
	offsetof(struct svm_cpu, r15),
	offsetof(struct svm_cpu, rip),
	offsetof(struct svm_cpu, rflags),
	offsetof(struct svm_cpu, cs),
	offsetof(struct svm_cpu, ss),
	offsetof(struct svm_cpu, ds),
	offsetof(struct svm_cpu, es),
	offsetof(struct svm_cpu, fs),
	offsetof(struct svm_cpu, gs),
};

/*
 * Register n: its size in bytes and where its value is (NULL: not known
 * to the monitor, sent as unavailable: x87, SSE). orig_rax is -1 (not in a
 * system call).
 */
static unsigned reg(struct gdb *g, unsigned n, uint64_t **v)
{
	static uint64_t orig_rax = UINT64_MAX;

	*v = NULL;
	if (n < 24)
		*v = (uint64_t *)((char *)&g->cpu + fields[n]);
	if (n < 17)
		return 8;
	if (n < 24)
		return 4;
	if (n < 32)
		return 10; /* st0-st7 */
	if (n < 40)
		return 4; /* fctrl... fop */
	if (n < 56)
		return 16; /* xmm0-xmm15 */
	if (n == 56)
		return 4; /* mxcsr */
	if (n == 57)
		*v = &orig_rax;
	else if (n == 58)
		*v = &g->cpu.fs_base;
	else
		*v = &g->cpu.gs_base;
	return 8;
}

static void say_reg(struct gdb *g, unsigned n)
{
	uint64_t *v;
	unsigned size = reg(g, n, &v), i;

	if (v != NULL) {
		say_hex(g, v, size); /* little-endian, as gdb wants */
		return;
	}
	for (i = 0; i < size; i++)
		say(g, "xx");
}

/*
 * Set register n from hex at p: the general registers, RIP (canonical) and
 * RFLAGS' user bits; the others keep their values. -1 if p is too short.
 */
static int set_reg(struct gdb *g, unsigned n, const char *p)
{
	uint64_t *v, x = 0;
	unsigned size = reg(g, n, &v), i;

	for (i = 0; i < size; i++) {
		int hi = unhex(p[2 * i]),
		    lo = hi < 0 ? -1 : unhex(p[2 * i + 1]);

		if (lo < 0)
			return -1;
		if (i < 8)
			x |= (uint64_t)(hi * 16 + lo) << (8 * i);
	}
	if (n < 16)
		*v = x;
	else if (n == 16 && (int64_t)(x << 16) >> 16 == (int64_t)x)
		*v = x;
	else if (n == 17)
		*v = (*v & ~FLAGS_GDB) | (x & FLAGS_GDB);
	return 0;
}

/*
 * The target description: amd64 as GNU/Linux gdbserver describes it, in
 * the order of the 'g' packet (0-15 general, 16 rip, 17 eflags, 18-23
 * segments, 24-39 x87, 40-56 SSE, 57 orig_rax, 58-59 fs_base, gs_base).
 */
static const char target_xml[] =
    "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
    "<target version=\"1.0\"><architecture>i386:x86-64</architecture>"
    "<osabi>GNU/Linux</osabi><feature name=\"org.gnu.gdb.i386.core\">"
    "<flags id=\"i386_eflags\" size=\"4\">"
    "<field name=\"CF\" start=\"0\" end=\"0\"/>"
    "<field name=\"\" start=\"1\" end=\"1\"/>"
    "<field name=\"PF\" start=\"2\" end=\"2\"/>"
    "<field name=\"AF\" start=\"4\" end=\"4\"/>"
    "<field name=\"ZF\" start=\"6\" end=\"6\"/>"
    "<field name=\"SF\" start=\"7\" end=\"7\"/>"
    "<field name=\"TF\" start=\"8\" end=\"8\"/>"
    "<field name=\"IF\" start=\"9\" end=\"9\"/>"
    "<field name=\"DF\" start=\"10\" end=\"10\"/>"
    "<field name=\"OF\" start=\"11\" end=\"11\"/>"
    "<field name=\"NT\" start=\"14\" end=\"14\"/>"
    "<field name=\"RF\" start=\"16\" end=\"16\"/>"
    "<field name=\"VM\" start=\"17\" end=\"17\"/>"
    "<field name=\"AC\" start=\"18\" end=\"18\"/>"
    "<field name=\"VIF\" start=\"19\" end=\"19\"/>"
    "<field name=\"VIP\" start=\"20\" end=\"20\"/>"
    "<field name=\"ID\" start=\"21\" end=\"21\"/></flags>"
    "<reg name=\"rax\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"rbx\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"rcx\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"rdx\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"rsi\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"rdi\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"rbp\" bitsize=\"64\" type=\"data_ptr\"/>"
    "<reg name=\"rsp\" bitsize=\"64\" type=\"data_ptr\"/>"
    "<reg name=\"r8\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"r9\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"r10\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"r11\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"r12\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"r13\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"r14\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"r15\" bitsize=\"64\" type=\"int64\"/>"
    "<reg name=\"rip\" bitsize=\"64\" type=\"code_ptr\"/>"
    "<reg name=\"eflags\" bitsize=\"32\" type=\"i386_eflags\"/>"
    "<reg name=\"cs\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"ss\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"ds\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"es\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"fs\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"gs\" bitsize=\"32\" type=\"int32\"/>"
    "<reg name=\"st0\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st1\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st2\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st3\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st4\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st5\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st6\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"st7\" bitsize=\"80\" type=\"i387_ext\"/>"
    "<reg name=\"fctrl\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fstat\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"ftag\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fiseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fioff\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"foseg\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fooff\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "<reg name=\"fop\" bitsize=\"32\" type=\"int\" group=\"float\"/>"
    "</feature><feature name=\"org.gnu.gdb.i386.sse\">"
    "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>"
    "<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
    "<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>"
    "<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>"
    "<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>"
    "<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>"
    "<union id=\"vec128\"><field name=\"v4_float\" type=\"v4f\"/>"
    "<field name=\"v2_double\" type=\"v2d\"/>"
    "<field name=\"v16_int8\" type=\"v16i8\"/>"
    "<field name=\"v8_int16\" type=\"v8i16\"/>"
    "<field name=\"v4_int32\" type=\"v4i32\"/>"
    "<field name=\"v2_int64\" type=\"v2i64\"/>"
    "<field name=\"uint128\" type=\"uint128\"/></union>"
    "<reg name=\"xmm0\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm1\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm2\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm3\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm4\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm5\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm6\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm7\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm8\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm9\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm10\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm11\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm12\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm13\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm14\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"xmm15\" bitsize=\"128\" type=\"vec128\"/>"
    "<reg name=\"mxcsr\" bitsize=\"32\" type=\"int\" group=\"vector\"/>"
    "</feature><feature name=\"org.gnu.gdb.i386.linux\">"
    "<reg name=\"orig_rax\" bitsize=\"64\" type=\"int\"/>"
    "</feature><feature name=\"org.gnu.gdb.i386.segments\">"
    "<reg name=\"fs_base\" bitsize=\"64\" type=\"int\"/>"
    "<reg name=\"gs_base\" bitsize=\"64\" type=\"int\"/>"
    "</feature></target>";

/* gdb numbers signals as BSD does: of those used here only SIGBUS differs. */
static int gdb_signal(int sig)
{
	return sig == SIGBUS ? 10 : sig;
}

static void say_stop(struct gdb *g)
{
	char s[40];

	snprintf(s, sizeof(s), "T%02xthread:1;%s", g->sig,
	    g->swbreak ? "swbreak:;" : "");
	say(g, s);
}

/* Put back the bytes under gdb's breakpoints: it detached. */
static void remove_all(struct svm_vm *vm, struct gdb *g)
{
	unsigned i;

	for (i = 0; i < g->nbp; i++)
		vm->mem[g->bp[i].addr] = g->bp[i].byte;
	g->nbp = 0;
}

static void bp_packet(struct svm_vm *vm, struct gdb *g, const char *p)
{
	uint64_t addr, len = 1;
	uint8_t *at;
	int i;

	if (p[1] != '0' || p[2] != ',') {
		say(g, ""); /* hardware breakpoints, watchpoints: not here */
		return;
	}
	p += 3;
	addr = num(&p);
	i = find_bp(g, addr);
	if ((at = mem(vm, addr, &len, true)) == NULL) {
		say(g, "E0e");
		return;
	}
	if (g->pkt[0] == 'Z' && i < 0) {
		if (g->nbp == NBP) {
			say(g, "E0c");
			return;
		}
		g->bp[g->nbp].addr = addr;
		g->bp[g->nbp++].byte = *at;
		*at = 0xcc; /* int3 */
	} else if (g->pkt[0] == 'z' && i >= 0) {
		*at = g->bp[i].byte;
		g->bp[i] = g->bp[--g->nbp];
	}
	say(g, "OK");
}

static void mem_packet(struct svm_vm *vm, struct gdb *g, const char *p)
{
	uint64_t addr, len, want, i;
	uint8_t *at;
	bool write = *p++ == 'M';

	addr = num(&p);
	if (*p++ != ',') {
		say(g, "E01");
		return;
	}
	len = num(&p);
	if (!write && len > PKT_MAX / 2)
		len = PKT_MAX / 2;
	if (len == 0) {
		say(g, write ? "OK" : "");
		return;
	}
	if (!write) {
		if ((at = mem(vm, addr, &len, false)) == NULL) {
			say(g, "E0e");
			return;
		}
		for (i = 0; i < len; i++) {
			int b = find_bp(g, addr + i);
			uint8_t c = b >= 0 ? g->bp[b].byte : at[i];

			say_hex(g, &c, 1);
		}
		return;
	}
	want = len;
	if (*p++ != ':' || strlen(p) / 2 < len ||
	    (at = mem(vm, addr, &len, true)) == NULL || len < want) {
		say(g, "E0e");
		return;
	}
	for (i = 0; i < 2 * len; i++)
		if (unhex(p[i]) < 0) {
			say(g, "E01");
			return;
		}
	for (i = 0; i < len; i++) {
		int b = find_bp(g, addr + i);
		uint8_t c =
		    (uint8_t)(unhex(p[2 * i]) << 4 | unhex(p[2 * i + 1]));

		/* Under a breakpoint the new byte is the one it keeps. */
		if (b >= 0)
			g->bp[b].byte = c;
		else
			at[i] = c;
	}
	say(g, "OK");
}

static void query(struct svm_vm *vm, struct gdb *g, const char *p)
{
	const char *q;
	uint64_t off, len;

	if (strncmp(p, "qSupported", 10) == 0)
		say(g,
		    "PacketSize=4000;qXfer:features:read+;"
		    "qXfer:auxv:read+;swbreak+;vContSupported+");
	else if (strcmp(p, "qAttached") == 0)
		say(g, "1"); /* detach, not kill, when gdb quits */
	else if (strcmp(p, "qC") == 0)
		say(g, "QC1");
	else if (strcmp(p, "qfThreadInfo") == 0)
		say(g, "m1");
	else if (strcmp(p, "qsThreadInfo") == 0)
		say(g, "l");
	else if (strncmp(p, "qSymbol", 7) == 0)
		say(g, "OK");
	else if (strncmp(p, "qXfer:features:read:target.xml:", 31) == 0 ||
	    strncmp(p, "qXfer:auxv:read::", 17) == 0) {
		bool xml = p[6] == 'f';

		q = p + (xml ? 31 : 17);
		off = num(&q);
		len = *q == ',' ? (q++, num(&q)) : 0;
		if (xml)
			say_xfer(g, target_xml, sizeof(target_xml) - 1, off,
			    len);
		else
			say_xfer(g, (const char *)vm->auxv,
			    vm->auxv_words * 8ull, off, len);
	}
}

/*
 * What a packet asks: 0 stay stopped, 1 resume, 2 the run ended (killed, or
 * a stop meanwhile), -1 gdb went away.
 */
static int handle(struct svm_vm *vm, struct gdb *g)
{
	const char *p = g->pkt;
	unsigned n;
	int rc;

	g->reply_len = 0;
	switch (p[0]) {
	case '?':
		say_stop(g);
		break;
	case 'g':
		for (n = 0; n < NREGS; n++)
			say_reg(g, n);
		break;
	case 'G':
		for (n = 0, p++; n < NREGS && *p != '\0'; n++) {
			uint64_t *v;
			unsigned size = reg(g, n, &v);

			if (set_reg(g, n, p) < 0)
				break;
			p += 2 * size;
		}
		say(g, "OK");
		break;
	case 'p':
		p++;
		if ((n = (unsigned)num(&p)) < NREGS)
			say_reg(g, n);
		else
			say(g, "E00");
		break;
	case 'P':
		p++;
		n = (unsigned)num(&p);
		say(g,
		    n < NREGS && *p == '=' && set_reg(g, n, p + 1) == 0 ?
		        "OK" :
		        "E00");
		break;
	case 'm':
	case 'M':
		mem_packet(vm, g, p);
		break;
	case 'Z':
	case 'z':
		bp_packet(vm, g, p);
		break;
	case 'c':
	case 's':
	case 'C':
	case 'S':
		/* A signal to deliver cannot be: nothing delivers one. */
		g->stepping = p[0] == 's' || p[0] == 'S';
		if (p[0] == 'C' || p[0] == 'S')
			p = strchr(p, ';') ? strchr(p, ';') : "";
		if (p[0] != '\0' && p[1] != '\0') {
			uint64_t at;

			p++;
			at = num(&p);
			if ((int64_t)(at << 16) >> 16 == (int64_t)at)
				g->cpu.rip = at; /* canonical */
		}
		return 1;
	case 'v':
		if (strcmp(p, "vCont?") == 0) {
			say(g, "vCont;c;C;s;S");
		} else if (strncmp(p, "vCont;", 6) == 0) {
			/* One thread: the first action is for it. */
			g->stepping = p[6] == 's' || p[6] == 'S';
			return 1;
		} else if (strncmp(p, "vKill", 5) == 0) {
			say(g, "OK");
			(void)send_reply(vm, g);
			vm->stop_signal = SIGKILL;
			vm_end(vm, SVM_END_SIGNAL, "killed by the debugger");
			return 2;
		}
		break;
	case 'k':
		vm->stop_signal = SIGKILL;
		vm_end(vm, SVM_END_SIGNAL, "killed by the debugger");
		return 2;
	case 'D':
		remove_all(vm, g);
		g->detached = true;
		g->stepping = false;
		say(g, "OK");
		(void)send_reply(vm, g);
		return 1;
	case 'H':
	case 'T':
		say(g, "OK"); /* the one thread */
		break;
	case 'q':
		query(vm, g, p);
		break;
	}
	rc = send_reply(vm, g);
	return rc == 0 ? 0 : rc == 1 ? 2 : -1;
}

/*
 * Leave the stop: the program's registers back into the vCPU, TF for a
 * step. 0 to run the guest, 1 if the run ends (vm->end set), 2 at a fault
 * the program cannot go on from, which the caller reports.
 */
static int leave(struct svm_vm *vm, struct gdb *g)
{
	struct svm_cpu c = g->cpu;

	if (g->fatal)
		return 2;
	if (g->stepping)
		c.rflags |= TF;
	else
		c.rflags &= ~TF;
	if (vm->be->set_cpu(vm, &c) < 0)
		return vm_end(vm, SVM_END_MONITOR_ERROR,
		    "gdb: cannot resume the program");
	return 0;
}

/* A stop: tell gdb if it waits, serve it until it resumes. As leave(). */
static int stop(struct svm_vm *vm, struct gdb *g)
{
	int rc;

	if (g->resumed) {
		g->reply_len = 0;
		say_stop(g);
		g->resumed = false;
		if ((rc = send_reply(vm, g)) != 0)
			goto gone;
	}
	for (;;) {
		if ((rc = get_packet(vm, g)) == 0)
			rc = handle(vm, g);
		else if (rc == 1)
			rc = 2;
		if (rc == 2) {
			/*
			 * Killed, or the run ended while stopped: out of the
			 * stub, so that a core has the registers gdb showed
			 * (RIP at the breakpoint, not after its int3).
			 */
			(void)vm->be->set_cpu(vm, &g->cpu);
			return 1;
		}
		if (rc < 0)
			goto gone;
		if (rc == 1)
			break;
	}
	g->resumed = !g->detached;
	return leave(vm, g);
gone:
	/* gdb went away: the program runs on, as after a detach. */
	if (rc == 1)
		return 1;
	remove_all(vm, g);
	g->detached = true;
	g->stepping = false;
	return leave(vm, g);
}

int gdb_accept(struct svm_vm *vm, unsigned port, char *err, size_t errlen)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	uint64_t len = 1;
	struct gdb *g;
	int lfd, fd, on = 1;

	if (vm->be->get_cpu == NULL || vm->be->set_cpu == NULL) {
		snprintf(err, errlen, "--gdb: the %s backend cannot debug",
		    vm->be->name);
		return SVM_STATUS_USAGE;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL) {
		snprintf(err, errlen, "--gdb: out of memory");
		return SVM_STATUS_MONITOR;
	}
	vm->gdb = g;
	g->entry = vm->img.entry;
	if (mem(vm, g->entry, &len, true) == NULL) {
		snprintf(err, errlen,
		    "--gdb: the entry point is not the program's");
		return SVM_STATUS_BAD_APP;
	}
	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    bind(lfd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(lfd, 1) < 0) {
		if (lfd >= 0)
			close(lfd);
		snprintf(err, errlen,
		    "--gdb: cannot listen on 127.0.0.1:%u: %s", port,
		    strerror(errno));
		return SVM_STATUS_MONITOR;
	}
	fprintf(stderr, "svm-sandbox: waiting for gdb on 127.0.0.1:%u\n", port);
	/* Non-blocking: the monitor waits in vm_wait, which a stop signal or
	 * the timeout ends. */
	while (
	    (fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) < 0) {
		if (errno == EINTR && vm_check_stop(vm)) {
			close(lfd);
			snprintf(err, errlen, "%s", vm->err);
			return 128 + vm->stop_signal;
		}
		if (errno != EINTR) {
			close(lfd);
			snprintf(err, errlen, "--gdb: accept: %s",
			    strerror(errno));
			return SVM_STATUS_MONITOR;
		}
	}
	close(lfd);
	/* Packets are small and answered one by one: no Nagle delay. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	g->fd = vm->gdb_fd = fd;
	if (vm_catch_io(fd) < 0) {
		snprintf(err, errlen, "--gdb: cannot watch the connection: %s",
		    strerror(errno));
		return SVM_STATUS_MONITOR;
	}
	/* The first stop: the program's first instruction. */
	g->entry_byte = vm->mem[g->entry];
	vm->mem[g->entry] = 0xcc;
	return 0;
}

int gdb_fault(struct svm_vm *vm)
{
	struct gdb *g = vm->gdb;
	uint64_t v = vm->fault.vector;

	if (g == NULL || g->detached)
		return 2;
	if ((vm->be->finish != NULL && vm->be->finish(vm) < 0) ||
	    x86_program_cpu(vm, &g->cpu) < 0)
		return vm_end(vm, SVM_END_MONITOR_ERROR,
		    "gdb: cannot read the program's registers");
	g->swbreak = g->fatal = false;
	g->sig = 5; /* SIGTRAP */
	if (v == 3 && !g->started && g->cpu.rip - 1 == g->entry) {
		vm->mem[g->entry] = g->entry_byte;
		g->started = true;
		g->cpu.rip = g->entry;
	} else if (v == 3 && find_bp(g, g->cpu.rip - 1) >= 0) {
		g->cpu.rip--;
		g->swbreak = true;
	} else if (v == 1) {
		g->cpu.rflags &= ~TF;
		/* A step into the guest kernel (a system call): on to its
		 * return. */
		if (g->stepping && g->cpu.rip >= SVM_LOAD_MIN &&
		    g->cpu.rip < SVM_PROGRAM_MIN)
			return leave(vm, g);
	} else if (v != 3) {
		g->sig = gdb_signal(svm_vector_signal(v));
		g->fatal = true;
	}
	return stop(vm, g);
}

int gdb_interrupt(struct svm_vm *vm)
{
	struct gdb *g = vm->gdb;
	bool asked = false;
	ssize_t n;
	size_t i;
	int rc;

	vm->gdb_io = 0;
	if (g == NULL || g->detached || !g->resumed)
		return 0;
	/* What came while the program ran, after what is left unread (acks):
	 * gdb's interrupt is a bare 0x03. */
	memmove(g->rbuf, g->rbuf + g->rpos, g->rlen - g->rpos);
	g->rlen -= g->rpos;
	g->rpos = 0;
	n = read(g->fd, g->rbuf + g->rlen, sizeof(g->rbuf) - g->rlen);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		remove_all(vm, g); /* gdb went away */
		g->detached = true;
		return 0;
	}
	if (n > 0)
		g->rlen += (size_t)n;
	for (i = g->rpos; i < g->rlen && !asked; i++)
		asked = g->rbuf[i] == 3;
	if (!asked)
		return 0;
	g->rpos = i;
	if ((vm->be->finish != NULL && vm->be->finish(vm) < 0) ||
	    (rc = x86_program_cpu(vm, &g->cpu)) < 0)
		return vm_end(vm, SVM_END_MONITOR_ERROR,
		    "gdb: cannot read the program's registers");
	/* In a fault stub: its report, next, is the stop. */
	if (rc == 1)
		return 0;
	g->swbreak = g->fatal = false;
	g->sig = 2; /* SIGINT */
	rc = stop(vm, g);
	return rc == 2 ? 0 : rc;
}

void gdb_end(struct svm_vm *vm)
{
	struct gdb *g = vm->gdb;
	char s[8];

	if (g == NULL || g->detached || !g->resumed)
		return;
	if (vm->end == SVM_END_EXIT)
		snprintf(s, sizeof(s), "W%02x", vm->app_status & 0xff);
	else
		snprintf(s, sizeof(s), "X%02x",
		    vm->end == SVM_END_FAULT ?
		        gdb_signal(svm_vector_signal(vm->fault.vector)) :
		        vm->end == SVM_END_TIMEOUT ? 14 /* SIGALRM */ :
		        vm->end == SVM_END_SIGNAL  ? vm->stop_signal :
		                                     9 /* SIGKILL */);
	g->reply_len = 0;
	say(g, s);
	(void)send_reply(vm, g);
}
