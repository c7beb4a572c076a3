// SPDX-License-Identifier: GPL-2.0
/*
 * bw-fuse: a tiny read-only FUSE file server, speaking /dev/fuse's protocol
 * itself (no libfuse), for the VM suites to present a file whose inode number
 * and ctime an attacker chose: what a FUSE server replies is what the kernel
 * reports as st_ino and st_ctime.
 *
 * Usage: bw-fuse MOUNTPOINT NAME INO CTIME_SEC CTIME_NSEC SOURCE
 *
 * Mounts a FUSE file system on MOUNTPOINT whose root directory holds one
 * regular file, NAME: mode 0755, st_ino INO, mtime = atime = ctime =
 * CTIME_SEC.CTIME_NSEC (CTIME_SEC may be negative), owned by the mounting
 * user, with SOURCE's content (read into memory at start). Writes are
 * refused with EROFS; extended attributes are unsupported (ENOSYS).
 *
 * Once the kernel's FUSE_INIT has been answered, bw-fuse exits 0, leaving a
 * detached child serving the mount until it is unmounted. Errors before then
 * print "bw-fuse: WHAT: REASON" and exit 1; usage errors exit 2.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fuse.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define FILE_NODEID 2
#define MAX_WRITE 65536
#define READ_BUFFER (FUSE_MIN_READ_BUFFER + MAX_WRITE)
#define VALID_SECONDS 3600
#define MAX_SOURCE (64 << 20)

struct server {
	int fd;
	const char *name;
	uint64_t ino;
	uint64_t ctime_sec;
	uint32_t ctime_nsec;
	uint32_t uid, gid;
	char *content;
	size_t size;
};

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr, "usage: bw-fuse MOUNTPOINT NAME INO CTIME_SEC CTIME_NSEC SOURCE\n");
	exit(2);
}

/* A whole decimal number, no sign, at most @max. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* A whole decimal number, maybe negative (a time before 1970). */
static int parse_s64(const char *s, int64_t *out)
{
	long long v;
	char *end;

	if (!*s)
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

static bool valid_name(const char *name)
{
	size_t len = strlen(name);

	return len && len <= NAME_MAX && !strchr(name, '/') && strcmp(name, ".") &&
	       strcmp(name, "..");
}

/* The whole of @path, into a buffer of its own. */
static int read_source(const char *path, char **content, size_t *size)
{
	size_t done = 0;
	struct stat st;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st)) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_SOURCE) {
		close(fd);
		return S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = -errno;

			free(buf);
			close(fd);
			return err;
		}
		if (!n)
			break;
		done += n;
	}
	close(fd);
	*content = buf;
	*size = done;
	return 0;
}

static int mount_with(int fd, const char *mountpoint, bool allow_other)
{
	char data[256];

	snprintf(data, sizeof(data),
		 "fd=%d,rootmode=40000,user_id=%u,group_id=%u,default_permissions%s", fd,
		 (unsigned int)getuid(), (unsigned int)getgid(), allow_other ? ",allow_other" : "");
	if (mount("bw-fuse", mountpoint, "fuse", MS_NOSUID | MS_NODEV, data))
		return -errno;
	return 0;
}

/* allow_other may be refused in a user namespace: then mount without it. */
static int mount_fuse(int fd, const char *mountpoint)
{
	int err = mount_with(fd, mountpoint, true);

	if (err == -EPERM)
		err = mount_with(fd, mountpoint, false);
	return err;
}

/* One reply: the header and @len bytes of @payload, in one write. */
static void reply(struct server *srv, uint64_t unique, int error, const void *payload, size_t len)
{
	struct fuse_out_header out = {
		.len = sizeof(out) + (error ? 0 : len),
		.error = error,
		.unique = unique,
	};
	struct iovec iov[2] = {
		{.iov_base = &out, .iov_len = sizeof(out)},
		{.iov_base = (void *)payload, .iov_len = len},
	};

	/* A failure (ENOENT: the request was interrupted) leaves nobody to tell. */
	while (writev(srv->fd, iov, error || !len ? 1 : 2) < 0 && errno == EINTR)
		;
}

static void reply_error(struct server *srv, uint64_t unique, int error)
{
	reply(srv, unique, error, NULL, 0);
}

static void reply_ok(struct server *srv, uint64_t unique)
{
	reply(srv, unique, 0, NULL, 0);
}

static void fill_times(const struct server *srv, struct fuse_attr *attr)
{
	attr->atime = srv->ctime_sec;
	attr->mtime = srv->ctime_sec;
	attr->ctime = srv->ctime_sec;
	attr->atimensec = srv->ctime_nsec;
	attr->mtimensec = srv->ctime_nsec;
	attr->ctimensec = srv->ctime_nsec;
}

static void root_attr(const struct server *srv, struct fuse_attr *attr)
{
	*attr = (struct fuse_attr){
		.ino = FUSE_ROOT_ID,
		.size = 4096,
		.blocks = 8,
		.mode = S_IFDIR | 0755,
		.nlink = 2,
		.uid = srv->uid,
		.gid = srv->gid,
		.blksize = 4096,
	};
	fill_times(srv, attr);
}

static void file_attr(const struct server *srv, struct fuse_attr *attr)
{
	*attr = (struct fuse_attr){
		.ino = srv->ino,
		.size = srv->size,
		.blocks = (srv->size + 511) / 512,
		.mode = S_IFREG | 0755,
		.nlink = 1,
		.uid = srv->uid,
		.gid = srv->gid,
		.blksize = 4096,
	};
	fill_times(srv, attr);
}

/* The attributes of @nodeid, or -ENOENT when there is no such node. */
static int node_attr(const struct server *srv, uint64_t nodeid, struct fuse_attr *attr)
{
	if (nodeid == FUSE_ROOT_ID)
		root_attr(srv, attr);
	else if (nodeid == FILE_NODEID)
		file_attr(srv, attr);
	else
		return -ENOENT;
	return 0;
}

/* FUSE_INIT: no optional features; -EPROTO for a kernel we cannot speak to. */
static int do_init(struct server *srv, const struct fuse_in_header *in, const void *arg)
{
	const struct fuse_init_in *init = arg;
	struct fuse_init_out out = {0};

	if (in->len < sizeof(*in) + offsetof(struct fuse_init_in, flags2) ||
	    init->major != FUSE_KERNEL_VERSION) {
		reply_error(srv, in->unique, -EPROTO);
		return -EPROTO;
	}
	out.major = FUSE_KERNEL_VERSION;
	out.minor =
		init->minor < FUSE_KERNEL_MINOR_VERSION ? init->minor : FUSE_KERNEL_MINOR_VERSION;
	out.max_readahead = init->max_readahead;
	out.max_background = 16;
	out.congestion_threshold = 12;
	out.max_write = MAX_WRITE;
	out.time_gran = 1;
	reply(srv, in->unique, 0, &out, sizeof(out));
	return 0;
}

static void do_lookup(struct server *srv, const struct fuse_in_header *in, const char *name,
		      size_t len)
{
	struct fuse_entry_out out = {0};

	if (in->nodeid != FUSE_ROOT_ID) {
		reply_error(srv, in->unique, in->nodeid == FILE_NODEID ? -ENOTDIR : -ENOENT);
		return;
	}
	if (!memchr(name, '\0', len) || strcmp(name, srv->name)) {
		reply_error(srv, in->unique, -ENOENT);
		return;
	}
	out.nodeid = FILE_NODEID;
	out.generation = 1;
	out.entry_valid = VALID_SECONDS;
	out.attr_valid = VALID_SECONDS;
	file_attr(srv, &out.attr);
	reply(srv, in->unique, 0, &out, sizeof(out));
}

static void do_getattr(struct server *srv, const struct fuse_in_header *in)
{
	struct fuse_attr_out out = {.attr_valid = VALID_SECONDS};
	int err = node_attr(srv, in->nodeid, &out.attr);

	if (err)
		reply_error(srv, in->unique, err);
	else
		reply(srv, in->unique, 0, &out, sizeof(out));
}

static void do_open(struct server *srv, const struct fuse_in_header *in, const void *arg)
{
	const struct fuse_open_in *open_in = arg;
	struct fuse_open_out out = {.open_flags = FOPEN_KEEP_CACHE};

	if (in->nodeid != FILE_NODEID)
		reply_error(srv, in->unique, in->nodeid == FUSE_ROOT_ID ? -EISDIR : -ENOENT);
	else if (in->len < sizeof(*in) + sizeof(*open_in))
		reply_error(srv, in->unique, -EINVAL);
	else if ((open_in->flags & O_ACCMODE) != O_RDONLY || (open_in->flags & O_TRUNC))
		reply_error(srv, in->unique, -EROFS);
	else
		reply(srv, in->unique, 0, &out, sizeof(out));
}

static void do_read(struct server *srv, const struct fuse_in_header *in, const void *arg)
{
	const struct fuse_read_in *read_in = arg;
	size_t len = 0;

	if (in->nodeid != FILE_NODEID) {
		reply_error(srv, in->unique, in->nodeid == FUSE_ROOT_ID ? -EISDIR : -ENOENT);
		return;
	}
	if (in->len < sizeof(*in) + sizeof(*read_in)) {
		reply_error(srv, in->unique, -EINVAL);
		return;
	}
	if (read_in->offset < srv->size) {
		len = srv->size - read_in->offset;
		if (len > read_in->size)
			len = read_in->size;
	}
	reply(srv, in->unique, 0, srv->content + (len ? read_in->offset : 0), len);
}

static void do_opendir(struct server *srv, const struct fuse_in_header *in)
{
	struct fuse_open_out out = {0};

	if (in->nodeid != FUSE_ROOT_ID)
		reply_error(srv, in->unique, in->nodeid == FILE_NODEID ? -ENOTDIR : -ENOENT);
	else
		reply(srv, in->unique, 0, &out, sizeof(out));
}

/* Appends one entry to @buf if it fits in @room bytes; its size, or 0 if not. */
static size_t add_dirent(char *buf, size_t room, uint64_t ino, uint64_t next, uint32_t type,
			 const char *name)
{
	struct fuse_dirent dirent = {
		.ino = ino,
		.off = next,
		.namelen = strlen(name),
		.type = type,
	};
	size_t size = FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + dirent.namelen);

	if (size > room)
		return 0;
	memset(buf, 0, size);
	memcpy(buf, &dirent, FUSE_NAME_OFFSET);
	memcpy(buf + FUSE_NAME_OFFSET, name, dirent.namelen);
	return size;
}

/* ".", ".." and NAME, from entry number @offset on. */
static void do_readdir(struct server *srv, const struct fuse_in_header *in, const void *arg)
{
	const struct fuse_read_in *read_in = arg;
	char buf[1024];
	size_t room, used = 0;

	if (in->nodeid != FUSE_ROOT_ID) {
		reply_error(srv, in->unique, in->nodeid == FILE_NODEID ? -ENOTDIR : -ENOENT);
		return;
	}
	if (in->len < sizeof(*in) + sizeof(*read_in)) {
		reply_error(srv, in->unique, -EINVAL);
		return;
	}
	room = read_in->size < sizeof(buf) ? read_in->size : sizeof(buf);
	for (uint64_t i = read_in->offset; i < 3; i++) {
		static const char *const dots[] = {".", ".."};
		size_t n;

		if (i < 2)
			n = add_dirent(buf + used, room - used, FUSE_ROOT_ID, i + 1, DT_DIR,
				       dots[i]);
		else
			n = add_dirent(buf + used, room - used, srv->ino, i + 1, DT_REG, srv->name);
		if (!n)
			break;
		used += n;
	}
	reply(srv, in->unique, 0, buf, used);
}

static void do_statfs(struct server *srv, const struct fuse_in_header *in)
{
	struct fuse_statfs_out out = {0};

	out.st.blocks = (srv->size + 4095) / 4096 + 1;
	out.st.files = 2;
	out.st.bsize = 4096;
	out.st.namelen = NAME_MAX;
	out.st.frsize = 4096;

	reply(srv, in->unique, 0, &out, sizeof(out));
}

/* Answers one request; false when the server is to stop (FUSE_DESTROY). */
static bool handle(struct server *srv, const struct fuse_in_header *in)
{
	const void *arg = in + 1;
	size_t arg_len = in->len - sizeof(*in);

	switch (in->opcode) {
	case FUSE_LOOKUP:
		do_lookup(srv, in, arg, arg_len);
		break;
	case FUSE_GETATTR:
		do_getattr(srv, in);
		break;
	case FUSE_OPEN:
		do_open(srv, in, arg);
		break;
	case FUSE_READ:
		do_read(srv, in, arg);
		break;
	case FUSE_OPENDIR:
		do_opendir(srv, in);
		break;
	case FUSE_READDIR:
		do_readdir(srv, in, arg);
		break;
	case FUSE_STATFS:
		do_statfs(srv, in);
		break;
	case FUSE_RELEASE:
	case FUSE_RELEASEDIR:
	case FUSE_FLUSH:
	case FUSE_ACCESS:
		reply_ok(srv, in->unique);
		break;
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_INTERRUPT:
		/* The kernel expects no reply to these. */
		break;
	case FUSE_DESTROY:
		reply_ok(srv, in->unique);
		return false;
	default:
		/* Getxattr and listxattr too: the kernel remembers they are unsupported. */
		reply_error(srv, in->unique, -ENOSYS);
		break;
	}
	return true;
}

/* The next request into @buf: its length, 0 once unmounted, or -errno. */
static ssize_t next_request(struct server *srv, void *buf, size_t size)
{
	for (;;) {
		ssize_t n = read(srv->fd, buf, size);

		if (n >= (ssize_t)sizeof(struct fuse_in_header))
			return n;
		if (n >= 0)
			return -EIO;
		/* ENOENT: the request was interrupted before it could be read. */
		if (errno == EINTR || errno == EAGAIN || errno == ENOENT)
			continue;
		return errno == ENODEV ? 0 : -errno;
	}
}

/* Tells the waiting parent (once) how FUSE_INIT went: 0 or -errno. */
static void report(int *ready, int status)
{
	ssize_t n;

	if (*ready < 0)
		return;
	/* A parent that is gone has nobody to tell: serve on all the same. */
	n = write(*ready, &status, sizeof(status));
	(void)n;
	close(*ready);
	*ready = -1;
}

/*
 * Serves until the file system is unmounted; tells @ready (0 or -errno) how
 * its FUSE_INIT went. The exit status: 0, or 1 on a failure.
 */
static int serve(struct server *srv, int ready)
{
	bool initialized = false;
	uint64_t *buf;

	buf = malloc(READ_BUFFER);
	if (!buf) {
		report(&ready, -ENOMEM);
		return 1;
	}
	for (;;) {
		struct fuse_in_header *in = (struct fuse_in_header *)buf;
		ssize_t n = next_request(srv, buf, READ_BUFFER);
		int err;

		if (n <= 0) {
			report(&ready, n ? (int)n : -ENODEV);
			return n ? 1 : 0;
		}
		if (in->len != (size_t)n) {
			report(&ready, -EPROTO);
			return 1;
		}
		if (in->opcode == FUSE_INIT) {
			err = do_init(srv, in, in + 1);
			report(&ready, err);
			if (err)
				return 1;
			initialized = true;
			continue;
		}
		if (!initialized) {
			reply_error(srv, in->unique, -EPROTO);
			continue;
		}
		if (!handle(srv, in))
			return 0;
	}
}

/* Closes every descriptor from 3 on but @a and @b, so as to hold no one's pipe open. */
static void close_others(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;

	if (lo > 3)
		close_range(3, lo - 1, 0);
	if (hi > lo + 1)
		close_range(lo + 1, hi - 1, 0);
	close_range(hi + 1, ~0U, 0);
}

/* @fd moved to 3 or above (if it was not), out of the way of stdin/stdout/stderr. */
static int above_stdio(int fd)
{
	int moved;

	if (fd > 2)
		return fd;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (moved < 0)
		return fd;
	close(fd);
	return moved;
}

/* The serving child: detached, on /dev/null, until unmounted. */
static void __attribute__((noreturn)) child(struct server *srv, int ready)
{
	int null;

	srv->fd = above_stdio(srv->fd);
	ready = above_stdio(ready);
	close_others(srv->fd, ready);
	null = open("/dev/null", O_RDWR);
	setsid();
	if (chdir("/")) {
		report(&ready, -errno);
		_exit(1);
	}
	for (int fd = 0; fd < 3; fd++) {
		if (null < 0)
			close(fd);
		else if (null != fd)
			dup2(null, fd);
	}
	if (null > 2)
		close(null);
	_exit(serve(srv, ready));
}

/* Prints "bw-fuse: WHAT: REASON" for -errno @err and exits 1. */
static void __attribute__((noreturn, format(printf, 2, 3))) fail(int err, const char *fmt, ...)
{
	va_list ap;

	fputs("bw-fuse: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(-err));
	exit(1);
}

int main(int argc, char **argv)
{
	struct server srv = {.uid = getuid(), .gid = getgid()};
	uint64_t nsec;
	int64_t sec;
	int pipefd[2], status, err;
	const char *mountpoint;
	ssize_t n;
	pid_t pid;

	if (argc != 7)
		usage();
	mountpoint = argv[1];
	srv.name = argv[2];
	if (!valid_name(srv.name)) {
		fprintf(stderr, "bw-fuse: bad NAME '%s'\n", argv[2]);
		usage();
	}
	if (parse_u64(argv[3], UINT64_MAX, &srv.ino)) {
		fprintf(stderr, "bw-fuse: bad INO '%s'\n", argv[3]);
		usage();
	}
	if (parse_s64(argv[4], &sec)) {
		fprintf(stderr, "bw-fuse: bad CTIME_SEC '%s'\n", argv[4]);
		usage();
	}
	if (parse_u64(argv[5], 999999999, &nsec)) {
		fprintf(stderr, "bw-fuse: bad CTIME_NSEC '%s'\n", argv[5]);
		usage();
	}
	srv.ctime_sec = (uint64_t)sec;
	srv.ctime_nsec = nsec;

	err = read_source(argv[6], &srv.content, &srv.size);
	if (err)
		fail(err, "reading %s", argv[6]);
	srv.fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (srv.fd < 0)
		fail(-errno, "opening /dev/fuse");
	err = mount_fuse(srv.fd, mountpoint);
	if (err)
		fail(err, "mounting on %s", mountpoint);
	if (pipe2(pipefd, O_CLOEXEC)) {
		err = -errno;
		umount2(mountpoint, MNT_DETACH);
		fail(err, "pipe2");
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		err = -errno;
		umount2(mountpoint, MNT_DETACH);
		fail(err, "fork");
	}
	if (!pid) {
		close(pipefd[0]);
		child(&srv, pipefd[1]);
	}

	/* The parent: done once the child has answered FUSE_INIT. */
	close(pipefd[1]);
	close(srv.fd);
	do
		n = read(pipefd[0], &status, sizeof(status));
	while (n < 0 && errno == EINTR);
	if (n != sizeof(status))
		status = -EPIPE;
	if (status) {
		umount2(mountpoint, MNT_DETACH);
		fail(status, "serving FUSE_INIT");
	}
	return 0;
}
