/* The spool: a directory of documents named by sequence number and kind
 * ("00000000000000000042-results.json"), the lost counter in "lost", and a
 * ".lock" that one agent holds with flock. The names in memory, sorted
 * oldest first; the documents stay on disk until pushed. */
#include "agent/spool.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reachmap/alloc.h"
#include "reachmap/error.h"

/* A document larger than this is not one the agent wrote. */
#define SPOOL_MAX_DOC (256u << 20)
#define SEQ_DIGITS    20

static const char *const kind_names[] = {
	[SPOOL_RESULTS] = "results", [SPOOL_ARRIVALS] = "arrivals"
};

struct entry {
	uint64_t seq;
	enum spool_kind kind;
	bool busy; /* taken, being pushed */
};

struct spool {
	char *dir;
	int dirfd, lockfd;
	unsigned max_rounds;
	unsigned lost;
	struct entry *e; /* sorted by (seq, kind) */
	size_t n, cap;
	uint64_t next_seq;
	spool_note_fn note;
	void *arg;
};

__attribute__((format(printf, 2, 3))) static void note(const struct spool *s, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (s->note == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->note(msg, s->arg);
}

static void file_name(char *buf, size_t len, uint64_t seq, enum spool_kind kind)
{
	snprintf(buf, len, "%0*llu-%s.json", SEQ_DIGITS, (unsigned long long)seq, kind_names[kind]);
}

/* A spool document's name back into (seq, kind); false for any other. */
static bool parse_name(const char *name, uint64_t *seq, enum spool_kind *kind)
{
	char want[64];
	size_t k;

	if (strspn(name, "0123456789") != SEQ_DIGITS || name[SEQ_DIGITS] != '-')
		return false;
	*seq = strtoull(name, NULL, 10);
	for (k = 0; k < sizeof(kind_names) / sizeof(kind_names[0]); k++) {
		file_name(want, sizeof(want), *seq, (enum spool_kind)k);
		if (strcmp(want, name) == 0) {
			*kind = (enum spool_kind)k;
			return true;
		}
	}
	return false;
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;

	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return (int)a->kind - (int)b->kind;
}

/* Writes len bytes to dir/name through a temporary file: whole or not at
 * all, and on disk when it returns 0. -1 with errno otherwise. */
static int write_atomic(int dirfd, const char *name, const void *data, size_t len)
{
	char tmp[128];
	const char *p = data;
	int fd, err;

	snprintf(tmp, sizeof(tmp), ".tmp-%s", name);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, name) != 0)
		goto fail;
	/* The rename itself is on disk once the directory is. */
	return fsync(dirfd);
fail:
	err = errno ? errno : EIO;
	if (fd >= 0)
		close(fd);
	unlinkat(dirfd, tmp, 0);
	errno = err;
	return -1;
}

static int save_lost(struct spool *s)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%u\n", s->lost);

	if (write_atomic(s->dirfd, "lost", buf, (size_t)n) != 0) {
		note(s, "%s/lost: cannot write the lost counter: %s", s->dir, strerror(errno));
		return RM_EIO;
	}
	return RM_OK;
}

static void load_lost(struct spool *s)
{
	char buf[32], *end;
	unsigned long v;
	ssize_t n;
	int fd = openat(s->dirfd, "lost", O_RDONLY | O_CLOEXEC);

	s->lost = 0;
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	errno = 0;
	v = strtoul(buf, &end, 10);
	if (n <= 0 || end == buf || (*end != '\0' && strcmp(end, "\n") != 0) || errno != 0 ||
	    v > 1000000000ul) {
		note(s, "%s/lost: not a count of rounds; counting from 0", s->dir);
		return;
	}
	s->lost = (unsigned)v;
}

/* ---- the names in memory ------------------------------------------------ */

static int add_entry(struct spool *s, uint64_t seq, enum spool_kind kind)
{
	struct entry x = { seq, kind, false };
	size_t i;

	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct entry *e = rm_realloc(s->e, cap * sizeof(*e));

		if (e == NULL)
			return RM_ENOMEM;
		s->e = e;
		s->cap = cap;
	}
	/* Usually the newest: from the end. */
	for (i = s->n; i > 0 && entry_cmp(&s->e[i - 1], &x) > 0; i--)
		;
	memmove(&s->e[i + 1], &s->e[i], (s->n - i) * sizeof(*s->e));
	s->e[i] = x;
	s->n++;
	if (seq >= s->next_seq)
		s->next_seq = seq + 1;
	return RM_OK;
}

static void drop_entry(struct spool *s, size_t i)
{
	memmove(&s->e[i], &s->e[i + 1], (s->n - i - 1) * sizeof(*s->e));
	s->n--;
}

static size_t find(const struct spool *s, uint64_t seq, enum spool_kind kind)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->e[i].seq == seq && s->e[i].kind == kind)
			return i;
	return SIZE_MAX;
}

size_t spool_count(const struct spool *s)
{
	return s->n;
}

size_t spool_rounds(const struct spool *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++)
		n += i == 0 || s->e[i].seq != s->e[i - 1].seq;
	return n;
}

unsigned spool_lost(const struct spool *s)
{
	return s->lost;
}

uint64_t spool_next_seq(const struct spool *s)
{
	return s->next_seq;
}

static void unlink_doc(struct spool *s, uint64_t seq, enum spool_kind kind)
{
	char name[64];

	file_name(name, sizeof(name), seq, kind);
	if (unlinkat(s->dirfd, name, 0) != 0 && errno != ENOENT)
		note(s, "%s/%s: cannot remove: %s", s->dir, name, strerror(errno));
}

/* Drops the oldest round none of whose documents is being pushed: its
 * files go, lost grows. false when every round is being pushed. */
static bool evict_oldest(struct spool *s)
{
	size_t i, j;

	for (i = 0; i < s->n; i = j) {
		bool busy = false;

		for (j = i; j < s->n && s->e[j].seq == s->e[i].seq; j++)
			busy |= s->e[j].busy;
		if (busy)
			continue;
		while (j > i) {
			unlink_doc(s, s->e[i].seq, s->e[i].kind);
			drop_entry(s, i);
			j--;
		}
		s->lost++;
		save_lost(s);
		return true;
	}
	return false;
}

int spool_put(struct spool *s, uint64_t seq, enum spool_kind kind, const void *doc, size_t len,
	      struct rm_diag *d)
{
	bool new_round = true;
	char name[64];
	size_t i;

	if (find(s, seq, kind) != SIZE_MAX)
		return RM_EEXIST;
	for (i = 0; i < s->n; i++)
		if (s->e[i].seq == seq)
			new_round = false;
	/* Full, and this round older than every one there: it is the oldest,
	 * the one to go. */
	if (new_round && spool_rounds(s) >= s->max_rounds && s->n > 0 && seq < s->e[0].seq) {
		s->lost++;
		save_lost(s);
		return RM_OK;
	}
	while (new_round && spool_rounds(s) >= s->max_rounds && evict_oldest(s))
		;
	file_name(name, sizeof(name), seq, kind);
	if (write_atomic(s->dirfd, name, doc, len) != 0) {
		rm_diag_error(d, "%s/%s: cannot write: %s", s->dir, name, strerror(errno));
		return RM_EIO;
	}
	if (add_entry(s, seq, kind) != RM_OK) {
		unlinkat(s->dirfd, name, 0);
		return RM_ENOMEM;
	}
	return RM_OK;
}

/* ---- taking documents ----------------------------------------------------- */

/* The whole file, NUL-terminated. RM_OK, RM_EIO (errno), RM_ERANGE, RM_ENOMEM. */
static int read_doc(struct spool *s, const char *name, char **out, size_t *len)
{
	struct stat st;
	size_t got = 0;
	char *buf;
	int fd = openat(s->dirfd, name, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return RM_EIO;
	if (fstat(fd, &st) != 0 || (size_t)st.st_size > SPOOL_MAX_DOC) {
		close(fd);
		return RM_ERANGE;
	}
	if ((buf = rm_malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return RM_ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return RM_OK;
}

/* Whether text is a whole results document: JSON, an object, its schema. */
static bool whole_doc(const char *text, size_t len)
{
	cJSON *root = cJSON_ParseWithLength(text, len);
	const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
	bool ok = cJSON_IsObject(root) && cJSON_IsString(schema) &&
		  strcmp(schema->valuestring, "reachmap.results/v1") == 0;

	cJSON_Delete(root);
	return ok;
}

int spool_take(struct spool *s, struct spool_item *item)
{
	size_t i = 0;

	memset(item, 0, sizeof(*item));
	while (i < s->n) {
		struct entry *x = &s->e[i];
		char name[64];
		int rc;

		if (x->busy) {
			i++;
			continue;
		}
		file_name(name, sizeof(name), x->seq, x->kind);
		rc = read_doc(s, name, &item->doc, &item->len);
		if (rc == RM_ENOMEM)
			return rc;
		if (rc == RM_OK && whole_doc(item->doc, item->len)) {
			x->busy = true;
			item->seq = x->seq;
			item->kind = x->kind;
			return RM_OK;
		}
		note(s, "%s/%s: %s; skipped, counted lost", s->dir, name,
		     rc == RM_EIO      ? strerror(errno)
		     : rc == RM_ERANGE ? "larger than a document can be"
				       : "not a whole results document (cut short or damaged)");
		spool_item_free(item);
		unlink_doc(s, x->seq, x->kind);
		drop_entry(s, i);
		s->lost++;
		save_lost(s);
	}
	return RM_ENOTFOUND;
}

bool spool_oldest(const struct spool *s, uint64_t *seq)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!s->e[i].busy) {
			*seq = s->e[i].seq;
			return true;
		}
	return false;
}

void spool_done(struct spool *s, const struct spool_item *item, bool remove)
{
	size_t i = find(s, item->seq, item->kind);

	if (i == SIZE_MAX)
		return;
	if (!remove) {
		s->e[i].busy = false;
		return;
	}
	unlink_doc(s, item->seq, item->kind);
	drop_entry(s, i);
}

void spool_item_free(struct spool_item *item)
{
	rm_free(item->doc);
	memset(item, 0, sizeof(*item));
}

void spool_lost_add(struct spool *s, unsigned n)
{
	s->lost += n;
	save_lost(s);
}

int spool_lost_told(struct spool *s, unsigned n)
{
	s->lost = n < s->lost ? s->lost - n : 0;
	return save_lost(s);
}

/* ---- opening -------------------------------------------------------------- */

/* mkdir -p with mode 0700 for what it makes. */
static int make_dirs(const char *path)
{
	char buf[4096];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST)
			return -1;
		buf[i] = path[i];
	}
	return 0;
}

/* The names in the directory: documents in order, leftovers of a crash
 * removed, anything else left alone with a note. */
static int scan(struct spool *s)
{
	int fd = dup(s->dirfd);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int rc = RM_OK;

	if (dir == NULL) {
		if (fd >= 0)
			close(fd);
		return RM_EIO;
	}
	while (rc == RM_OK && (de = readdir(dir)) != NULL) {
		uint64_t seq;
		enum spool_kind kind;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, "lost") == 0 || strcmp(de->d_name, ".lock") == 0)
			continue;
		if (parse_name(de->d_name, &seq, &kind)) {
			rc = add_entry(s, seq, kind);
		} else if (strncmp(de->d_name, ".tmp-", 5) == 0) {
			note(s, "%s/%s: a write cut short (the agent stopped in it); removed",
			     s->dir, de->d_name);
			unlinkat(s->dirfd, de->d_name, 0);
		} else {
			note(s, "%s/%s: not a spool document; left alone", s->dir, de->d_name);
		}
	}
	closedir(dir);
	return rc;
}

static int lock_dir(struct spool *s, struct rm_diag *d)
{
	s->lockfd = openat(s->dirfd, ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lockfd < 0) {
		rm_diag_error(d, "%s: cannot open its lock: %s", s->dir, strerror(errno));
		return RM_EIO;
	}
	if (flock(s->lockfd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK) {
			rm_diag_error(d,
				      "%s: in use by another reachmap agent (give each its own "
				      "--spool)",
				      s->dir);
			return RM_EEXIST;
		}
		rm_diag_error(d, "%s: cannot lock: %s", s->dir, strerror(errno));
		return RM_EIO;
	}
	return RM_OK;
}

int spool_open(const char *dir, unsigned max_rounds, spool_note_fn note_fn, void *arg,
	       struct spool **out, struct rm_diag *d)
{
	struct spool *s = rm_calloc(1, sizeof(*s));
	int rc = RM_ENOMEM;

	*out = NULL;
	if (s == NULL || (s->dir = rm_strdup(dir)) == NULL)
		goto fail;
	s->dirfd = s->lockfd = -1;
	s->max_rounds = max_rounds > 0 ? max_rounds : 1;
	s->note = note_fn;
	s->arg = arg;
	s->next_seq = 1;
	if (make_dirs(dir) != 0 || (s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rm_diag_error(d, "%s: cannot make the spool directory: %s", dir, strerror(errno));
		rc = RM_EIO;
		goto fail;
	}
	if ((rc = lock_dir(s, d)) != RM_OK)
		goto fail;
	load_lost(s);
	if ((rc = scan(s)) != RM_OK) {
		rm_diag_error(d, "%s: cannot read the spool: %s", dir,
			      rc == RM_ENOMEM ? "out of memory" : strerror(errno));
		goto fail;
	}
	/* --spool-max may have been lowered since the last run. */
	while (spool_rounds(s) > s->max_rounds && evict_oldest(s))
		;
	*out = s;
	return RM_OK;
fail:
	spool_close(s);
	return rc;
}

void spool_close(struct spool *s)
{
	if (s == NULL)
		return;
	if (s->lockfd >= 0)
		close(s->lockfd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	rm_free(s->e);
	rm_free(s->dir);
	rm_free(s);
}

const char *spool_dir_name(const char *url, char *buf, size_t len)
{
	const char *p = strstr(url, "://");
	uint32_t h = 2166136261u; /* FNV-1a */
	size_t i, n = 0;

	for (i = 0; url[i] != '\0'; i++)
		h = (h ^ (uint8_t)url[i]) * 16777619u;
	p = p != NULL ? p + 3 : url;
	for (; *p != '\0' && n + 1 < len && n < 64; p++) {
		char c = *p;
		bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '.' || c == '-';

		buf[n++] = keep ? c : '_';
	}
	while (n > 0 && buf[n - 1] == '_')
		n--;
	snprintf(buf + n, len - n, "-%08x", (unsigned)h);
	return buf;
}
