// SPDX-License-Identifier: GPL-2.0
/* Digests of files, remembered by identity; see file_digest.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "file_digest.h"
#include "sha256.h"
#include "xalloc.h"

#define CACHE_MAGIC 0x3147444b574c42ull /* "BLWKDG1" */

struct record {
	uint64_t dev, ino;
	int64_t size;
	int64_t ctime_sec, mtime_sec;
	uint32_t ctime_nsec, mtime_nsec;
	struct file_digests digests;
};

static struct cache {
	bool loaded, dirty;
	struct record *slots; /* open addressing; ino 0 is empty */
	size_t count, size;
} cache;

static const char *cache_path(void)
{
	const char *path = getenv("BULWARK_DIGEST_CACHE"); /* "" turns it off; for tests */

	return path ? path : BULWARK_DIGEST_CACHE;
}

static void record_of(const struct stat *st, struct record *r)
{
	memset(r, 0, sizeof(*r));
	r->dev = st->st_dev;
	r->ino = st->st_ino ? st->st_ino : ~0ull;
	r->size = st->st_size;
	r->ctime_sec = st->st_ctim.tv_sec;
	r->ctime_nsec = st->st_ctim.tv_nsec;
	r->mtime_sec = st->st_mtim.tv_sec;
	r->mtime_nsec = st->st_mtim.tv_nsec;
}

static bool same_file_state(const struct record *a, const struct record *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->ctime_sec == b->ctime_sec && a->ctime_nsec == b->ctime_nsec &&
	       a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec;
}

static struct record *slot_of(uint64_t dev, uint64_t ino)
{
	size_t i = (size_t)((ino * 0x9e3779b97f4a7c15ull) ^ dev) & (cache.size - 1);

	while (cache.slots[i].ino && (cache.slots[i].ino != ino || cache.slots[i].dev != dev))
		i = (i + 1) & (cache.size - 1);
	return &cache.slots[i];
}

static void insert(const struct record *r)
{
	struct record *slot;

	if (2 * (cache.count + 1) > cache.size) {
		struct record *old = cache.slots;
		size_t i, old_size = cache.size;

		cache.size = old_size ? 2 * old_size : 4096;
		cache.slots = xcalloc(cache.size, sizeof(*cache.slots));
		cache.count = 0;
		for (i = 0; i < old_size; i++)
			if (old[i].ino)
				insert(&old[i]);
		free(old);
	}
	slot = slot_of(r->dev, r->ino);
	if (!slot->ino)
		cache.count++;
	*slot = *r;
}

/* A cache that cannot be read, or is not root's alone, is started anew. */
static void load(void)
{
	const char *path = cache_path();
	struct record r;
	uint64_t magic;
	struct stat st;
	FILE *f;

	cache.loaded = true;
	if (!*path)
		return;
	f = fopen(path, "re");
	if (!f)
		return;
	if (fstat(fileno(f), &st) || st.st_uid != geteuid() || (st.st_mode & 022) ||
	    fread(&magic, sizeof(magic), 1, f) != 1 || magic != CACHE_MAGIC) {
		fclose(f);
		return;
	}
	while (fread(&r, sizeof(r), 1, f) == 1)
		if (r.ino)
			insert(&r);
	fclose(f);
}

static int hash_fd(int fd, struct file_digests *out)
{
	static uint8_t buf[1 << 17];
	struct sha256 sha;
	struct md5 md5;
	off_t offset = 0;
	ssize_t n;

	sha256_init(&sha);
	md5_init(&md5);
	while ((n = pread(fd, buf, sizeof(buf), offset)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		sha256_update(&sha, buf, n);
		md5_update(&md5, buf, n);
		offset += n;
	}
	sha256_final(&sha, out->sha256);
	md5_final(&md5, out->md5);
	return 0;
}

int file_digests_fd(int fd, struct file_digests *out)
{
	struct record before, after, *known;
	struct statfs fs;
	struct stat st;
	int ret;

	if (!cache.loaded)
		load();
	if (fstat(fd, &st))
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (fstatfs(fd, &fs))
		return -errno;
	if (fs.f_type == FUSE_SUPER_MAGIC)
		return -EREMOTE;
	record_of(&st, &before);
	if (cache.size) {
		known = slot_of(before.dev, before.ino);
		if (known->ino && same_file_state(known, &before)) {
			*out = known->digests;
			return 0;
		}
	}
	ret = hash_fd(fd, out);
	if (ret)
		return ret;
	if (fstat(fd, &st))
		return -errno;
	record_of(&st, &after);
	/* Changed while it was read: the digests are of no one state of it. */
	if (!same_file_state(&before, &after))
		return -EAGAIN;
	/*
	 * Changed within the last seconds: a write in the same clock tick
	 * could leave size and times as they are (git's "racy clean"), so this
	 * state is hashed again next time rather than remembered.
	 */
	if (time(NULL) - (after.ctime_sec > after.mtime_sec ? after.ctime_sec : after.mtime_sec) <
	    3)
		return 0;
	after.digests = *out;
	insert(&after);
	cache.dirty = true;
	return 0;
}

int file_digest_sha256(int fd, uint8_t sha256[32])
{
	struct file_digests digests;
	int ret = file_digests_fd(fd, &digests);

	if (!ret)
		memcpy(sha256, digests.sha256, sizeof(digests.sha256));
	return ret;
}

void file_digests_save(void)
{
	const char *path = cache_path();
	uint64_t magic = CACHE_MAGIC;
	char tmp[4096];
	size_t i;
	FILE *f;
	int fd;

	if (!cache.dirty || !*path || geteuid())
		return;
	cache.dirty = false;
	if (snprintf(tmp, sizeof(tmp), "%s.%d", path, getpid()) >= (int)sizeof(tmp))
		return;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	f = fdopen(fd, "we");
	if (!f) {
		close(fd);
		unlink(tmp);
		return;
	}
	fwrite(&magic, sizeof(magic), 1, f);
	for (i = 0; i < cache.size; i++)
		if (cache.slots[i].ino)
			fwrite(&cache.slots[i], sizeof(cache.slots[i]), 1, f);
	if (fclose(f) || rename(tmp, path))
		unlink(tmp);
}
