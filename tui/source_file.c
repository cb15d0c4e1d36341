/* The file source: a reachmap.report/v1 file, re-read when its identity,
 * size or modification time changes (an analyzer writing a new report, or
 * `mv new.json report.json`). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "reachmap/alloc.h"
#include "reachmap/error.h"
#include "tui/model.h"
#include "tui/top.h"

struct file_source {
	struct tui_source base; /* first: the ops see a struct tui_source */
	char *path;
	struct stat seen; /* of the file the model came from */
	struct timespec last_check;
};

/* stat() at most this often: a frame is drawn every 100 ms or on a key. */
#define FILE_CHECK_NS 250000000L

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static int file_poll(struct tui_source *src, bool *changed, struct rm_diag *d)
{
	struct file_source *fs = (struct file_source *)src;
	struct rm_report_doc *m;
	struct timespec now;
	struct stat st;
	long ns;
	int rc;

	*changed = false;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (now.tv_sec - fs->last_check.tv_sec) * 1000000000L +
	     (now.tv_nsec - fs->last_check.tv_nsec);
	if (ns < FILE_CHECK_NS)
		return RM_OK;
	fs->last_check = now;
	/* A file that is gone or hidden is read all the same: the read says
	 * why it cannot be, in the words every reader uses. */
	if (stat(fs->path, &st) != 0)
		memset(&st, 0, sizeof(st));
	else if (same_file(&st, &fs->seen))
		return RM_OK;
	rc = report_doc_load(fs->path, &m, d);
	/* A report being written shows up half done: the next stat, after the
	 * writer finishes, sees a new size or time and tries again. */
	fs->seen = st;
	if (rc != RM_OK)
		return rc;
	report_doc_free(src->model);
	src->model = m;
	*changed = true;
	return RM_OK;
}

static void file_free(struct tui_source *src)
{
	struct file_source *fs = (struct file_source *)src;

	report_doc_free(src->model);
	rm_free(fs->path);
	rm_free(fs);
}

static const struct tui_source_ops file_source_ops = {
	.name = "file",
	.poll = file_poll,
	.free = file_free,
	.stale_before = "re-read failed, last good report shown: ",
	.stale_after = "",
	.help = "The report is re-read when its file changes.",
};

int tui_source_file_open(const char *path, struct tui_source **out, struct rm_diag *d)
{
	struct file_source *fs = rm_calloc(1, sizeof(*fs));
	int rc;

	*out = NULL;
	if (fs == NULL || (fs->path = rm_strdup(path)) == NULL) {
		rm_free(fs);
		rm_diag_error(d, "%s: out of memory", path);
		return RM_ENOMEM;
	}
	fs->base.ops = &file_source_ops;
	fs->base.label = fs->path;
	fs->base.as_of = (time_t)-1;
	/* stat before reading: a change while reading is then seen later. */
	if (stat(path, &fs->seen) != 0)
		memset(&fs->seen, 0, sizeof(fs->seen));
	rc = report_doc_load(path, &fs->base.model, d);
	if (rc != RM_OK) {
		file_free(&fs->base);
		return rc;
	}
	clock_gettime(CLOCK_MONOTONIC, &fs->last_check);
	*out = &fs->base;
	return RM_OK;
}

void tui_source_free(struct tui_source *src)
{
	if (src != NULL)
		src->ops->free(src);
}
