/* bench/collect's client side: see collect_load.h. The load is open-loop:
 * a push is due at its time whether or not the server has answered the
 * earlier ones, and its latency counts from when it was due, so a server
 * that falls behind shows it in the figures instead of slowing the
 * generator down to its pace (coordinated omission). */
#include "collect_load.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reachmap/alloc.h"
#include "reachmap/error.h"

extern char **environ;

#define DRAIN_S	    15.0 /* for the answers outstanding when the last push is due */
#define MAX_SAMPLES 4096 /* memory and db size, one a second */

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double load_now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

void load_proc_mem(pid_t pid, unsigned long *rss_kib, unsigned long *hwm_kib)
{
	char path[64], line[256];
	FILE *f;

	*rss_kib = *hwm_kib = 0;
	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			*rss_kib = strtoul(line + 6, NULL, 10);
		else if (strncmp(line, "VmHWM:", 6) == 0)
			*hwm_kib = strtoul(line + 6, NULL, 10);
	}
	fclose(f);
}

/* utime + stime of pid in clock ticks (/proc/PID/stat fields 14 and 15,
 * after the command name in parentheses, which may hold spaces). */
static unsigned long long proc_cpu_ticks(pid_t pid)
{
	char path[64], line[1024], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	p = fgets(line, sizeof(line), f);
	fclose(f);
	if (p == NULL || (p = strrchr(line, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return 0;
	return ut + st;
}

bool load_wait_idle(pid_t pid, double timeout_s)
{
	double end = load_now() + timeout_s, tick = (double)sysconf(_SC_CLK_TCK);

	while (load_now() < end) {
		unsigned long long a = proc_cpu_ticks(pid), b;

		sleep_s(0.5);
		b = proc_cpu_ticks(pid);
		if ((double)(b - a) / tick < 0.05) /* under 10% of a CPU for half a second */
			return true;
	}
	return false;
}

/* The database and its write-ahead log: what the store takes on disk. */
static double db_bytes(const char *db)
{
	char wal[4096];
	struct stat st;
	double n = 0;

	if (stat(db, &st) == 0)
		n += (double)st.st_size;
	snprintf(wal, sizeof(wal), "%s-wal", db);
	if (stat(wal, &st) == 0)
		n += (double)st.st_size;
	return n;
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

static size_t keep(char *p, size_t size, size_t n, void *ud)
{
	return gen_buf_add(ud, p, size * n) == RM_OK ? size * n : 0;
}

struct slot {
	CURL *e;
	struct gen_buf body;
	char url[512];
	double due;
	unsigned round;
	bool busy;
};

struct run {
	const struct load_cfg *c;
	struct load_res *r;
	CURLM *multi;
	struct curl_slist *hdrs;
	struct slot *slots;
	/* Answers to first rounds (every cell of the probe new to the
	 * collector) apart from the rest: a fleet starts once, then runs. */
	double *lat_ms, *first_ms;
	size_t nlat, nfirst, inflight;
	double t0, wall0, step;
	double samp_t[MAX_SAMPLES], samp_db[MAX_SAMPLES];
	size_t nsamp;
};

static int slot_setup(struct run *u, struct slot *s)
{
	if ((s->e = curl_easy_init()) == NULL)
		return RM_ENOMEM;
	curl_easy_setopt(s->e, CURLOPT_HTTPHEADER, u->hdrs);
	curl_easy_setopt(s->e, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(s->e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->e, CURLOPT_TIMEOUT_MS, 30000L);
	curl_easy_setopt(s->e, CURLOPT_PRIVATE, s);
	if (u->c->put)
		curl_easy_setopt(s->e, CURLOPT_CUSTOMREQUEST, "PUT");
	return RM_OK;
}

/* Starts push i on a free connection; RM_EEXIST when all are busy. */
static int start_push(struct run *u, size_t i)
{
	const struct load_cfg *c = u->c;
	struct slot *s = NULL;
	double due = u->t0 + (double)i * u->step, now = load_now();
	int rc;

	for (unsigned j = 0; j < c->conns && s == NULL; j++)
		if (!u->slots[j].busy)
			s = &u->slots[j];
	if (s == NULL)
		return RM_EEXIST;
	rc =
	    c->body(c->ctx, (unsigned)(i % c->fleet), (unsigned)(i / c->fleet),
		    (time_t)(u->wall0 + (double)i * u->step) - 2, &s->body, s->url, sizeof(s->url));
	if (rc != RM_OK)
		return rc;
	curl_easy_setopt(s->e, CURLOPT_URL, s->url);
	curl_easy_setopt(s->e, CURLOPT_POSTFIELDS, s->body.p);
	curl_easy_setopt(s->e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)s->body.n);
	if (curl_multi_add_handle(u->multi, s->e) != CURLM_OK)
		return RM_ENOMEM;
	s->due = due;
	s->round = (unsigned)(i / c->fleet);
	s->busy = true;
	u->inflight++;
	u->r->sent++;
	u->r->body_bytes += s->body.n;
	if ((now - due) * 1e3 > u->r->wait_max_ms)
		u->r->wait_max_ms = (now - due) * 1e3;
	return RM_OK;
}

static void note_failure(struct load_res *r, long code, const char *what)
{
	r->failed++;
	if (r->first_code == 0 && r->first_error[0] == '\0') {
		r->first_code = code;
		snprintf(r->first_error, sizeof(r->first_error), "%s", what);
	}
}

static void collect_answers(struct run *u)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(u->multi, &left)) != NULL) {
		struct slot *s = NULL;
		long code = 0;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&s);
		curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &code);
		if (m->data.result != CURLE_OK)
			note_failure(u->r, 0, curl_easy_strerror(m->data.result));
		else if (u->c->expect ? code != u->c->expect : code < 200 || code > 299)
			note_failure(u->r, code, "unexpected HTTP status");
		else {
			u->r->taken++;
			double ms = (load_now() - s->due) * 1e3;

			if (s->round == 0)
				u->first_ms[u->nfirst++] = ms;
			else
				u->lat_ms[u->nlat++] = ms;
		}
		curl_multi_remove_handle(u->multi, m->easy_handle);
		s->busy = false;
		u->inflight--;
	}
}

static void sample(struct run *u)
{
	unsigned long rss, hwm;

	if (u->c->pid > 0) {
		load_proc_mem(u->c->pid, &rss, &hwm);
		if (rss > u->r->rss_max_kib)
			u->r->rss_max_kib = rss;
		if (u->c->rss_limit_kib > 0 && rss > u->c->rss_limit_kib)
			u->r->over_rss = true;
		if (hwm > 0)
			u->r->hwm_kib = hwm;
	}
	if (u->c->db != NULL && u->nsamp < MAX_SAMPLES) {
		u->samp_t[u->nsamp] = load_now() - u->t0;
		u->samp_db[u->nsamp++] = db_bytes(u->c->db);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Latency percentiles, and the db's growth between steady_s and the end of
 * the pushes (before that it fills up to --retain rounds a probe). */
static void summarize(struct run *u)
{
	struct load_res *r = u->r;
	size_t a = u->nsamp, b = 0;

	if (u->nfirst > 0) {
		qsort(u->first_ms, u->nfirst, sizeof(double), cmp_double);
		r->first_p50_ms = u->first_ms[u->nfirst / 2];
		r->first_p99_ms = u->first_ms[u->nfirst * 99 / 100];
	}
	if (u->nlat > 0) {
		qsort(u->lat_ms, u->nlat, sizeof(double), cmp_double);
		r->p50_ms = u->lat_ms[u->nlat / 2];
		r->p99_ms = u->lat_ms[u->nlat * 99 / 100];
		r->max_ms = u->lat_ms[u->nlat - 1];
	}
	if (u->nlat == 0 && u->nfirst > 0) { /* a run of one round per probe */
		r->p50_ms = r->first_p50_ms;
		r->p99_ms = r->first_p99_ms;
		r->max_ms = u->first_ms[u->nfirst - 1];
	}
	r->db_per_hour = -1;
	for (size_t i = 0; i < u->nsamp; i++) {
		if (a == u->nsamp && u->samp_t[i] >= u->c->steady_s)
			a = i;
		if (u->samp_t[i] <= u->c->duration_s)
			b = i;
	}
	if (u->nsamp > 0)
		r->db_end_bytes = u->samp_db[u->nsamp - 1];
	if (a < u->nsamp && b > a && u->samp_t[b] - u->samp_t[a] >= 5.0)
		r->db_per_hour =
		    (u->samp_db[b] - u->samp_db[a]) / (u->samp_t[b] - u->samp_t[a]) * 3600;
	if (r->sent > 0)
		r->body_bytes /= r->sent;
}

static int drive(struct run *u, size_t total)
{
	double deadline = u->t0 + u->c->duration_s + DRAIN_S, next_sample = u->t0;
	size_t next = 0;
	int running, rc;

	while (load_now() < deadline) {
		double now = load_now(), wait;

		while (next < total && !u->r->over_rss && u->t0 + (double)next * u->step <= now) {
			if ((rc = start_push(u, next)) == RM_EEXIST)
				break;
			if (rc != RM_OK)
				return rc;
			next++;
		}
		if ((next >= total || u->r->over_rss) && u->inflight == 0)
			break;
		if (curl_multi_perform(u->multi, &running) != CURLM_OK)
			return RM_EIO;
		collect_answers(u);
		if (now >= next_sample) {
			sample(u);
			next_sample += 1.0;
		}
		wait = next < total && !u->r->over_rss ? u->t0 + (double)next * u->step - load_now()
						       : 0.05;
		wait = wait < 0.001 ? 0.001 : wait > 0.05 ? 0.05 : wait;
		curl_multi_poll(u->multi, NULL, 0, (int)(wait * 1e3), NULL);
	}
	sample(u);
	u->r->unsent = total - next;
	for (size_t i = 0; i < u->inflight; i++)
		note_failure(u->r, 0, "no answer before the end of the run");
	return RM_OK;
}

int load_run(const struct load_cfg *c, struct load_res *r)
{
	size_t total = (size_t)((double)c->fleet * c->duration_s / c->interval_s);
	struct run u = { .c = c, .r = r };
	char ctype[128];
	int rc = RM_ENOMEM;

	memset(r, 0, sizeof(*r));
	r->due = total;
	snprintf(ctype, sizeof(ctype), "Content-Type: %s", c->ctype);
	u.step = c->interval_s / (double)c->fleet;
	u.lat_ms = rm_calloc(total + 1, sizeof(double));
	u.first_ms = rm_calloc(total + 1, sizeof(double));
	u.slots = rm_calloc(c->conns, sizeof(*u.slots));
	if (u.lat_ms == NULL || u.first_ms == NULL || u.slots == NULL ||
	    (u.multi = curl_multi_init()) == NULL)
		goto out;
	curl_multi_setopt(u.multi, CURLMOPT_MAXCONNECTS, (long)c->conns);
	u.hdrs = curl_slist_append(NULL, ctype);
	u.hdrs = curl_slist_append(u.hdrs, "Expect:"); /* no 100-continue round trip */
	if (c->gzip)
		u.hdrs = curl_slist_append(u.hdrs, "Content-Encoding: gzip");
	for (unsigned j = 0; j < c->conns; j++)
		if (u.hdrs == NULL || slot_setup(&u, &u.slots[j]) != RM_OK)
			goto out;
	u.t0 = load_now();
	u.wall0 = clock_s(CLOCK_REALTIME);
	rc = drive(&u, total);
	r->elapsed_s = load_now() - u.t0;
	summarize(&u);
out:
	for (unsigned j = 0; u.slots != NULL && j < c->conns; j++) {
		if (u.slots[j].busy)
			curl_multi_remove_handle(u.multi, u.slots[j].e);
		if (u.slots[j].e != NULL)
			curl_easy_cleanup(u.slots[j].e);
		gen_buf_free(&u.slots[j].body);
	}
	if (u.multi != NULL)
		curl_multi_cleanup(u.multi);
	curl_slist_free_all(u.hdrs);
	rm_free(u.slots);
	rm_free(u.lat_ms);
	rm_free(u.first_ms);
	return rc;
}

long load_request(const char *url, const struct gen_buf *body, bool gzip, double *ms,
		  struct gen_buf *answer)
{
	struct curl_slist *h = NULL;
	CURL *e = curl_easy_init();
	long code = 0;
	double t0;

	*ms = 0;
	if (e == NULL)
		return 0;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 60000L);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, answer ? keep : discard);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, answer);
	if (body != NULL) {
		h = curl_slist_append(h, "Content-Type: application/json");
		h = curl_slist_append(h, "Expect:");
		if (gzip)
			h = curl_slist_append(h, "Content-Encoding: gzip");
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body->p);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->n);
	}
	t0 = load_now();
	if (curl_easy_perform(e) == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
	*ms = (load_now() - t0) * 1e3;
	curl_slist_free_all(h);
	curl_easy_cleanup(e);
	return code;
}

pid_t load_spawn(char *const argv[], const char *log)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc;

	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return rc == 0 ? pid : -1;
}

void load_stop(pid_t pid, double grace_s)
{
	double end = load_now() + grace_s;
	int st;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	while (load_now() < end) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid || (w < 0 && errno == ECHILD)) /* ECHILD: reaped already */
			return;
		sleep_s(0.02);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

unsigned load_wait_port(pid_t pid, const char *log, const char *prefix, double timeout_s)
{
	double end = load_now() + timeout_s;
	char text[8192];
	int st;

	while (load_now() < end) {
		FILE *f = fopen(log, "r");
		size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
		const char *p;

		if (f != NULL)
			fclose(f);
		text[n] = '\0';
		if ((p = strstr(text, prefix)) != NULL && p[strlen(prefix)] >= '0' &&
		    p[strlen(prefix)] <= '9')
			return (unsigned)strtoul(p + strlen(prefix), NULL, 10);
		if (waitpid(pid, &st, WNOHANG) == pid)
			return 0;
		sleep_s(0.05);
	}
	return 0;
}

void load_log_tail(const char *log, size_t max)
{
	char text[4096];
	FILE *f = fopen(log, "r");
	size_t n;
	long size;

	if (f == NULL)
		return;
	if (max >= sizeof(text))
		max = sizeof(text) - 1;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	if (size > (long)max)
		fseek(f, size - (long)max, SEEK_SET);
	else
		rewind(f);
	n = fread(text, 1, max, f);
	fclose(f);
	text[n] = '\0';
	fprintf(stderr, "  --- %s ---\n%s\n", log, text);
}
