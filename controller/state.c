// SPDX-License-Identifier: GPL-2.0
/* The controller's state in BULWARK_RUN_DIR; see state.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroups.h"
#include "file_digest.h"
#include "kmod_generation.h"
#include "state.h"

#define SESSIONS_MAX (BW_POLICY_MAX - BW_SESSION_BASE)
/* How long past its duration a learning session may outlive a stuck learner. */
#define LEARN_GRACE_SECONDS 60

static int session_indices(int *indices);

void state_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", BULWARK_RUN_DIR, name);
}

int state_lock(void)
{
	char path[PATH_MAX];
	int fd;

	if (mkdir(BULWARK_RUN_DIR, 0700) < 0 && errno != EEXIST)
		return -errno;
	state_path(path, sizeof(path), "sessions");
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -errno;
	state_path(path, sizeof(path), "lock");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX) < 0) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	return fd;
}

void state_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

static void session_file(char *buf, size_t size, int index, const char *ext)
{
	snprintf(buf, size, "%s/sessions/%d.%s", BULWARK_RUN_DIR, index, ext);
}

/*
 * Registers a session: N.cgroup holds @holder (a bound session's cgroup
 * path, or "learn PID START" for a learning one), N.img its image.
 */
static int session_add(const struct image_buffer *image, const char *holder, int *index)
{
	char path[PATH_MAX];
	int i, fd, ret;

	for (i = 0; i < SESSIONS_MAX; i++) {
		session_file(path, sizeof(path), i, "cgroup");
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0)
			break;
		if (errno != EEXIST)
			return -errno;
	}
	if (i == SESSIONS_MAX)
		return -EBUSY;
	ret = write(fd, holder, strlen(holder)) < 0 ? -errno : 0;
	close(fd);
	if (!ret) {
		session_file(path, sizeof(path), i, "img");
		ret = image_write_file(path, image);
	}
	if (ret) {
		state_session_remove(i);
		return ret;
	}
	*index = i;
	return 0;
}

int state_session_add(const struct image_buffer *image, const char *cgroup, int *index)
{
	return session_add(image, cgroup, index);
}

/* Field 22 of /proc/PID/stat: when @pid started, telling a reused pid apart. */
static int process_start_time(pid_t pid, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	/* The command name, field 2, is in parentheses and may hold anything. */
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	for (field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", start) != 1)
		return -EIO;
	return 0;
}

static unsigned long long boot_seconds(void)
{
	struct timespec now;

	clock_gettime(CLOCK_BOOTTIME, &now);
	return now.tv_sec;
}

int state_learn_add(const struct image_buffer *image, unsigned int seconds, int *index)
{
	unsigned long long start;
	char holder[96];
	int ret = process_start_time(getpid(), &start);

	if (ret)
		return ret;
	snprintf(holder, sizeof(holder), "learn %d %llu %llu", (int)getpid(), start,
		 boot_seconds() + seconds + LEARN_GRACE_SECONDS);
	return session_add(image, holder, index);
}

/*
 * A learning session lives while the bulwark learn that registered it runs,
 * and not past its duration (with a grace): a learner stopped (SIGSTOP) or
 * stuck does not keep the audit policy in place.
 */
static bool learner_alive(const char *holder)
{
	unsigned long long start, now, until;
	int pid;

	if (sscanf(holder, "learn %d %llu %llu", &pid, &start, &until) != 3 || pid <= 0)
		return false;
	return !process_start_time(pid, &now) && now == start && boot_seconds() < until;
}

void state_learning_count(unsigned int *live, unsigned int *ended)
{
	int *indices = calloc(SESSIONS_MAX, sizeof(*indices));
	char path[PATH_MAX], holder[96];
	int count, i, fd;
	ssize_t n;

	*live = *ended = 0;
	count = indices ? session_indices(indices) : -ENOMEM;
	for (i = 0; i < count; i++) {
		session_file(path, sizeof(path), indices[i], "cgroup");
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, holder, sizeof(holder) - 1);
		close(fd);
		holder[n > 0 ? n : 0] = 0;
		if (n <= 0 || holder[0] == '/')
			continue;
		if (learner_alive(holder))
			(*live)++;
		else
			(*ended)++;
	}
	free(indices);
}

void state_session_remove(int index)
{
	char path[PATH_MAX];

	session_file(path, sizeof(path), index, "img");
	unlink(path);
	session_file(path, sizeof(path), index, "cgroup");
	unlink(path);
}

static int by_index(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/*
 * The indices of the sessions registered in the sessions directory (a
 * N.cgroup file each), ascending, into @indices (SESSIONS_MAX of them):
 * one read of the directory, not an open for every possible index.
 * Returns how many, or -errno.
 */
static int session_indices(int *indices)
{
	char path[PATH_MAX], end[8];
	struct dirent *e;
	int count = 0, index;
	DIR *dir;

	state_path(path, sizeof(path), "sessions");
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(dir)) && count < SESSIONS_MAX) {
		if (sscanf(e->d_name, "%d.%7s", &index, end) != 2 || strcmp(end, "cgroup") ||
		    index < 0 || index >= SESSIONS_MAX)
			continue;
		indices[count++] = index;
	}
	closedir(dir);
	qsort(indices, count, sizeof(*indices), by_index);
	return count;
}

void state_clear(void)
{
	int *indices = calloc(SESSIONS_MAX, sizeof(*indices));
	char path[PATH_MAX];
	int i, count;

	state_path(path, sizeof(path), "applied.img");
	unlink(path);
	/* Its generation number may come again: bulwarkd's record of it must not. */
	state_path(path, sizeof(path), BULWARKD_ADMITTED_FILE);
	unlink(path);
	count = indices ? session_indices(indices) : -ENOMEM;
	if (count < 0) {
		/* Cannot list them: remove every one there could be. */
		for (i = 0; i < SESSIONS_MAX; i++)
			state_session_remove(i);
	}
	for (i = 0; i < count; i++)
		state_session_remove(indices[i]);
	free(indices);
}

struct loaded {
	struct image_buffer buffer;
	struct bulwark_image image;
	struct binding *bindings;
	size_t binding_count;
	struct binding single;
	bool learning; /* a bulwark learn session: selected, and ahead of the applied image */
};

static int load_image(struct loaded *l, const char *path, char *why, size_t size)
{
	const char *what = NULL;
	int ret = image_read_file(path, &l->buffer);

	if (ret)
		return ret;
	ret = bulwark_image_decode(&l->image, l->buffer.data, l->buffer.size, &what);
	if (ret)
		snprintf(why, size, "%s: %s", path, what ? what : strerror(-ret));
	return ret;
}

/* A session whose cgroup is gone (its bulwark exec died) is forgotten. */
static int load_session(struct loaded *l, int index, char *why, size_t size)
{
	char path[PATH_MAX], cgroup[PATH_MAX] = "";
	ssize_t n;
	int fd, ret;

	session_file(path, sizeof(path), index, "cgroup");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -ENOENT;
	n = read(fd, cgroup, sizeof(cgroup) - 1);
	close(fd);
	l->learning = n > 0 && cgroup[0] != '/';
	if (n <= 0 ||
	    (l->learning ? !learner_alive(cgroup) : cgroup_id(cgroup, &l->single.cgroup) != 0)) {
		state_session_remove(index);
		return -ENOENT;
	}
	session_file(path, sizeof(path), index, "img");
	ret = load_image(l, path, why, size);
	if (ret == -ENOENT) {
		/* Registered but not written yet: not a session yet. */
		return -ENOENT;
	}
	if (ret)
		return ret;
	if (l->image.policy_count != 1) {
		snprintf(why, size, "session %d holds %u policies", index, l->image.policy_count);
		return -EINVAL;
	}
	if (l->learning) {
		/* Its selector governs, as an applied policy's does. */
		ret = cgroups_bind(&l->image, &l->bindings, &l->binding_count);
		if (ret)
			snprintf(why, size, "cannot read the cgroups: %s", strerror(-ret));
		return ret;
	}
	l->single.policy = 0;
	l->bindings = &l->single;
	l->binding_count = 1;
	return 0;
}

static int host_policy_of(const struct bulwark_image *image)
{
	__u32 i;

	for (i = 0; i < image->policy_count; i++)
		if (image->policies[i].selector_kind == BULWARK_SELECTOR_HOST)
			return i;
	return -1;
}

static void add_source(struct gen_source *src, const struct loaded *l, __u16 policy_base,
		       bool selected)
{
	src->image = &l->image;
	src->policy_base = policy_base;
	src->host_policy = -1;
	src->bindings = l->bindings;
	src->binding_count = l->binding_count;
	src->selected = selected;
}

/* Drops @applied's bindings of cgroups that @learning binds (@applied: any source). */
static void unbind_taken(struct loaded *applied, const struct loaded *learning)
{
	size_t i, j, kept = 0;

	for (i = 0; i < applied->binding_count; i++) {
		for (j = 0; j < learning->binding_count; j++)
			if (learning->bindings[j].cgroup == applied->bindings[i].cgroup)
				break;
		if (j == learning->binding_count)
			applied->bindings[kept++] = applied->bindings[i];
	}
	applied->binding_count = kept;
}

int state_install(struct backend *b, const struct image_buffer *applied, struct gen_result *result)
{
	struct loaded *loaded = calloc(SESSIONS_MAX + 1, sizeof(*loaded));
	struct gen_source *sources = calloc(SESSIONS_MAX + 1, sizeof(*sources));
	int *indices = calloc(SESSIONS_MAX, sizeof(*indices));
	char path[PATH_MAX], next[PATH_MAX];
	size_t count = 0, i, k;
	const char *what;
	int ret = 0, nsessions;
	bool have_applied;

	memset(result, 0, sizeof(*result));
	if (!loaded || !sources || !indices) {
		ret = -ENOMEM;
		goto out;
	}
	state_path(path, sizeof(path), "applied.img");
	if (applied) {
		ret = bulwark_image_decode(&loaded[0].image, applied->data, applied->size, &what);
		if (ret)
			snprintf(result->why, sizeof(result->why), "the image: %s", what);
	} else {
		ret = load_image(&loaded[0], path, result->why, sizeof(result->why));
		if (ret == -ENOENT) {
			loaded[0].image.policy_count = 0;
			ret = 1; /* nothing applied */
		}
	}
	if (ret < 0)
		goto out;
	if (ret == 0) {
		ret = cgroups_bind(&loaded[0].image, &loaded[0].bindings, &loaded[0].binding_count);
		if (ret) {
			snprintf(result->why, sizeof(result->why), "cannot read the cgroups: %s",
				 strerror(-ret));
			goto out;
		}
	}
	have_applied = ret == 0;
	ret = nsessions = session_indices(indices);
	if (ret < 0) {
		snprintf(result->why, sizeof(result->why), "cannot list the sessions: %s",
			 strerror(-ret));
		goto out;
	}
	ret = 0;
	for (k = 0; k < (size_t)nsessions; k++) {
		ret = load_session(&loaded[k + 1], indices[k], result->why, sizeof(result->why));
		if (ret == -ENOENT) {
			indices[k] = -1;
			ret = 0;
			continue;
		}
		if (ret)
			goto out;
	}
	/*
	 * Learning sessions first: where their selectors and an applied one's
	 * name the same cgroup, the first source wins in both backends, and a
	 * cgroup bound to one is not bound to the applied image too.
	 */
	for (k = 0; k < (size_t)nsessions; k++)
		if (indices[k] >= 0 && loaded[k + 1].learning) {
			/* A bulwark exec's own cgroup stays its session's. */
			for (i = 0; i < (size_t)nsessions; i++)
				if (indices[i] >= 0 && !loaded[i + 1].learning)
					unbind_taken(&loaded[k + 1], &loaded[i + 1]);
			add_source(&sources[count++], &loaded[k + 1], BW_SESSION_BASE + indices[k],
				   true);
			if (have_applied)
				unbind_taken(&loaded[0], &loaded[k + 1]);
		}
	if (have_applied) {
		add_source(&sources[count], &loaded[0], 0, true);
		sources[count++].host_policy = host_policy_of(&loaded[0].image);
	}
	for (k = 0; k < (size_t)nsessions; k++)
		if (indices[k] >= 0 && !loaded[k + 1].learning)
			add_source(&sources[count++], &loaded[k + 1], BW_SESSION_BASE + indices[k],
				   false);
	if (applied) {
		/* Written beside the live one first: recording must not fail after the switch. */
		state_path(next, sizeof(next), "applied.img.next");
		ret = image_write_file(next, applied);
		if (ret) {
			snprintf(result->why, sizeof(result->why),
				 "cannot write " BULWARK_RUN_DIR "/applied.img.next: %s",
				 strerror(-ret));
			goto out;
		}
	}
	if (b->kind == BACKEND_KMOD)
		ret = kmod_generation_install(b->kmod, sources, count, result);
	else
		ret = generation_install(b->bpf, sources, count, result);
	if (applied) {
		if (!ret && rename(next, path) < 0) {
			ret = -errno;
			snprintf(result->why, sizeof(result->why),
				 "applied, but cannot record it in " BULWARK_RUN_DIR ": %s",
				 strerror(-ret));
		}
		unlink(next);
	}
out:
	file_digests_save(); /* what admission hashed, for the next apply */
	if (loaded) {
		for (i = 0; i < SESSIONS_MAX + 1; i++) {
			free(loaded[i].buffer.data);
			if (loaded[i].bindings != &loaded[i].single)
				free(loaded[i].bindings);
		}
	}
	free(loaded);
	free(sources);
	free(indices);
	return ret;
}
