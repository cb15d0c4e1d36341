/* The address table of probes/resolve.h: learned addresses and the safety
 * rule, resolving in bounded time when no server answers, and (as root,
 * which may bind port 53 on a loopback address) resolving against a small
 * DNS server of this test's own: an answer inside the cluster's ranges
 * taken, one outside refused with a note, NXDOMAIN a note and no address,
 * a set address winning over a resolved one. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "probes/resolve.h"
#include "reachmap/error.h"

static const char topo_text[] = "version: 1\n"
				"clusters:\n"
				"  - name: west\n"
				"    cidrs: {pods: [10.200.0.0/16]}\n"
				"    probes:\n"
				"      - {name: p0, dnsName: p0.west.test}\n"
				"      - {name: p1, address: 10.200.1.1, dnsName: p1.west.test}\n"
				"    targets:\n"
				"      - {name: t0, dnsName: t0.west.test}\n"
				"  - name: east\n"
				"    cidrs: {pods: [10.250.0.0/16]}\n"
				"    probes:\n"
				"      - {name: e0, dnsName: e0.east.test}\n";

struct notes {
	char v[8][512];
	size_t n;
};

static void on_note(const char *msg, void *arg)
{
	struct notes *ns = arg;

	if (ns->n < 8)
		snprintf(ns->v[ns->n++], sizeof(ns->v[0]), "%s", msg);
}

/* Whether a note starts with `prefix`: the order of c-ares's answers is
 * not the topology's. */
static bool has_note(const struct notes *ns, const char *prefix)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		if (strncmp(ns->v[i], prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

static struct rm_topology *load(void)
{
	struct rm_topology *t = NULL;
	struct rm_diag d;

	assert_int_equal(
	    topo_load_buffer("t.yaml", (const uint8_t *)topo_text, strlen(topo_text), &t, &d),
	    RM_OK);
	return t;
}

static struct rm_addr addr(const char *s)
{
	struct rm_addr a;

	assert_int_equal(cidr_addr_parse(s, &a), RM_OK);
	return a;
}

static void addr_is(const struct rm_addr *a, const char *want)
{
	char buf[RM_ADDR_STRLEN];

	assert_non_null(a);
	assert_string_equal(cidr_addr_format(a, buf, sizeof(buf)), want);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void test_set_and_get(void **state)
{
	struct rm_topology *t = load();
	struct probe_addrs *a;
	struct notes ns = { .n = 0 };
	struct rm_addr x;

	(void)state;
	assert_int_equal(probe_addrs_new(t, NULL, on_note, &ns, &a), RM_OK);
	/* Nothing known yet: the topology's address, or none. */
	assert_null(probe_addrs_get(a, "west", "p0"));
	assert_null(probe_addrs_get(a, "west", "p1"));
	x = addr("10.200.5.5");
	assert_int_equal(probe_addrs_set(a, "west", "p0", &x), RM_OK);
	addr_is(probe_addrs_get(a, "west", "p0"), "10.200.5.5");
	assert_true(probe_addrs_learned(a, "west", "p0"));
	assert_false(probe_addrs_learned(a, "west", "p1"));
	/* The safety rule: outside the cluster's ranges (east's), reserved. */
	x = addr("10.250.1.1");
	assert_int_equal(probe_addrs_set(a, "west", "p0", &x), RM_ERANGE);
	x = addr("127.0.0.1");
	assert_int_equal(probe_addrs_set(a, "west", "p0", &x), RM_ERANGE);
	x = addr("169.254.169.254");
	assert_int_equal(probe_addrs_set(a, "west", "t0", &x), RM_ERANGE);
	assert_int_equal(ns.n, 3);
	assert_string_equal(ns.v[0], "p0 (west): the address 10.250.1.1 it was given is not "
				     "probed: outside the cluster's ranges");
	assert_non_null(strstr(ns.v[1], "p0 (west): the address 127.0.0.1 it was given is not "
					"probed: "));
	assert_non_null(strstr(ns.v[2], "t0 (west): the address 169.254.169.254"));
	/* A refused address leaves what was there. */
	addr_is(probe_addrs_get(a, "west", "p0"), "10.200.5.5");
	assert_null(probe_addrs_get(a, "west", "t0"));
	/* Names are looked up in their own cluster only. */
	x = addr("10.250.1.1");
	assert_int_equal(probe_addrs_set(a, "west", "e0", &x), RM_ENOTFOUND);
	assert_int_equal(probe_addrs_set(a, "west", "nobody", &x), RM_ENOTFOUND);
	assert_null(probe_addrs_get(a, "west", "e0"));
	assert_int_equal(probe_addrs_set(a, "east", "e0", &x), RM_OK);
	addr_is(probe_addrs_get(a, "east", "e0"), "10.250.1.1");
	/* A pod that moved: a learned address wins over the topology's. */
	x = addr("10.200.9.9");
	assert_int_equal(probe_addrs_set(a, "west", "p1", &x), RM_OK);
	addr_is(probe_addrs_get(a, "west", "p1"), "10.200.9.9");
	/* Forgotten: back to the topology's (p1) or none (p0). */
	assert_int_equal(probe_addrs_set(a, "west", "p1", NULL), RM_OK);
	assert_int_equal(probe_addrs_set(a, "west", "p0", NULL), RM_OK);
	assert_null(probe_addrs_get(a, "west", "p1"));
	assert_null(probe_addrs_get(a, "west", "p0"));
	assert_false(probe_addrs_learned(a, "west", "p0"));
	assert_int_equal(ns.n, 3);
	probe_addrs_free(a);
	topo_free(t);
}

/* A resolv.conf in the test's temporary directory. */
static void write_resolv(char *path, size_t len, const char *server)
{
	FILE *f;
	int fd;

	snprintf(path, len, "/tmp/rm-test-resolve.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "nameserver %s\n", server);
	fclose(f);
}

/* No server answers (nothing listens at 127.0.0.2:53): every name without
 * an address is a note and no address, within the batch's time; learned
 * addresses stay. */
static void test_resolve_no_server(void **state)
{
	struct rm_topology *t = load();
	struct probe_addrs *a;
	struct notes ns = { .n = 0 };
	char resolv[64];
	struct rm_addr x = addr("10.250.3.3");
	uint64_t start;
	size_t i;

	(void)state;
	write_resolv(resolv, sizeof(resolv), "127.0.0.2");
	assert_int_equal(probe_addrs_new(t, resolv, on_note, &ns, &a), RM_OK);
	assert_int_equal(probe_addrs_set(a, "east", "e0", &x), RM_OK);
	start = now_ms();
	assert_int_equal(probe_addrs_resolve(a, 600), RM_OK);
	assert_true(now_ms() - start < 600 + 400);
	assert_null(probe_addrs_get(a, "west", "p0"));
	assert_null(probe_addrs_get(a, "west", "t0"));
	addr_is(probe_addrs_get(a, "east", "e0"), "10.250.3.3");
	/* p0, t0 and e0 are asked (p1 has its address); none resolves. */
	assert_int_equal(ns.n, 3);
	for (i = 0; i < ns.n; i++)
		print_message("note: %s\n", ns.v[i]);
	for (i = 0; i < ns.n; i++)
		assert_true(strstr(ns.v[i], "does not resolve") != NULL ||
			    strstr(ns.v[i], "no answer within 600 ms") != NULL);
	probe_addrs_free(a);
	unlink(resolv);
	topo_free(t);
}

/* ---- a DNS server of the test's own (RFC 1035 4.1) -------------------- */

struct fake_dns {
	int fd;
	atomic_bool stop;
	atomic_bool p0_gone; /* p0.west.test answers NXDOMAIN from now on */
	pthread_t thread;
};

/* The question's name in dotted form; the question's end in *qend. */
static int read_qname(const uint8_t *q, size_t n, char *name, size_t len, size_t *qend)
{
	size_t off = 12, used = 0;

	while (off < n && q[off] != 0) {
		size_t l = q[off];

		if (l > 63 || off + 1 + l > n || used + l + 2 > len)
			return -1;
		if (used)
			name[used++] = '.';
		memcpy(name + used, q + off + 1, l);
		used += l;
		off += 1 + l;
	}
	name[used] = '\0';
	if (off + 5 > n)
		return -1;
	*qend = off + 5; /* the root label, qtype, qclass */
	return 0;
}

/* The answer to query q: A records of the names below, NXDOMAIN for the
 * rest, no records (NODATA) for AAAA. */
static size_t answer(struct fake_dns *s, const uint8_t *q, size_t n, uint8_t *out)
{
	char name[256];
	size_t qend, len;
	uint16_t qtype;
	const char *a = NULL;
	bool nx = false;

	if (n < 12 || read_qname(q, n, name, sizeof(name), &qend) != 0)
		return 0;
	qtype = (uint16_t)(q[qend - 4] << 8 | q[qend - 3]);
	if (strcmp(name, "p0.west.test") == 0 && !atomic_load(&s->p0_gone))
		a = "10.200.7.7";
	else if (strcmp(name, "t0.west.test") == 0)
		a = "192.168.1.1";
	else
		nx = true;
	memcpy(out, q, qend);
	out[2] = 0x81;		   /* QR, RD */
	out[3] = nx ? 0x83 : 0x80; /* RA; NXDOMAIN */
	out[6] = 0;
	out[7] = (uint8_t)(a != NULL && qtype == 1);
	memset(out + 8, 0, 4);
	len = qend;
	if (out[7]) {
		static const uint8_t rr[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4 };

		memcpy(out + len, rr, sizeof(rr));
		len += sizeof(rr);
		inet_pton(AF_INET, a, out + len);
		len += 4;
	}
	return len;
}

static void *serve_dns(void *arg)
{
	struct fake_dns *s = arg;

	while (!atomic_load(&s->stop)) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		uint8_t q[512], r[600];
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n;
		size_t len;

		if (poll(&p, 1, 50) <= 0)
			continue;
		n = recvfrom(s->fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
		if (n <= 0)
			continue;
		len = answer(s, q, (size_t)n, r);
		if (len > 0)
			sendto(s->fd, r, len, 0, (struct sockaddr *)&from, fl);
	}
	return NULL;
}

static int fake_dns_start(struct fake_dns *s, const char *ip)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(53) };

	atomic_init(&s->stop, false);
	atomic_init(&s->p0_gone, false);
	inet_pton(AF_INET, ip, &sin.sin_addr);
	s->fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		if (s->fd >= 0)
			close(s->fd);
		return -1;
	}
	return pthread_create(&s->thread, NULL, serve_dns, s) == 0 ? 0 : -1;
}

static void fake_dns_stop(struct fake_dns *s)
{
	atomic_store(&s->stop, true);
	pthread_join(s->thread, NULL);
	close(s->fd);
}

static void test_resolve_answers(void **state)
{
	struct rm_topology *t;
	struct probe_addrs *a;
	struct notes ns = { .n = 0 };
	struct fake_dns s;
	char resolv[64];
	struct rm_addr x = addr("10.200.8.8");

	(void)state;
	if (geteuid() != 0 || fake_dns_start(&s, "127.77.0.1") != 0) {
		print_message("SKIP: binding 127.77.0.1:53 needs root\n");
		skip();
	}
	t = load();
	write_resolv(resolv, sizeof(resolv), "127.77.0.1");
	assert_int_equal(probe_addrs_new(t, resolv, on_note, &ns, &a), RM_OK);
	assert_int_equal(probe_addrs_resolve(a, 2000), RM_OK);
	addr_is(probe_addrs_get(a, "west", "p0"), "10.200.7.7");
	assert_false(probe_addrs_learned(a, "west", "p0"));
	/* t0's only answer is outside west's ranges; e0 does not exist. */
	assert_null(probe_addrs_get(a, "west", "t0"));
	assert_null(probe_addrs_get(a, "east", "e0"));
	assert_int_equal(ns.n, 2);
	assert_true(has_note(&ns, "e0 (east): e0.east.test does not resolve: "));
	assert_true(has_note(&ns, "t0 (west): t0.west.test resolves to 192.168.1.1, none inside "
				  "the cluster's ranges: not probed"));
	/* A set address wins over the resolved one, and stays. */
	assert_int_equal(probe_addrs_set(a, "west", "p0", &x), RM_OK);
	assert_int_equal(probe_addrs_resolve(a, 2000), RM_OK);
	addr_is(probe_addrs_get(a, "west", "p0"), "10.200.8.8");
	/* Forgotten, and the name gone: no address any more. */
	assert_int_equal(probe_addrs_set(a, "west", "p0", NULL), RM_OK);
	addr_is(probe_addrs_get(a, "west", "p0"), "10.200.7.7");
	atomic_store(&s.p0_gone, true);
	assert_int_equal(probe_addrs_resolve(a, 2000), RM_OK);
	assert_null(probe_addrs_get(a, "west", "p0"));
	probe_addrs_free(a);
	fake_dns_stop(&s);
	unlink(resolv);
	topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_and_get),
		cmocka_unit_test(test_resolve_no_server),
		cmocka_unit_test(test_resolve_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
