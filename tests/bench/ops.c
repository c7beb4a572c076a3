// SPDX-License-Identifier: GPL-2.0
/*
 * Per-operation cost of the operations bulwark's hooks sit on, for the VM
 * benchmark (tests/bench/vm.sh, tests/vm/suites/bench.sh):
 *
 *   open_close  open(DIR/file, O_RDONLY) + close
 *   fork_exec   fork + execve(DIR/true) + waitpid
 *   mmap_exec   mmap(DIR/lib.so, PROT_READ|PROT_EXEC) + munmap
 *   connect     socket + connect to our own loopback TCP listener + accept +
 *               close of both ends (the client with SO_LINGER 0: a reset, so
 *               no TIME_WAIT piles up across iterations)
 *
 * Each op runs a discarded warm-up round (the first loopback TCP round is
 * always high), then ROUNDS rounds of ITERS iterations (fork_exec gets
 * more rounds), each iteration timed with CLOCK_MONOTONIC. It prints
 * "op ns_per_op round_ns": the median over all iterations, and the median
 * over rounds of each round's mean (see measure()). Under qemu -icount
 * shift=0 these are virtual nanoseconds: proportional to the instructions
 * executed, which is what makes them repeatable.
 *
 * --landlock restricts the process with Landlock first, with a rule set
 * equivalent to the benchmark's bulwark policy: read and execute beneath DIR
 * and the library directory, read of /etc/ld.so.cache, EXTRA more
 * read-only rules on directories DIR/extra/NNNNNN (created if missing), and,
 * from Landlock ABI 4 (Linux 6.7) on, TCP connect to the listener's port
 * only. Below ABI 4 Landlock cannot restrict connect: ops says so on stderr.
 *
 * Usage: ops [--dir DIR] [--only OP[,OP...]] [--scale F] [--landlock]
 *            [--landlock-extra N] [--lib-dir DIR] [--verbose]
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Landlock's UAPI, spelled out: the build machine's headers may predate ABI 4. */
#define LL_CREATE_RULESET_VERSION (1U << 0)
#define LL_RULE_PATH_BENEATH 1
#define LL_RULE_NET_PORT 2
#define LL_FS_EXECUTE (1ULL << 0)
#define LL_FS_READ_FILE (1ULL << 2)
#define LL_FS_READ_DIR (1ULL << 3)
#define LL_NET_CONNECT_TCP (1ULL << 1)

struct ll_ruleset_attr {
	uint64_t handled_access_fs;
	uint64_t handled_access_net; /* ABI 4 */
};

struct ll_path_beneath_attr {
	uint64_t allowed_access;
	int32_t parent_fd;
} __attribute__((packed));

struct ll_net_port_attr {
	uint64_t allowed_access;
	uint64_t port;
};

struct op {
	const char *name;
	int iters, rounds;
	void (*once)(void);
};

static const char *dir = "/run/bulwark-bench";
static const char *lib_dir = "/usr/lib/x86_64-linux-gnu";
static char file_path[4096], true_path[4096], lib_path[4096];
static int lib_fd = -1, listen_fd = -1;
static size_t lib_len;
static struct sockaddr_in listen_addr;
static int verbose;

static void die(const char *what)
{
	fprintf(stderr, "ops: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void open_close(void)
{
	int fd = open(file_path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die(file_path);
	close(fd);
}

/*
 * One byte read and one written: every read and write passes the
 * file_permission hook (a write to a descriptor opened before the policy
 * is decided there), and returns from it at once for these files.
 */
static int zero_fd = -1, null_fd = -1;

static void read_write(void)
{
	char byte;

	if (read(zero_fd, &byte, 1) != 1 || write(null_fd, &byte, 1) != 1)
		die("read_write");
}

static void fork_exec(void)
{
	char *const argv[] = {true_path, NULL};
	char *const envp[] = {NULL};
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execve(true_path, argv, envp);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "ops: %s failed (status 0x%x)\n", true_path, status);
		exit(1);
	}
}

static void mmap_exec(void)
{
	void *p = mmap(NULL, lib_len, PROT_READ | PROT_EXEC, MAP_PRIVATE, lib_fd, 0);

	if (p == MAP_FAILED)
		die("mmap PROT_EXEC");
	munmap(p, lib_len);
}

static void tcp_connect(void)
{
	static const struct linger reset = {.l_onoff = 1, .l_linger = 0};
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), c;

	if (s < 0)
		die("socket");
	if (connect(s, (struct sockaddr *)&listen_addr, sizeof(listen_addr)))
		die("connect");
	c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (c < 0)
		die("accept");
	setsockopt(s, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
	close(s);
	close(c);
}

static void setup_listener(void)
{
	socklen_t len = sizeof(listen_addr);

	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0)
		die("socket");
	listen_addr.sin_family = AF_INET;
	listen_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(listen_fd, (struct sockaddr *)&listen_addr, sizeof(listen_addr)))
		die("bind 127.0.0.1");
	if (listen(listen_fd, 64))
		die("listen");
	if (getsockname(listen_fd, (struct sockaddr *)&listen_addr, &len))
		die("getsockname");
}

static void ll_add_path(int ruleset, const char *path, uint64_t access)
{
	struct ll_path_beneath_attr attr = {.allowed_access = access};

	attr.parent_fd = open(path, O_PATH | O_CLOEXEC);
	if (attr.parent_fd < 0)
		die(path);
	if (syscall(SYS_landlock_add_rule, ruleset, LL_RULE_PATH_BENEATH, &attr, 0))
		die("landlock_add_rule");
	close(attr.parent_fd);
}

static void landlock(int extra)
{
	const uint64_t rx = LL_FS_READ_FILE | LL_FS_READ_DIR | LL_FS_EXECUTE;
	struct ll_ruleset_attr attr = {0};
	int abi, ruleset, rules = 0;
	char path[4096];

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LL_CREATE_RULESET_VERSION);
	if (abi < 0)
		die("Landlock is not available");
	/* Every file system access this ABI knows about: all of them are restricted. */
	if (abi >= 5)
		attr.handled_access_fs = (1ULL << 16) - 1; /* up to IOCTL_DEV */
	else if (abi >= 3)
		attr.handled_access_fs = (1ULL << 15) - 1; /* up to TRUNCATE */
	else if (abi >= 2)
		attr.handled_access_fs = (1ULL << 14) - 1; /* up to REFER */
	else
		attr.handled_access_fs = (1ULL << 13) - 1;
	if (abi >= 4)
		attr.handled_access_net = LL_NET_CONNECT_TCP;
	ruleset = syscall(SYS_landlock_create_ruleset, &attr,
			  abi >= 4 ? sizeof(attr) : sizeof(attr.handled_access_fs), 0);
	if (ruleset < 0)
		die("landlock_create_ruleset");

	ll_add_path(ruleset, dir, rx);
	ll_add_path(ruleset, lib_dir, rx);
	ll_add_path(ruleset, "/etc/ld.so.cache", LL_FS_READ_FILE);
	rules = 3;
	if (extra > 0) {
		snprintf(path, sizeof(path), "%s/extra", dir);
		if (mkdir(path, 0755) && errno != EEXIST)
			die(path);
	}
	for (int i = 0; i < extra; i++) {
		snprintf(path, sizeof(path), "%s/extra/%06d", dir, i);
		if (mkdir(path, 0755) && errno != EEXIST)
			die(path);
		ll_add_path(ruleset, path, LL_FS_READ_FILE | LL_FS_READ_DIR);
		rules++;
	}
	if (abi >= 4) {
		struct ll_net_port_attr port = {
			.allowed_access = LL_NET_CONNECT_TCP,
			.port = ntohs(listen_addr.sin_port),
		};

		if (syscall(SYS_landlock_add_rule, ruleset, LL_RULE_NET_PORT, &port, 0))
			die("landlock_add_rule (TCP port)");
		rules++;
	}
	if (syscall(SYS_landlock_restrict_self, ruleset, 0))
		die("landlock_restrict_self");
	close(ruleset);
	fprintf(stderr, "ops: landlock ABI %d, %d rules%s\n", abi, rules,
		abi >= 4 ? "" : "; connect is not covered (TCP rules need ABI 4, Linux 6.7)");
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of N sorted values. */
static double median(const double *v, int n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* What timing an operation adds by itself: two clock reads back to back. */
static double clock_overhead(void)
{
	double t[1001];

	for (int i = 0; i < 1001; i++) {
		double start = now_ns();

		t[i] = now_ns() - start;
	}
	qsort(t, 1001, sizeof(t[0]), cmp_double);
	return t[500];
}

/*
 * Times every iteration on its own. The median of all of them is the cost
 * of one operation that no interrupt, softirq or deferred work (a timer
 * tick, RCU callbacks) landed in: under icount it repeats to a few virtual
 * ns between boots. The median over rounds of each round's mean includes
 * those, amortized, and is printed beside it.
 */
static void measure(const struct op *op, double scale, double overhead, double *per_op,
		    double *per_round)
{
	int iters = op->iters * scale, rounds = op->rounds, n = 0;
	double means[256], *t;

	if (iters < 1)
		iters = 1;
	if (rounds > 256)
		rounds = 256;
	t = malloc((size_t)iters * rounds * sizeof(*t));
	if (!t)
		die("malloc");
	for (int i = 0; i < iters; i++) /* warm-up, discarded */
		op->once();
	for (int r = 0; r < rounds; r++) {
		double sum = 0;

		for (int i = 0; i < iters; i++) {
			double start = now_ns();

			op->once();
			t[n] = now_ns() - start - overhead;
			sum += t[n++];
		}
		means[r] = sum / iters;
	}
	qsort(t, n, sizeof(t[0]), cmp_double);
	qsort(means, rounds, sizeof(means[0]), cmp_double);
	if (verbose) {
		fprintf(stderr,
			"ops: %s: %d rounds of %d; per op p10 %.0f p25 %.0f p50 %.0f p75 %.0f p90 "
			"%.0f; round means %.0f..%.0f\n",
			op->name, rounds, iters, t[n / 10], t[n / 4], t[n / 2], t[3 * n / 4],
			t[9 * n / 10], means[0], means[rounds - 1]);
	}
	*per_op = median(t, n);
	*per_round = median(means, rounds);
	free(t);
}

static void usage(void)
{
	fprintf(stderr, "usage: ops [--dir DIR] [--only OP[,OP...]] [--scale F] [--landlock]\n"
			"           [--landlock-extra N] [--lib-dir DIR] [--verbose]\n"
			"ops: open_close fork_exec mmap_exec connect read_write\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct op ops[] = {
		{"open_close", 2000, 11, open_close}, {"mmap_exec", 2000, 11, mmap_exec},
		{"connect", 500, 11, tcp_connect},    {"fork_exec", 20, 21, fork_exec},
		{"read_write", 2000, 11, read_write},
	};
	const char *only = NULL;
	int use_landlock = 0, extra = 0;
	double scale = 1, overhead;
	struct stat st;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--dir") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(a, "--only") && i + 1 < argc)
			only = argv[++i];
		else if (!strcmp(a, "--scale") && i + 1 < argc)
			scale = atof(argv[++i]);
		else if (!strcmp(a, "--landlock"))
			use_landlock = 1;
		else if (!strcmp(a, "--landlock-extra") && i + 1 < argc)
			extra = atoi(argv[++i]);
		else if (!strcmp(a, "--lib-dir") && i + 1 < argc)
			lib_dir = argv[++i];
		else if (!strcmp(a, "--verbose"))
			verbose = 1;
		else
			usage();
	}
	if (scale <= 0)
		usage();
	snprintf(file_path, sizeof(file_path), "%s/file", dir);
	snprintf(true_path, sizeof(true_path), "%s/true", dir);
	snprintf(lib_path, sizeof(lib_path), "%s/lib.so", dir);

	setup_listener();
	/* Before Landlock, which restricts opening them and not reading or writing them. */
	zero_fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (zero_fd < 0 || null_fd < 0)
		die("/dev/zero, /dev/null");
	if (use_landlock)
		landlock(extra);
	/* Opened after Landlock, so the restriction covers it. */
	lib_fd = open(lib_path, O_RDONLY | O_CLOEXEC);
	if (lib_fd < 0 || fstat(lib_fd, &st))
		die(lib_path);
	lib_len = st.st_size;

	overhead = clock_overhead();
	if (verbose)
		fprintf(stderr, "ops: two clock reads: %.0f ns, subtracted\n", overhead);
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		double per_op, per_round;

		if (only && !strstr(only, ops[i].name))
			continue;
		measure(&ops[i], scale, overhead, &per_op, &per_round);
		printf("%s %.0f %.0f\n", ops[i].name, per_op, per_round);
		fflush(stdout);
	}
	return 0;
}
