// SPDX-License-Identifier: GPL-2.0
/*
 * bw-op: performs exactly one operation and prints how it went, for the
 * conformance suite (tests/conformance/) to compare with what a policy says.
 *
 * Usage: bw-op OP ARGS...
 *        bw-op --batch OP ARGS... [:: OP ARGS...]...
 *
 * One operation prints one word: "ok" (exit 0), the errno's name such as
 * "EPERM" (exit 1), or for ldso and preload a program's failure as EXITn or
 * SIGNAME (exit 1). Usage errors print to stderr and exit 2. Programs that
 * the exec ops start write their standard output to bw-op's standard error,
 * so that standard output holds the results only.
 *
 * --batch runs each operation in a child process of its own, one after the
 * other, and prints one line per operation: the result, a space and the
 * comma-separated ids of the processes that performed it (the child, then
 * any process it started), so that events can be told apart by pid. Exit 0
 * when every result is ok, 2 on a usage error, else 1.
 *
 * Operations (ADDR is an IPv4 or IPv6 address; FAM, 4 or 6, is optional and
 * picks the socket's family: "6 127.0.0.1" means the IPv4-mapped ::ffff:127.0.0.1):
 *   exec PATH [ARG...]         fork and execve PATH; the exec's own errno, not
 *                              the program's exit status
 *   execveat-empty PATH        open PATH with O_PATH, execveat(fd, "", AT_EMPTY_PATH)
 *   procfd-exec PATH           open PATH, execve /proc/self/fd/N
 *   memfd-exec PATH            copy PATH into a memfd, execveat(memfd, "", AT_EMPTY_PATH)
 *   ldso PATH [ARG...]         run PATH through the dynamic loader (ld.so PATH)
 *   preload LIB PROG [ARG...]  run PROG with LD_PRELOAD=LIB
 *   mmap-exec PATH             mmap PATH with PROT_READ|PROT_EXEC, MAP_PRIVATE
 *   mprotect-exec PATH         mmap PATH with PROT_READ, mprotect to PROT_READ|PROT_EXEC
 *   open PATH MODE             MODE: r, w, rw, a (O_WRONLY|O_APPEND),
 *                              creat (O_CREAT|O_EXCL|O_WRONLY), c (O_CREAT|O_WRONLY),
 *                              trunc (O_WRONLY|O_TRUNC)
 *   copy SRC DST               write SRC's content over DST in place (O_TRUNC, same inode)
 *   rename OLD NEW, link OLD NEW   rename(2), link(2)
 *   truncate PATH              truncate(2) to 0
 *   append PATH                open PATH O_WRONLY|O_APPEND, write one NUL byte (an ELF still runs)
 *   ftruncate PATH             open PATH O_WRONLY|O_APPEND, then ftruncate(fd, 0)
 *   connect tcp|udp [FAM] ADDR PORT     (TCP gives up after 3 seconds)
 *   sendto udp [FAM] ADDR PORT          one datagram on an unconnected socket
 *   bind tcp|udp [FAM] ADDR PORT
 *   listen tcp [FAM] ADDR PORT          bind then listen: the errno of the failing call
 *   accept tcp [FAM] ADDR PORT          bind, listen, connect to it from a child, accept
 *   accept-fd FD                        connect to the listening socket FD from a
 *                                       child, accept on it
 *   listen-exec tcp [FAM] ADDR PORT PROG [ARG...]
 *                              listen, then execve PROG with the socket as fd 3
 *                              (prints nothing when the exec succeeds)
 *   unix-connect PATH [stream|dgram]    connect to a unix socket (default stream)
 *   unix-bind PATH [stream|dgram]
 *   unix-sendto PATH                    one datagram, unconnected
 *   unix-serve PATH [stream|dgram] [SECONDS]
 *                              bind (and listen) at PATH, print ok, and go on
 *                              serving in the background until PATH is removed
 *                              or SECONDS (default 60) have passed
 *   unappend PATH              open PATH O_WRONLY|O_APPEND, then fcntl(F_SETFL, 0)
 *   mmap-shared-write PATH     open PATH O_RDWR|O_APPEND, mmap it PROT_WRITE, MAP_SHARED
 *   bind-mount SRC DST [private]   mount(SRC, DST, MS_BIND [| MS_PRIVATE])
 *   remount PATH DATA          mount(NULL, PATH, NULL, MS_REMOUNT, DATA)
 *   fsconfig PATH KEY VALUE    fspick(PATH), fsconfig(FSCONFIG_SET_STRING, KEY, VALUE)
 *   chroot DIR                 chroot(2)
 *   userns                     unshare(CLONE_NEWUSER)
 *   cgroup-move DIR            write this process's pid into DIR/cgroup.procs
 *   clone-into-cgroup DIR      clone3 with CLONE_INTO_CGROUP into DIR (the child exits)
 *   socket packet|vsock|netlink   create a socket of that family (and close it)
 *   finit-module FILE          finit_module(FILE, "", 0): load FILE as a kernel module
 *   init-module FILE           init_module() of FILE's bytes, from memory
 *   kexec-file-load FILE       kexec_file_load(FILE, no initramfs, "")
 *   kexec-load                 kexec_load() of no segments (unloads the kexec kernel)
 *   fd-serve SOCK FILE [SECONDS]  open FILE for writing, then (in a detached child,
 *                              until SOCK is removed) hand it over SCM_RIGHTS to each
 *                              connection to the unix socket SOCK; "PID FD" in SOCK.info
 *   fd-receive SOCK            receive a descriptor from fd-serve at SOCK (EPERM when
 *                              the kernel refused it: MSG_CTRUNC)
 *   fd-getfd SOCK              pidfd_getfd() the descriptor fd-serve at SOCK holds
 *   pause                      print "ready", wait for end of file on standard input
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sched.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#define __unused __attribute__((unused))
#define LDSO_DEFAULT "/lib64/ld-linux-x86-64.so.2"
#define MAX_PIDS 8

extern char **environ;

/*
 * An operation returns 0 (ok), an errno, or one of these for a program that
 * ran but failed (ldso, preload).
 */
#define RES_EXIT(n) (-1 - (n))
#define RES_SIGNAL(n) (-1000 - (n))

static pid_t pids[MAX_PIDS];
static int npids;
static int batch;

static void record_pid(pid_t pid)
{
	if (npids < MAX_PIDS)
		pids[npids++] = pid;
}

static void __attribute__((noreturn, format(printf, 1, 2))) usage(const char *fmt, ...)
{
	va_list ap;

	fputs("bw-op: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(see the comment at the top of tests/tools/bw-op.c)\n", stderr);
	exit(2);
}

static void print_result(int res)
{
	const char *name;
	char buf[32];

	if (res == 0) {
		name = "ok";
	} else if (res > 0) {
		name = strerrorname_np(res);
		if (!name) {
			snprintf(buf, sizeof(buf), "E%d", res);
			name = buf;
		}
	} else if (res > RES_SIGNAL(0)) {
		snprintf(buf, sizeof(buf), "EXIT%d", -1 - res);
		name = buf;
	} else {
		snprintf(buf, sizeof(buf), "SIG%s", sigabbrev_np(-1000 - res) ?: "?");
		name = buf;
	}
	fputs(name, stdout);
	if (batch) {
		for (int i = 0; i < npids; i++)
			printf("%c%d", i ? ',' : ' ', pids[i]);
	}
	putchar('\n');
	fflush(stdout);
}

static long parse_num(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		usage("bad %s '%s'", what, s);
	return v;
}

/* --- running programs ------------------------------------------------------ */

struct spawn {
	const char *path; /* execve(path), or execveat(fd, "") when NULL */
	int fd;
	char **argv;
	char **envp;
	int capture; /* collect the program's standard error in out */
	char out[16384];
	size_t out_len;
	int exec_errno; /* 0 when the exec itself succeeded */
	int status; /* the program's wait status */
};

static int spawn_run(struct spawn *s)
{
	int errpipe[2], cap[2] = {-1, -1};
	ssize_t n;
	pid_t pid;
	int e;

	fflush(NULL);
	if (pipe2(errpipe, O_CLOEXEC) || (s->capture && pipe(cap)))
		return errno;
	pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0) {
		close(errpipe[0]);
		dup2(2, 1);
		if (s->capture) {
			close(cap[0]);
			dup2(cap[1], 2);
			close(cap[1]);
		}
		if (s->path)
			execve(s->path, s->argv, s->envp);
		else
			syscall(SYS_execveat, s->fd, "", s->argv, s->envp, AT_EMPTY_PATH);
		e = errno;
		if (write(errpipe[1], &e, sizeof(e)) != sizeof(e))
			_exit(126);
		_exit(127);
	}
	record_pid(pid);
	close(errpipe[1]);
	if (s->capture)
		close(cap[1]);
	s->exec_errno = 0;
	if (read(errpipe[0], &e, sizeof(e)) == sizeof(e))
		s->exec_errno = e;
	close(errpipe[0]);
	s->out_len = 0;
	if (s->capture) {
		/* Keep what fits; drain the rest, so the program never blocks on us. */
		for (;;) {
			size_t room = sizeof(s->out) - 1 - s->out_len;
			char sink[512];

			n = room ? read(cap[0], s->out + s->out_len, room)
				 : read(cap[0], sink, sizeof(sink));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			if (room)
				s->out_len += n;
		}
		s->out[s->out_len] = 0;
		close(cap[0]);
		fputs(s->out, stderr);
	}
	if (waitpid(pid, &s->status, 0) < 0)
		return errno;
	return 0;
}

/* A program that ran through ld.so: did the loader fail to map some code? */
static int loader_result(struct spawn *s)
{
	if (s->exec_errno)
		return s->exec_errno;
	if (WIFEXITED(s->status) && WEXITSTATUS(s->status) == 0)
		return 0;
	if (strstr(s->out, "Operation not permitted") ||
	    strstr(s->out, "failed to map segment from shared object"))
		return EPERM;
	if (WIFSIGNALED(s->status))
		return RES_SIGNAL(WTERMSIG(s->status));
	return RES_EXIT(WEXITSTATUS(s->status));
}

static int op_exec(int argc __unused, char **argv)
{
	struct spawn s = {.path = argv[0], .argv = argv, .envp = environ};
	int e = spawn_run(&s);

	return e ?: s.exec_errno;
}

static int op_execveat_empty(int argc __unused, char **argv)
{
	struct spawn s = {.fd = open(argv[0], O_PATH), .argv = argv, .envp = environ};
	int e;

	if (s.fd < 0)
		return errno;
	e = spawn_run(&s);
	close(s.fd);
	return e ?: s.exec_errno;
}

static int op_procfd_exec(int argc __unused, char **argv)
{
	char path[64];
	struct spawn s = {.path = path, .argv = argv, .envp = environ};
	int fd = open(argv[0], O_RDONLY), e;

	if (fd < 0)
		return errno;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	e = spawn_run(&s);
	close(fd);
	return e ?: s.exec_errno;
}

static int op_memfd_exec(int argc __unused, char **argv)
{
	struct spawn s = {.argv = argv, .envp = environ};
	int in = open(argv[0], O_RDONLY), e;
	char buf[65536];
	ssize_t n;

	if (in < 0)
		return errno;
	/* MFD_EXEC keeps 6.3+ kernels quiet; older ones refuse the flag. */
	s.fd = memfd_create("bw-op", MFD_CLOEXEC | MFD_EXEC);
	if (s.fd < 0 && errno == EINVAL)
		s.fd = memfd_create("bw-op", MFD_CLOEXEC);
	if (s.fd < 0) {
		e = errno;
		close(in);
		return e;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(s.fd, buf, n) != n) {
			e = errno;
			goto out;
		}
	}
	if (n < 0) {
		e = errno;
		goto out;
	}
	e = spawn_run(&s);
	e = e ?: s.exec_errno;
out:
	close(in);
	close(s.fd);
	return e;
}

static int op_ldso(int argc, char **argv)
{
	static struct spawn s;
	const char *ldso = getenv("BW_OP_LDSO") ?: LDSO_DEFAULT;
	char **args = calloc(argc + 2, sizeof(*args));
	int e;

	if (!args)
		return ENOMEM;
	args[0] = (char *)ldso;
	memcpy(args + 1, argv, argc * sizeof(*args));
	s = (struct spawn){.path = ldso, .argv = args, .envp = environ, .capture = 1};
	e = spawn_run(&s);
	free(args);
	return e ?: loader_result(&s);
}

static int op_preload(int argc __unused, char **argv)
{
	static struct spawn s;
	static char preload[PATH_MAX + 16];
	char **env;
	int n = 0, e;

	while (environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env)
		return ENOMEM;
	snprintf(preload, sizeof(preload), "LD_PRELOAD=%s", argv[0]);
	env[0] = preload;
	for (int i = 0, j = 1; i < n; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11))
			env[j++] = environ[i];
	s = (struct spawn){.path = argv[1], .argv = argv + 1, .envp = env, .capture = 1};
	e = spawn_run(&s);
	free(env);
	if (e)
		return e;
	/* ld.so ignores a library it cannot preload, and says so. */
	if (!s.exec_errno && strstr(s.out, "cannot be preloaded")) {
		if (strstr(s.out, "failed to map segment from shared object") ||
		    strstr(s.out, "Operation not permitted"))
			return EPERM;
		return ENOENT;
	}
	return loader_result(&s);
}

/* --- mapping files as code ------------------------------------------------- */

static int map_file(const char *path, int prot, void **addr, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY), e = 0;

	if (fd < 0)
		return errno;
	if (fstat(fd, &st)) {
		e = errno;
		goto out;
	}
	*len = st.st_size > 0 ? st.st_size : sysconf(_SC_PAGESIZE);
	*addr = mmap(NULL, *len, prot, MAP_PRIVATE, fd, 0);
	if (*addr == MAP_FAILED)
		e = errno;
out:
	close(fd);
	return e;
}

static int op_mmap_exec(int argc __unused, char **argv)
{
	size_t len;
	void *p;
	int e = map_file(argv[0], PROT_READ | PROT_EXEC, &p, &len);

	if (!e)
		munmap(p, len);
	return e;
}

static int op_mprotect_exec(int argc __unused, char **argv)
{
	size_t len;
	void *p;
	int e = map_file(argv[0], PROT_READ, &p, &len);

	if (e)
		return e;
	if (mprotect(p, len, PROT_READ | PROT_EXEC))
		e = errno;
	munmap(p, len);
	return e;
}

/* --- files ----------------------------------------------------------------- */

static const struct {
	const char *name;
	int flags;
} open_modes[] = {
	{"r", O_RDONLY},
	{"w", O_WRONLY},
	{"rw", O_RDWR},
	{"a", O_WRONLY | O_APPEND},
	{"creat", O_CREAT | O_EXCL | O_WRONLY},
	{"c", O_CREAT | O_WRONLY},
	{"trunc", O_WRONLY | O_TRUNC},
};

static int op_open(int argc __unused, char **argv)
{
	int fd;

	for (size_t i = 0; i < sizeof(open_modes) / sizeof(open_modes[0]); i++) {
		if (strcmp(argv[1], open_modes[i].name))
			continue;
		fd = open(argv[0], open_modes[i].flags | O_CLOEXEC, 0644);
		if (fd < 0)
			return errno;
		close(fd);
		return 0;
	}
	usage("open: unknown mode '%s' (r, w, rw, a, creat, c, trunc)", argv[1]);
}

/* Rewrites DST in place (same inode) with SRC's content. */
static int op_copy(int argc __unused, char **argv)
{
	int in = open(argv[0], O_RDONLY | O_CLOEXEC), out, e = 0;
	char buf[65536];
	ssize_t n;

	if (in < 0)
		return errno;
	out = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (out < 0) {
		e = errno;
		close(in);
		return e;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, n) != n) {
			e = errno ?: EIO;
			break;
		}
	}
	if (n < 0)
		e = errno;
	close(in);
	if (close(out) && !e)
		e = errno;
	return e;
}

static int op_rename(int argc __unused, char **argv)
{
	return rename(argv[0], argv[1]) ? errno : 0;
}

static int op_link(int argc __unused, char **argv)
{
	return link(argv[0], argv[1]) ? errno : 0;
}

static int op_unlink(int argc __unused, char **argv)
{
	return unlink(argv[0]) ? errno : 0;
}

static int op_mkdir(int argc __unused, char **argv)
{
	return mkdir(argv[0], 0755) ? errno : 0;
}

static int op_rmdir(int argc __unused, char **argv)
{
	return rmdir(argv[0]) ? errno : 0;
}

static int op_symlink(int argc __unused, char **argv)
{
	return symlink(argv[0], argv[1]) ? errno : 0;
}

static int op_append(int argc __unused, char **argv)
{
	int fd = open(argv[0], O_WRONLY | O_APPEND | O_CLOEXEC), e = 0;

	if (fd < 0)
		return errno;
	if (write(fd, "", 1) != 1)
		e = errno ?: EIO;
	if (close(fd) && !e)
		e = errno;
	return e;
}

static int op_truncate(int argc __unused, char **argv)
{
	return truncate(argv[0], 0) ? errno : 0;
}

/* Opens PATH for appending (or fails with that errno), then ftruncate(fd, 0). */
static int op_ftruncate(int argc __unused, char **argv)
{
	int fd = open(argv[0], O_WRONLY | O_APPEND | O_CLOEXEC), ret;

	if (fd < 0)
		return errno;
	ret = ftruncate(fd, 0) ? errno : 0;
	close(fd);
	return ret;
}

static int op_chmod(int argc __unused, char **argv)
{
	return chmod(argv[0], 0600) ? errno : 0;
}

static int op_mkfifo(int argc __unused, char **argv)
{
	return mkfifo(argv[0], 0600) ? errno : 0;
}

static int op_unappend(int argc __unused, char **argv)
{
	int fd = open(argv[0], O_WRONLY | O_APPEND | O_CLOEXEC), e = 0;

	if (fd < 0)
		return errno;
	if (fcntl(fd, F_SETFL, 0))
		e = errno;
	close(fd);
	return e;
}

static int op_mmap_shared_write(int argc __unused, char **argv)
{
	int fd = open(argv[0], O_RDWR | O_APPEND | O_CLOEXEC), e = 0;
	void *p;

	if (fd < 0)
		return errno;
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		e = errno;
	else
		munmap(p, 4096);
	close(fd);
	return e;
}

/* --- names and scope ---------------------------------------------------------- */

static int op_bind_mount(int argc, char **argv)
{
	unsigned long flags = MS_BIND;

	if (argc > 2) {
		if (strcmp(argv[2], "private"))
			usage("bind-mount: unknown flag '%s' (private)", argv[2]);
		flags |= MS_PRIVATE;
	}
	if (mount(argv[0], argv[1], NULL, flags, NULL))
		return errno;
	umount2(argv[1], MNT_DETACH);
	return 0;
}

/* mount(2) MS_REMOUNT of PATH with the option string DATA. */
static int op_remount(int argc __unused, char **argv)
{
	return mount(NULL, argv[0], NULL, MS_REMOUNT, argv[1]) ? errno : 0;
}

#ifndef FSCONFIG_SET_STRING
#define FSCONFIG_SET_STRING 1
#endif

/* The new mount API: fspick(2) the mount at PATH, fsconfig(2) KEY=VALUE. */
static int op_fsconfig(int argc __unused, char **argv)
{
	int fd = syscall(SYS_fspick, AT_FDCWD, argv[0], 0), e = 0;

	if (fd < 0)
		return errno;
	if (syscall(SYS_fsconfig, fd, FSCONFIG_SET_STRING, argv[1], argv[2], 0))
		e = errno;
	close(fd);
	return e;
}

static int op_chroot(int argc __unused, char **argv)
{
	return chroot(argv[0]) ? errno : 0;
}

static int op_userns(int argc __unused, char **argv __unused)
{
	return unshare(CLONE_NEWUSER) ? errno : 0;
}

static int op_cgroup_move(int argc __unused, char **argv)
{
	char path[PATH_MAX], pid[32];
	int fd, e = 0, n;

	snprintf(path, sizeof(path), "%s/cgroup.procs", argv[0]);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (write(fd, pid, n) != n)
		e = errno ?: EIO;
	close(fd);
	return e;
}

static int op_clone_into_cgroup(int argc __unused, char **argv)
{
	struct clone_args args = {.flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD};
	int fd = open(argv[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC), status;
	long pid;

	if (fd < 0)
		return errno;
	args.cgroup = fd;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid == 0)
		_exit(0);
	close(fd);
	if (pid < 0)
		return errno;
	waitpid(pid, &status, 0);
	return 0;
}

static int op_socket(int argc __unused, char **argv)
{
	static const struct {
		const char *name;
		int family, type, protocol;
	} families[] = {
		{"packet", AF_PACKET, SOCK_DGRAM, 0},
		{"vsock", AF_VSOCK, SOCK_STREAM, 0},
		{"netlink", AF_NETLINK, SOCK_RAW, 0 /* NETLINK_ROUTE */},
	};

	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		int fd;

		if (strcmp(argv[0], families[i].name))
			continue;
		fd = socket(families[i].family, families[i].type | SOCK_CLOEXEC,
			    families[i].protocol);
		if (fd < 0)
			return errno;
		close(fd);
		return 0;
	}
	usage("socket: unknown family '%s' (packet, vsock, netlink)", argv[0]);
}

/*
 * Loading code into the kernel. Files that are not modules or kernels get
 * ENOEXEC from the loader once the LSM hooks let them through.
 */
static int op_finit_module(int argc __unused, char **argv)
{
	int fd = open(argv[0], O_RDONLY | O_CLOEXEC), e = 0;

	if (fd < 0)
		return errno;
	if (syscall(SYS_finit_module, fd, "", 0))
		e = errno;
	close(fd);
	return e;
}

static int op_init_module(int argc __unused, char **argv)
{
	/* Longer than an ELF header: a shorter blob is refused before the LSM hook. */
	char buf[4096] = {0};
	int fd = open(argv[0], O_RDONLY | O_CLOEXEC), e = 0;

	if (fd < 0)
		return errno;
	if (read(fd, buf, sizeof(buf)) < 0)
		e = errno;
	close(fd);
	if (!e && syscall(SYS_init_module, buf, sizeof(buf), ""))
		e = errno;
	return e;
}

static int op_kexec_file_load(int argc __unused, char **argv)
{
	int fd = open(argv[0], O_RDONLY | O_CLOEXEC), e = 0;

	if (fd < 0)
		return errno;
	/* KEXEC_FILE_NO_INITRAMFS is 4; the command line's length counts its NUL. */
	if (syscall(SYS_kexec_file_load, fd, -1, 1ul, "", 4ul))
		e = errno;
	close(fd);
	return e;
}

static int op_kexec_load(int argc __unused, char **argv __unused)
{
	/* No segments: unload (nothing is loaded in the test VM). KEXEC_ARCH_DEFAULT is 0. */
	return syscall(SYS_kexec_load, 0ul, 0ul, NULL, 0ul) ? errno : 0;
}

/* --- IP sockets ------------------------------------------------------------ */

struct inet {
	int type; /* SOCK_STREAM, SOCK_DGRAM */
	struct sockaddr_storage addr;
	socklen_t len;
	int used; /* arguments consumed */
};

/* Parses PROTO [FAM] ADDR PORT from argv. */
static void parse_inet(const char *op, int argc, char **argv, struct inet *in)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&in->addr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&in->addr;
	struct in_addr a4;
	int i = 1, fam = 0;
	long port;

	memset(in, 0, sizeof(*in));
	if (argc < 3)
		usage("%s: expected tcp|udp [4|6] ADDR PORT", op);
	if (!strcmp(argv[0], "tcp"))
		in->type = SOCK_STREAM;
	else if (!strcmp(argv[0], "udp"))
		in->type = SOCK_DGRAM;
	else
		usage("%s: unknown protocol '%s' (tcp or udp)", op, argv[0]);
	if (!strcmp(argv[1], "4") || !strcmp(argv[1], "6")) {
		fam = argv[1][0] - '0';
		i++;
	}
	if (argc < i + 2)
		usage("%s: expected tcp|udp [4|6] ADDR PORT", op);
	port = parse_num(argv[i + 1], 0, 65535, "port");
	if (inet_pton(AF_INET, argv[i], &a4) == 1 && fam != 6) {
		sin->sin_family = AF_INET;
		sin->sin_addr = a4;
		sin->sin_port = htons(port);
		in->len = sizeof(*sin);
	} else if (inet_pton(AF_INET, argv[i], &a4) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr.s6_addr[10] = 0xff;
		sin6->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&sin6->sin6_addr.s6_addr[12], &a4, 4);
		sin6->sin6_port = htons(port);
		in->len = sizeof(*sin6);
	} else if (inet_pton(AF_INET6, argv[i], &sin6->sin6_addr) == 1 && fam != 4) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		in->len = sizeof(*sin6);
	} else {
		usage("%s: bad address '%s'%s", op, argv[i], fam == 4 ? " for IPv4" : "");
	}
	in->used = i + 2;
}

static int inet_socket(const struct inet *in)
{
	int one = 1, fd = socket(in->addr.ss_family, in->type | SOCK_CLOEXEC, 0);

	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	return fd;
}

static void want_args(const char *op, int argc, const struct inet *in)
{
	if (argc != in->used)
		usage("%s: unexpected argument after the port", op);
}

static int op_connect(int argc, char **argv)
{
	struct timeval tv = {.tv_sec = 3};
	struct inet in;
	int fd, e = 0;

	parse_inet("connect", argc, argv, &in);
	want_args("connect", argc, &in);
	fd = inet_socket(&in);
	if (fd < 0)
		return errno;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&in.addr, in.len))
		e = errno;
	close(fd);
	return e;
}

static int op_sendto(int argc, char **argv)
{
	struct inet in;
	int fd, e = 0;

	parse_inet("sendto", argc, argv, &in);
	want_args("sendto", argc, &in);
	if (in.type != SOCK_DGRAM)
		usage("sendto: only udp");
	fd = inet_socket(&in);
	if (fd < 0)
		return errno;
	if (sendto(fd, "x", 1, 0, (struct sockaddr *)&in.addr, in.len) < 0)
		e = errno;
	close(fd);
	return e;
}

static int op_bind(int argc, char **argv)
{
	struct inet in;
	int fd, e = 0;

	parse_inet("bind", argc, argv, &in);
	want_args("bind", argc, &in);
	fd = inet_socket(&in);
	if (fd < 0)
		return errno;
	if (bind(fd, (struct sockaddr *)&in.addr, in.len))
		e = errno;
	close(fd);
	return e;
}

/* Binds and listens; returns the socket, or -errno. */
static int inet_listen(const struct inet *in)
{
	int fd = inet_socket(in), e;

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&in->addr, in->len) || listen(fd, 8)) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static int op_listen(int argc, char **argv)
{
	struct inet in;
	int fd;

	parse_inet("listen", argc, argv, &in);
	want_args("listen", argc, &in);
	if (in.type != SOCK_STREAM)
		usage("listen: only tcp");
	fd = inet_listen(&in);
	if (fd < 0)
		return -fd;
	close(fd);
	return 0;
}

/* Connects to the listening socket fd from a child and accepts the connection. */
static int accept_one(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int c, e = 0, status;
	char byte;
	pid_t pid;

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0) {
		c = socket(ss.ss_family, SOCK_STREAM, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&ss, len)) {
			fprintf(stderr, "bw-op: accept: connecting to the listener: %s\n",
				strerrorname_np(errno) ?: "?");
			_exit(1);
		}
		/* Stay connected until the parent has accepted (or given up). */
		if (read(c, &byte, 1) < 0)
			_exit(1);
		_exit(0);
	}
	record_pid(pid);
	c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		e = errno;
	else
		close(c);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return e;
}

static int op_accept(int argc, char **argv)
{
	struct inet in;
	int fd, e;

	parse_inet("accept", argc, argv, &in);
	want_args("accept", argc, &in);
	if (in.type != SOCK_STREAM)
		usage("accept: only tcp");
	fd = inet_listen(&in);
	if (fd < 0)
		return -fd;
	e = accept_one(fd);
	close(fd);
	return e;
}

static int op_accept_fd(int argc __unused, char **argv)
{
	return accept_one(parse_num(argv[0], 0, INT_MAX, "fd"));
}

static int op_listen_exec(int argc, char **argv)
{
	struct inet in;
	int fd;

	parse_inet("listen-exec", argc, argv, &in);
	if (argc <= in.used)
		usage("listen-exec: expected a program after the port");
	if (in.type != SOCK_STREAM)
		usage("listen-exec: only tcp");
	fd = inet_listen(&in);
	if (fd < 0)
		return -fd;
	/* As fd 3, without FD_CLOEXEC (dup2 clears it, but not onto itself). */
	if ((fd == 3 ? fcntl(fd, F_SETFD, 0) : dup2(fd, 3)) < 0)
		return errno;
	if (fd != 3)
		close(fd);
	execve(argv[in.used], argv + in.used, environ);
	return errno;
}

/* --- unix sockets ---------------------------------------------------------- */

static int unix_type(const char *op, int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "stream"))
		return SOCK_STREAM;
	if (!strcmp(argv[1], "dgram"))
		return SOCK_DGRAM;
	usage("%s: unknown socket type '%s' (stream or dgram)", op, argv[1]);
}

static socklen_t unix_addr(const char *op, const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		usage("%s: path too long for a unix socket: %s", op, path);
	strcpy(sun->sun_path, path);
	return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

static int op_unix_connect(int argc, char **argv)
{
	struct sockaddr_un sun;
	socklen_t len = unix_addr("unix-connect", argv[0], &sun);
	int fd = socket(AF_UNIX, unix_type("unix-connect", argc, argv) | SOCK_CLOEXEC, 0), e = 0;

	if (fd < 0)
		return errno;
	if (connect(fd, (struct sockaddr *)&sun, len))
		e = errno;
	close(fd);
	return e;
}

static int op_unix_bind(int argc, char **argv)
{
	struct sockaddr_un sun;
	socklen_t len = unix_addr("unix-bind", argv[0], &sun);
	int fd = socket(AF_UNIX, unix_type("unix-bind", argc, argv) | SOCK_CLOEXEC, 0), e = 0;

	if (fd < 0)
		return errno;
	if (bind(fd, (struct sockaddr *)&sun, len))
		e = errno;
	close(fd);
	return e;
}

static int op_unix_sendto(int argc __unused, char **argv)
{
	struct sockaddr_un sun;
	socklen_t len = unix_addr("unix-sendto", argv[0], &sun);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), e = 0;

	if (fd < 0)
		return errno;
	if (sendto(fd, "x", 1, 0, (struct sockaddr *)&sun, len) < 0)
		e = errno;
	close(fd);
	return e;
}

/*
 * Forks the server of the unix socket @fd, bound at @path: the child,
 * detached from our caller's pipes, calls @serve each time @fd is readable,
 * until @path is removed or replaced, @seconds pass or @serve returns
 * false. Returns the child's pid to the parent, or -errno.
 */
static pid_t fork_server(int fd, const char *path, long seconds, bool (*serve)(int, void *),
			 void *arg)
{
	struct stat st, now;
	time_t end;
	pid_t pid;
	int null;

	if (stat(path, &st))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid)
		return pid < 0 ? -errno : pid;
	setsid();
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	end = time(NULL) + seconds;
	while (time(NULL) < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		if (stat(path, &now) || now.st_ino != st.st_ino || now.st_dev != st.st_dev)
			break;
		if (poll(&p, 1, 200) <= 0)
			continue;
		if (!serve(fd, arg))
			break;
	}
	_exit(0);
}

/* unix-serve: a stream connection is accepted and closed, a datagram read. */
static bool serve_unix(int fd, void *arg)
{
	char buf[256];

	if (*(int *)arg == SOCK_STREAM) {
		int c = accept(fd, NULL, NULL);

		if (c >= 0)
			close(c);
		return true;
	}
	return recv(fd, buf, sizeof(buf), 0) >= 0;
}

static int op_unix_serve(int argc, char **argv)
{
	struct sockaddr_un sun;
	socklen_t len = unix_addr("unix-serve", argv[0], &sun);
	int type = unix_type("unix-serve", argc, argv);
	long seconds = argc > 2 ? parse_num(argv[2], 1, 86400, "seconds") : 60;
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0), e;
	pid_t pid;

	if (fd < 0)
		return errno;
	if (bind(fd, (struct sockaddr *)&sun, len) || (type == SOCK_STREAM && listen(fd, 64))) {
		e = errno;
		close(fd);
		return e;
	}
	pid = fork_server(fd, argv[0], seconds, serve_unix, &type);
	close(fd);
	return pid < 0 ? -pid : 0;
}

static int op_pause(int argc __unused, char **argv __unused)
{
	char buf[256];
	ssize_t n;

	puts("ready");
	fflush(stdout);
	while ((n = read(0, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		;
	return 0;
}

/* --- descriptors handed over --------------------------------------------- */

/* fd-serve: each connection is handed the descriptor *@arg, then closed. */
static bool serve_descriptor(int fd, void *arg)
{
	char control[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {.iov_base = "x", .iov_len = 1};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control,
			     .msg_controllen = sizeof(control)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	int conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

	if (conn < 0)
		return true;
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), arg, sizeof(int));
	sendmsg(conn, &msg, MSG_NOSIGNAL);
	close(conn);
	return true;
}

static int op_fd_serve(int argc, char **argv)
{
	struct sockaddr_un sun;
	socklen_t len = unix_addr("fd-serve", argv[0], &sun);
	long seconds = argc > 2 ? parse_num(argv[2], 1, 86400, "seconds") : 120;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), file, e;
	char info[PATH_MAX + 8];
	pid_t pid;
	FILE *f;

	if (fd < 0)
		return errno;
	file = open(argv[1], O_WRONLY | O_CLOEXEC);
	if (file < 0 || bind(fd, (struct sockaddr *)&sun, len) || listen(fd, 64)) {
		e = errno;
		close(fd);
		return e;
	}
	pid = fork_server(fd, argv[0], seconds, serve_descriptor, &file);
	close(fd);
	if (pid < 0)
		return -pid;
	snprintf(info, sizeof(info), "%s.info", argv[0]);
	f = fopen(info, "w");
	if (!f)
		return errno;
	fprintf(f, "%d %d\n", (int)pid, file);
	return fclose(f) ? errno : 0;
}

static int op_fd_receive(int argc __unused, char **argv)
{
	struct sockaddr_un sun;
	socklen_t len = unix_addr("fd-receive", argv[0], &sun);
	char control[CMSG_SPACE(sizeof(int))] = {0}, byte;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = control,
			     .msg_controllen = sizeof(control)};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), e = 0, got;
	struct cmsghdr *c;

	if (fd < 0)
		return errno;
	if (connect(fd, (struct sockaddr *)&sun, len) || recvmsg(fd, &msg, MSG_CMSG_CLOEXEC) < 0) {
		e = errno;
		close(fd);
		return e;
	}
	close(fd);
	c = CMSG_FIRSTHDR(&msg);
	if (c && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(sizeof(int))) {
		memcpy(&got, CMSG_DATA(c), sizeof(int));
		close(got);
		return 0;
	}
	/* The kernel drops a descriptor an LSM refuses and says so with MSG_CTRUNC. */
	return (msg.msg_flags & MSG_CTRUNC) ? EPERM : EPROTO;
}

static int op_fd_getfd(int argc __unused, char **argv)
{
	char info[PATH_MAX + 8];
	int pid, target, pidfd, got;
	FILE *f;

	snprintf(info, sizeof(info), "%s.info", argv[0]);
	f = fopen(info, "r");
	if (!f)
		return errno;
	if (fscanf(f, "%d %d", &pid, &target) != 2) {
		fclose(f);
		return EPROTO;
	}
	fclose(f);
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return errno;
	got = syscall(SYS_pidfd_getfd, pidfd, target, 0);
	close(pidfd);
	if (got < 0)
		return errno;
	close(got);
	return 0;
}

/* --- dispatch -------------------------------------------------------------- */

static const struct op {
	const char *name;
	int min, max; /* argument counts; max -1: any */
	int (*run)(int argc, char **argv);
} ops[] = {
	{"exec", 1, -1, op_exec},
	{"execveat-empty", 1, -1, op_execveat_empty},
	{"procfd-exec", 1, -1, op_procfd_exec},
	{"memfd-exec", 1, -1, op_memfd_exec},
	{"ldso", 1, -1, op_ldso},
	{"preload", 2, -1, op_preload},
	{"mmap-exec", 1, 1, op_mmap_exec},
	{"mprotect-exec", 1, 1, op_mprotect_exec},
	{"open", 2, 2, op_open},
	{"copy", 2, 2, op_copy},
	{"rename", 2, 2, op_rename},
	{"link", 2, 2, op_link},
	{"unlink", 1, 1, op_unlink},
	{"mkdir", 1, 1, op_mkdir},
	{"rmdir", 1, 1, op_rmdir},
	{"symlink", 2, 2, op_symlink},
	{"truncate", 1, 1, op_truncate},
	{"append", 1, 1, op_append},
	{"ftruncate", 1, 1, op_ftruncate},
	{"chmod", 1, 1, op_chmod},
	{"mkfifo", 1, 1, op_mkfifo},
	{"connect", 3, 4, op_connect},
	{"sendto", 3, 4, op_sendto},
	{"bind", 3, 4, op_bind},
	{"listen", 3, 4, op_listen},
	{"accept", 3, 4, op_accept},
	{"accept-fd", 1, 1, op_accept_fd},
	{"listen-exec", 4, -1, op_listen_exec},
	{"unix-connect", 1, 2, op_unix_connect},
	{"unix-bind", 1, 2, op_unix_bind},
	{"unix-sendto", 1, 1, op_unix_sendto},
	{"unix-serve", 1, 3, op_unix_serve},
	{"unappend", 1, 1, op_unappend},
	{"mmap-shared-write", 1, 1, op_mmap_shared_write},
	{"bind-mount", 2, 3, op_bind_mount},
	{"remount", 2, 2, op_remount},
	{"fsconfig", 3, 3, op_fsconfig},
	{"chroot", 1, 1, op_chroot},
	{"userns", 0, 0, op_userns},
	{"cgroup-move", 1, 1, op_cgroup_move},
	{"clone-into-cgroup", 1, 1, op_clone_into_cgroup},
	{"socket", 1, 1, op_socket},
	{"finit-module", 1, 1, op_finit_module},
	{"init-module", 1, 1, op_init_module},
	{"kexec-file-load", 1, 1, op_kexec_file_load},
	{"kexec-load", 0, 0, op_kexec_load},
	{"fd-serve", 2, 3, op_fd_serve},
	{"fd-receive", 1, 1, op_fd_receive},
	{"fd-getfd", 1, 1, op_fd_getfd},
	{"pause", 0, 0, op_pause},
};

static const struct op *find_op(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		const struct op *op = &ops[i];

		if (strcmp(argv[0], op->name))
			continue;
		if (argc - 1 < op->min || (op->max >= 0 && argc - 1 > op->max))
			usage("%s: wrong number of arguments", op->name);
		return op;
	}
	usage("unknown operation '%s'", argv[0]);
}

static int run_one(int argc, char **argv)
{
	const struct op *op = find_op(argc, argv);
	int res;

	/* The operation's own arguments, NULL-terminated (exec passes them on). */
	char **args = calloc(argc, sizeof(*args));

	if (!args)
		usage("out of memory");
	memcpy(args, argv + 1, (argc - 1) * sizeof(*args));
	res = op->run(argc - 1, args);
	free(args);
	print_result(res);
	return res == 0 ? 0 : 1;
}

static int run_batch(int argc, char **argv)
{
	int start = 0, worst = 0, status;

	/* Check every operation's name and argument count before running any. */
	for (int i = 0; i <= argc; i++) {
		if (i < argc && strcmp(argv[i], "::"))
			continue;
		if (i == start)
			usage("--batch: empty operation");
		find_op(i - start, argv + start);
		start = i + 1;
	}
	start = 0;
	for (int i = 0; i <= argc; i++) {
		pid_t pid;

		if (i < argc && strcmp(argv[i], "::"))
			continue;
		fflush(NULL);
		pid = fork();
		if (pid < 0)
			usage("fork: %s", strerror(errno));
		if (pid == 0) {
			argv[i] = NULL;
			npids = 0;
			record_pid(getpid());
			exit(run_one(i - start, argv + start));
		}
		if (waitpid(pid, &status, 0) < 0)
			usage("waitpid: %s", strerror(errno));
		/* A child that printed no result: say what became of it. */
		if (WIFSIGNALED(status)) {
			printf("SIG%s %d\n", sigabbrev_np(WTERMSIG(status)) ?: "?", pid);
			status = 1;
		} else if (WEXITSTATUS(status) > 1) {
			printf("USAGE %d\n", pid);
			status = 2;
		} else {
			status = WEXITSTATUS(status);
		}
		fflush(stdout);
		if (status > worst)
			worst = status;
		start = i + 1;
	}
	return worst;
}

int main(int argc, char *argv[])
{
	if (argc >= 2 && !strcmp(argv[1], "--batch")) {
		if (argc < 3)
			usage("--batch: expected an operation");
		batch = 1;
		return run_batch(argc - 2, argv + 2);
	}
	if (argc < 2)
		usage("expected an operation");
	return run_one(argc - 1, argv + 1);
}
