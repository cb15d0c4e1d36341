/* Fuzzes the collector's way from a pushed body to the store: the body is
 * pushed (live_ingest: the results reader, the sender's check, the cells'
 * merge, a real SQLite transaction) and registered (live_register), and
 * every so often the live report is analyzed and rendered from what the
 * store and the memory then hold. The store is a real file, made once per
 * process; the topology is the lab's two-cluster one, so recorded lab
 * documents in the corpus reach the merge and the store. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collector/live.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char topology[] =
    "version: 1\n"
    "defaults:\n  ports:\n    - {name: gossip, port: 7000}\n"
    "    - {name: cql, port: 9042, protocol: cql}\n"
    "clusters:\n"
    "  - name: east\n    zones: [us-east1-b, us-east1-c]\n"
    "    cidrs: {nodes: [10.150.0.0/16], pods: [10.250.0.0/16], services: [10.96.0.0/16]}\n"
    "    dns: {domain: east.cluster.local, servers: [10.96.0.10]}\n"
    "    probes:\n"
    "      - {name: east-b-0, zone: us-east1-b, address: 10.250.1.10}\n"
    "      - {name: east-c-0, zone: us-east1-c, address: 10.250.2.10}\n"
    "    targets:\n"
    "      - {name: dc-east-rack1-sts-0, zone: us-east1-b, address: 10.250.1.20}\n"
    "  - name: west\n    zones: [us-west1-a]\n"
    "    cidrs: {nodes: [10.100.0.0/16], pods: [10.200.0.0/16], services: [10.97.0.0/16]}\n"
    "    dns: {domain: west.cluster.local, servers: [10.97.0.10]}\n"
    "    probes:\n"
    "      - {name: west-a-0, zone: us-west1-a, address: 10.200.1.10}\n";

static struct rm_topology *topo;
static struct store *store;
static struct live *live;
static char dir[64] = "/tmp/reachmap-fuzz-collector-XXXXXX", db[96];
static int64_t now = 1796000000000LL;

static void cleanup(void)
{
	char path[128];

	live_free(live);
	if (store != NULL)
		store->ops->close(store);
	topo_free(topo);
	snprintf(path, sizeof(path), "%s-wal", db);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", db);
	unlink(path);
	unlink(db);
	rmdir(dir);
}

static void start(void)
{
	struct live_opts o = { .interval_ms = 10000, .retain = 3 };
	struct rm_diag d;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(db, sizeof(db), "%s/fuzz.db", dir);
	if (topo_load_buffer("fuzz-topology.yaml", (const uint8_t *)topology, sizeof(topology) - 1,
			     &topo, &d) != RM_OK ||
	    store_sqlite.open(db, &(struct store_opts){ 0 }, &store, &d) != RM_OK ||
	    live_new(topo, store, &o, now, &live, &d) != RM_OK) {
		fprintf(stderr, "fuzz_collector: %s\n", d.error);
		abort();
	}
	atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned n;
	struct live_ingest_info info;
	struct rm_diag d;
	char *out = NULL;
	size_t len;
	int rc;

	if (live == NULL)
		start();
	now += 1000;
	rm_diag_clear(&d);
	rc = live_ingest(live, (const char *)data, size, data, size, false, now, &info, &d);
	/* A refusal always says why; an acceptance always names the probe. */
	if ((rc == RM_EPARSE || rc == RM_ENOTFOUND) && d.error[0] == '\0')
		__builtin_trap();
	if (rc == RM_OK && info.probe == NULL)
		__builtin_trap();
	rm_diag_clear(&d);
	rc = live_register(live, (const char *)data, size, now, &d);
	if (rc != RM_OK && rc != RM_ENOMEM && d.error[0] == '\0')
		__builtin_trap();
	if (++n % 16 == 1) {
		if (live_report(live, "json", now, &out, &len, NULL, &d) == RM_OK &&
		    strlen(out) != len)
			__builtin_trap();
		rm_free(out);
		live_prune(live, now, true, &d);
	}
	return 0;
}
