/* reachmap manifests: a cluster's kustomize overlay from the topology
 * (kube/overlay.h makes the files; this parses the options, finds the
 * base and writes the directory). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "kube/overlay.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"
#include "reachmap/topology.h"

#define CMD		   "manifests"
#define MAX_COLLECTORS	   16
#define INTERVAL_MAX	   3600
#define TOPOLOGY_MAX	   (16u * 1024u * 1024u)
#define ZONES		   "zones"
#define KUSTOMIZATION	   "kustomization.yaml"
#define TOPOLOGY_COPY	   "topology.yaml"
#define INSTALLED_BASE_REL "/../share/reachmap/manifests/base"

struct manifests_opts {
	const char *topology, *cluster, *out, *image, *base;
	const char *collectors[MAX_COLLECTORS];
	size_t ncollectors;
	unsigned long interval; /* 0: the base's */
	bool force;
};

static void manifests_usage(FILE *out)
{
	fputs("usage: reachmap manifests --topology T --cluster C --collector URL\n"
	      "                          [--collector URL ...] -o DIR [options]\n"
	      "\n"
	      "Writes the kustomize overlay that deploys the agents of one cluster of\n"
	      "the topology: DIR/kustomization.yaml (the base, the namespace, the image,\n"
	      "the topology as the ConfigMap, the NetworkPolicies' ranges and ports,\n"
	      "the agents' cluster and collectors), DIR/topology.yaml (a copy of T) and\n"
	      "DIR/zones/NAME/kustomization.yaml, one StatefulSet per zone named after\n"
	      "its probes with the ordinal stripped (west-a-0, west-a-1: StatefulSet\n"
	      "west-a, 2 replicas). Then: kubectl apply -k DIR.\n"
	      "\n"
	      "options:\n"
	      "  -t, --topology FILE   the topology (YAML or JSON)\n"
	      "  -c, --cluster NAME    the cluster to deploy\n"
	      "      --collector URL   a collector the agents push to, https://HOST:PORT\n"
	      "                        (or http://); repeat for each\n"
	      "  -o, --output DIR      the overlay's directory (made when missing)\n"
	      "      --image NAME[:TAG]  the image (default reachmap:" REACHMAP_VERSION ");\n"
	      "                        NAME@DIGEST pins a digest\n"
	      "      --base PATH       reachmap's manifests/base (default: the installed\n"
	      "                        share/reachmap/manifests/base, else the source\n"
	      "                        tree's)\n"
	      "      --interval S      seconds between rounds, 1 to 3600 (default: the\n"
	      "                        base's, 10)\n"
	      "      --force           write DIR even when it holds files this command\n"
	      "                        did not write (they are left as they are)\n"
	      "  -h, --help            this text\n"
	      "\n"
	      "A probe of the cluster must be named NAME-ORDINAL, have a zone, and share\n"
	      "its NAME with probes of that zone only; a NAME's ordinals run from 0 with\n"
	      "no gap. Output is the same for the same input: regenerate after a\n"
	      "topology change and review the diff.\n"
	      "\n"
	      "exit codes: 0 written, 2 bad usage, an invalid topology or a probe the\n"
	      "overlay cannot run, or DIR holding other files, 3 a runtime failure.\n",
	      out);
}

static int manifests_opt(struct manifests_opts *o, int opt, char **argv)
{
	switch (opt) {
	case 't':
		o->topology = optarg;
		return EXIT_OK;
	case 'c':
		o->cluster = optarg;
		return EXIT_OK;
	case 'o':
		o->out = optarg;
		return EXIT_OK;
	case 'C':
		if (o->ncollectors == MAX_COLLECTORS)
			return cli_usage_error(CMD, "--collector: at most %d collectors",
					       MAX_COLLECTORS);
		o->collectors[o->ncollectors++] = optarg;
		return EXIT_OK;
	case 'i':
		o->image = optarg;
		return EXIT_OK;
	case 'b':
		o->base = optarg;
		return EXIT_OK;
	case 'I':
		return cli_parse_num(CMD, "--interval", optarg, 1, INTERVAL_MAX,
				     "a whole number of seconds", &o->interval);
	case 'f':
		o->force = true;
		return EXIT_OK;
	default:
		return cli_option_error(CMD, opt, argv);
	}
}

/* EXIT_OK, EXIT_USAGE after a message, or -1 after --help. */
static int manifests_args(int argc, char **argv, struct manifests_opts *o)
{
	static const struct option longopts[] = {
		{ "topology", required_argument, NULL, 't' },
		{ "cluster", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "collector", required_argument, NULL, 'C' },
		{ "image", required_argument, NULL, 'i' },
		{ "base", required_argument, NULL, 'b' },
		{ "interval", required_argument, NULL, 'I' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, rc = EXIT_OK;

	opterr = 0;
	optind = 1;
	while (rc == EXIT_OK && (opt = getopt_long(argc, argv, ":t:c:o:h", longopts, NULL)) != -1) {
		if (opt == 'h') {
			manifests_usage(stdout);
			return -1;
		}
		rc = manifests_opt(o, opt, argv);
	}
	if (rc != EXIT_OK)
		return rc;
	if (optind < argc)
		return cli_usage_error(CMD, "unexpected argument \"%s\"", argv[optind]);
	if (o->topology == NULL || o->cluster == NULL || o->out == NULL || o->ncollectors == 0)
		return cli_usage_error(CMD, "--topology, --cluster, --collector and -o are "
					    "required; see 'reachmap manifests --help'");
	return EXIT_OK;
}

/* A word as the shell reads it back: quoted when it holds anything but
 * letters, digits and -_./:,=+@ . */
static void shell_word(char *buf, size_t len, size_t *at, const char *w)
{
	bool plain = *w != '\0';
	const char *p;

	for (p = w; *p && plain; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			(*p >= '0' && *p <= '9') || strchr("-_./:,=+@", *p);
	if (*at < len)
		*at += (size_t)snprintf(buf + *at, len - *at, " %s", plain ? "" : "'");
	for (p = w; *p && *at < len; p++)
		*at += (size_t)snprintf(buf + *at, len - *at, *p == '\'' ? "'\\''" : "%c", *p);
	if (!plain && *at < len)
		*at += (size_t)snprintf(buf + *at, len - *at, "'");
}

/* The command line that makes the same overlay again, options in one
 * order whatever order they were given in. */
static void command_line(const struct manifests_opts *o, char *buf, size_t len)
{
	char interval[24];
	size_t at = (size_t)snprintf(buf, len, "reachmap manifests"), i;

	shell_word(buf, len, &at, "--topology");
	shell_word(buf, len, &at, o->topology);
	shell_word(buf, len, &at, "--cluster");
	shell_word(buf, len, &at, o->cluster);
	for (i = 0; i < o->ncollectors; i++) {
		shell_word(buf, len, &at, "--collector");
		shell_word(buf, len, &at, o->collectors[i]);
	}
	if (o->image != NULL) {
		shell_word(buf, len, &at, "--image");
		shell_word(buf, len, &at, o->image);
	}
	if (o->base != NULL) {
		shell_word(buf, len, &at, "--base");
		shell_word(buf, len, &at, o->base);
	}
	if (o->interval != 0) {
		snprintf(interval, sizeof(interval), "%lu", o->interval);
		shell_word(buf, len, &at, "--interval");
		shell_word(buf, len, &at, interval);
	}
	shell_word(buf, len, &at, "-o");
	shell_word(buf, len, &at, o->out);
}

/* The topology's bytes and what they load as: EXIT_OK, or the exit code
 * after a message (warnings printed either way). */
static int load(const char *path, char **bytes, size_t *len, struct rm_topology **topo)
{
	struct rm_diag diag;
	size_t i;
	int rc;

	rm_diag_clear(&diag);
	rc = rm_diag_file_read(path, TOPOLOGY_MAX, "topology file", bytes, len, &diag);
	if (rc == RM_OK)
		rc = topo_load_buffer(path, (const uint8_t *)*bytes, *len, topo, &diag);
	for (i = 0; i < diag.nwarnings; i++)
		fprintf(stderr, "reachmap " CMD ": warning: %s\n", diag.warnings[i]);
	if (rc == RM_OK)
		return EXIT_OK;
	fprintf(stderr, "reachmap " CMD ": %s\n", diag.error);
	return rc == RM_ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
}

/* reachmap's manifests/base: the overlay includes its common/ and, from
 * each zone, its agent/. */
static bool is_base(const char *dir)
{
	char k[PATH_MAX];

	if (snprintf(k, sizeof(k), "%s/common/" KUSTOMIZATION, dir) >= (int)sizeof(k) ||
	    access(k, R_OK) != 0)
		return false;
	return snprintf(k, sizeof(k), "%s/agent/" KUSTOMIZATION, dir) < (int)sizeof(k) &&
	       access(k, R_OK) == 0;
}

/* --base, or the installed base next to the binary (share/ beside bin/, as
 * cmake --install and the Debian package lay it out), else the source
 * tree's: realpath'd into abs. EXIT_OK or EXIT_USAGE after a message. */
static int find_base(const char *given, char *abs)
{
	char exe[PATH_MAX], cand[PATH_MAX + 64];
	ssize_t n;
	char *slash;

	if (given != NULL) {
		if (!is_base(given))
			return cli_usage_error(CMD,
					       "--base %s: not reachmap's manifests/base (no "
					       "common/kustomization.yaml and "
					       "agent/kustomization.yaml there)",
					       given);
		return realpath(given, abs)
			   ? EXIT_OK
			   : cli_usage_error(CMD, "--base %s: %s", given, strerror(errno));
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	if ((slash = strrchr(exe, '/')) != NULL)
		*slash = '\0';
	snprintf(cand, sizeof(cand), "%s" INSTALLED_BASE_REL, exe);
	if (n > 0 && is_base(cand) && realpath(cand, abs))
		return EXIT_OK;
	if (is_base(REACHMAP_SOURCE_DIR "/manifests/base") &&
	    realpath(REACHMAP_SOURCE_DIR "/manifests/base", abs))
		return EXIT_OK;
	return cli_usage_error(CMD,
			       "no manifests/base found (looked in %s and %s); give --base PATH",
			       cand, REACHMAP_SOURCE_DIR "/manifests/base");
}

/* path made absolute and normalized like realpath, also when its last
 * components do not exist yet (the overlay's directory before it is made).
 * False when it cannot be. */
static bool abs_path(const char *path, char *out, int depth)
{
	char parent[PATH_MAX];
	const char *last;
	size_t plen;

	if (realpath(path, out) != NULL)
		return true;
	if (errno != ENOENT || depth > 64 || strlen(path) >= sizeof(parent))
		return false;
	strcpy(parent, path);
	while ((plen = strlen(parent)) > 1 && parent[plen - 1] == '/')
		parent[plen - 1] = '\0';
	last = strrchr(parent, '/');
	if (last == NULL) {
		if (!abs_path(".", out, depth + 1))
			return false;
		last = parent;
	} else {
		parent[last - parent] = '\0';
		if (!abs_path(parent[0] ? parent : "/", out, depth + 1))
			return false;
		last++;
	}
	if (strcmp(last, "..") == 0) {
		char *s = strrchr(out, '/');

		s[s == out] = '\0';
		return true;
	}
	if (strcmp(last, ".") == 0 || *last == '\0')
		return true;
	plen = strlen(out);
	return snprintf(out + plen, PATH_MAX - plen, "%s%s", out[plen - 1] == '/' ? "" : "/",
			last) < (int)(PATH_MAX - plen);
}

/* Whether the file at path starts with the overlay's header. */
static bool generated(const char *path)
{
	char head[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW);

	if (fd < 0)
		return false;
	n = read(fd, head, sizeof(head));
	close(fd);
	return n > 0 && kube_is_generated(head, (size_t)n);
}

/* What the overlay's directory may hold without --force: files this
 * command wrote (the header), the topology copy beside a kustomization it
 * wrote, and the zones' directories. `worst` keeps the first other path in
 * name order, so the message is the same on every run. */
struct scan {
	char worst[PATH_MAX];
	bool ours_top;
};

static void note_foreign(struct scan *s, const char *path)
{
	if (s->worst[0] == '\0' || strcmp(path, s->worst) < 0)
		snprintf(s->worst, sizeof(s->worst), "%s", path);
}

/* level 0: DIR, 1: DIR/zones, 2: DIR/zones/NAME. */
static void scan_dir(struct scan *s, const char *dir, int level)
{
	char path[PATH_MAX];
	struct dirent *e;
	struct stat st;
	DIR *d = opendir(dir);

	if (d == NULL) {
		note_foreign(s, dir);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		bool ok = false;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode) &&
		    (level == 1 || (level == 0 && !strcmp(e->d_name, ZONES)))) {
			scan_dir(s, path, level + 1);
			continue;
		}
		if (S_ISREG(st.st_mode) && level != 1) {
			if (strcmp(e->d_name, KUSTOMIZATION) == 0)
				ok = generated(path);
			else if (level == 0 && strcmp(e->d_name, TOPOLOGY_COPY) == 0)
				ok = s->ours_top;
		}
		if (!ok)
			note_foreign(s, path);
	}
	closedir(d);
}

static int check_dir(const struct manifests_opts *o)
{
	struct scan s = { .worst = "" };
	char top[PATH_MAX];
	struct stat st;

	if (stat(o->out, &st) != 0)
		return errno == ENOENT ? EXIT_OK
				       : cli_usage_error(CMD, "-o %s: %s", o->out, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return cli_usage_error(CMD, "-o %s: not a directory", o->out);
	snprintf(top, sizeof(top), "%s/" KUSTOMIZATION, o->out);
	s.ours_top = generated(top);
	scan_dir(&s, o->out, 0);
	if (s.worst[0] == '\0' || o->force)
		return EXIT_OK;
	return cli_usage_error(CMD,
			       "%s: not written by reachmap manifests; give --force to write %s "
			       "anyway (other files are left as they are)",
			       s.worst, o->out);
}

/* A zone this command wrote before that the topology no longer has: its
 * directory goes, or at least its kustomization (other files, kept under
 * --force, keep the directory). */
static void remove_stale_zones(const char *out, const struct kube_overlay *ov)
{
	char zones[PATH_MAX], path[PATH_MAX];
	struct dirent *e;
	size_t i;
	DIR *d;

	snprintf(zones, sizeof(zones), "%s/" ZONES, out);
	if ((d = opendir(zones)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		bool keep = e->d_name[0] == '.';

		for (i = 0; i < ov->nsets && !keep; i++)
			keep = strcmp(e->d_name, ov->sets[i].name) == 0;
		if (keep ||
		    snprintf(path, sizeof(path), "%s/%s/" KUSTOMIZATION, zones, e->d_name) >=
			(int)sizeof(path) ||
		    !generated(path))
			continue;
		if (unlink(path) == 0 &&
		    snprintf(path, sizeof(path), "%s/%s", zones, e->d_name) < (int)sizeof(path))
			rmdir(path);
	}
	closedir(d);
}

/* mkdir -p of path's directories (not its last component): EXIT_OK, or
 * EXIT_RUNTIME after a message naming the one that could not be made. */
static int make_parents(const char *path)
{
	char buf[PATH_MAX];
	char *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
			fprintf(stderr, "reachmap " CMD ": cannot make %s: %s\n", buf,
				strerror(errno));
			return EXIT_RUNTIME;
		}
		*p = '/';
	}
	return EXIT_OK;
}

static int write_file(const char *dir, const struct kube_file *f)
{
	char path[PATH_MAX];
	FILE *fp;
	int bad;

	if (snprintf(path, sizeof(path), "%s/%s", dir, f->path) >= (int)sizeof(path)) {
		fprintf(stderr, "reachmap " CMD ": %s/%s: path too long\n", dir, f->path);
		return EXIT_RUNTIME;
	}
	if (make_parents(path) != EXIT_OK)
		return EXIT_RUNTIME;
	if ((fp = fopen(path, "wb")) == NULL) {
		fprintf(stderr, "reachmap " CMD ": cannot write %s: %s\n", path, strerror(errno));
		return EXIT_RUNTIME;
	}
	bad = fwrite(f->data, 1, f->len, fp) != f->len;
	bad |= fclose(fp) != 0;
	if (bad) {
		fprintf(stderr, "reachmap " CMD ": cannot write %s: %s\n", path, strerror(errno));
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

static void summary(const struct manifests_opts *o, const struct kube_overlay *ov)
{
	size_t i;

	printf("%s: cluster %s, %zu StatefulSet%s\n", o->out, o->cluster, ov->nsets,
	       ov->nsets == 1 ? "" : "s");
	for (i = 0; i < ov->nsets; i++)
		printf("  %-20s %3u pod%s in %s\n", ov->sets[i].name, ov->sets[i].replicas,
		       ov->sets[i].replicas == 1 ? " " : "s", ov->sets[i].zone);
	printf("apply with: kubectl apply -k %s\n", o->out);
}

/* The overlay's files from the loaded topology into o->out: EXIT_OK or the
 * exit code after a message. */
static int generate(const struct manifests_opts *o, const struct rm_topology *topo,
		    const char *bytes, size_t len, struct kube_overlay_opts *ko)
{
	char base[PATH_MAX], dir[PATH_MAX], command[4096];
	struct kube_overlay *ov = NULL;
	struct rm_diag diag;
	char *rel = NULL;
	size_t i;
	int rc, exitcode;

	if ((exitcode = find_base(o->base, base)) != EXIT_OK)
		return exitcode;
	if (!abs_path(o->out, dir, 0))
		return cli_usage_error(CMD, "-o %s: %s", o->out, strerror(errno));
	if ((rel = kube_relpath(dir, base)) == NULL)
		return cli_usage_error(CMD, "out of memory");
	if (strcmp(rel, ".") == 0) {
		rm_free(rel);
		return cli_usage_error(CMD, "-o %s is the base itself", o->out);
	}
	if ((exitcode = check_dir(o)) != EXIT_OK)
		goto out;
	command_line(o, command, sizeof(command));
	ko->base = rel;
	ko->command = command;
	ko->topology = (const uint8_t *)bytes;
	ko->topology_len = len;
	rc = kube_overlay_build(topo, ko, &ov, &diag);
	for (i = 0; i < diag.nwarnings; i++)
		fprintf(stderr, "reachmap " CMD ": warning: %s\n", diag.warnings[i]);
	if (rc != RM_OK) {
		exitcode = rc == RM_ENOMEM ? EXIT_RUNTIME : EXIT_USAGE;
		fprintf(stderr, "reachmap " CMD ": %s\n",
			rc == RM_ENOMEM ? rm_strerror(rc) : diag.error);
		goto out;
	}
	for (i = 0; i < ov->nfiles && exitcode == EXIT_OK; i++)
		exitcode = write_file(o->out, &ov->files[i]);
	if (exitcode == EXIT_OK) {
		remove_stale_zones(o->out, ov);
		summary(o, ov);
	}
out:
	kube_overlay_free(ov);
	rm_free(rel);
	return exitcode;
}

int cmd_manifests(int argc, char **argv)
{
	struct manifests_opts o = { 0 };
	struct kube_overlay_opts ko = { 0 };
	struct rm_topology *topo = NULL;
	char *bytes = NULL;
	const char *why;
	size_t len = 0;
	int exitcode = manifests_args(argc, argv, &o);

	if (exitcode != EXIT_OK)
		return exitcode < 0 ? EXIT_OK : exitcode;
	switch (
	    kube_image_parse(o.image ? o.image : "reachmap:" REACHMAP_VERSION, &ko.image, &why)) {
	case RM_OK:
		break;
	case RM_ENOMEM:
		return cli_usage_error(CMD, "out of memory");
	default:
		return cli_usage_error(CMD, "--image %s: %s; give NAME[:TAG] or NAME@DIGEST",
				       o.image, why);
	}
	if ((exitcode = load(o.topology, &bytes, &len, &topo)) != EXIT_OK)
		goto out;
	if (topo_cluster(topo, o.cluster) == NULL) {
		exitcode = cli_usage_error(CMD, "--cluster %s: no such cluster in %s", o.cluster,
					   o.topology);
		goto out;
	}
	ko.cluster = o.cluster;
	ko.collectors = o.collectors;
	ko.ncollectors = o.ncollectors;
	ko.interval = (unsigned)o.interval;
	exitcode = generate(&o, topo, bytes, len, &ko);
out:
	kube_image_clear(&ko.image);
	topo_free(topo);
	rm_free(bytes);
	return exitcode;
}
