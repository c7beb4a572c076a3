// SPDX-License-Identifier: GPL-2.0
/*
 * Is a backend usable here, and if not, why not? Each probe does the real
 * thing (load and attach the BPF programs and watch them run; ask the module
 * for its version) rather than guessing from kernel configuration.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend.h"
#include "lsm_list.h"

#define PROBE_EXEC "/bin/true"

#define say(probe, ...) snprintf((probe)->detail, sizeof((probe)->detail), __VA_ARGS__)

/* Runs PROBE_EXEC once so an attached bprm_check_security program sees an exec. */
static int run_probe_exec(void)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execl(PROBE_EXEC, PROBE_EXEC, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

/* Says so and returns true when the kernel's LSM list shows BPF LSM is off. */
static bool explain_inactive_lsm(struct backend_probe *probe)
{
	char lsms[256];

	if (lsm_list_read(LSM_LIST_PATH, lsms, sizeof(lsms)) || lsm_list_contains(lsms, "bpf"))
		return false;
	say(probe,
	    "BPF LSM is not active: the kernel's LSM list \"%s\" has no \"bpf\" "
	    "(boot with lsm=%s,bpf)",
	    lsms, lsms);
	return true;
}

void explain_bpf_failure(struct backend_probe *probe, enum bpf_stage stage, int err)
{
	const char *step = bpf_stage_name(stage);

	if (explain_inactive_lsm(probe))
		return;
	if (err == -EPERM && geteuid() != 0)
		say(probe, "%s the BPF LSM programs needs root: %s", step, strerror(-err));
	else if (err == -EPERM)
		say(probe, "this kernel refuses BPF LSM programs (%s them: %s)", step,
		    strerror(-err));
	else if (err == -EACCES && stage == BPF_STAGE_LOAD)
		say(probe, "the kernel's verifier rejected the BPF LSM programs "
			   "(BULWARK_DEBUG_LIBBPF=1 shows its log)");
	else
		say(probe, "%s the BPF LSM programs failed: %s", step, strerror(-err));
}

void probe_bpf_backend(struct backend_probe *probe)
{
	struct bpf_probe *backend = NULL;
	enum bpf_stage stage;
	uint64_t before;
	int ret;

	probe->usable = false;
	if (explain_inactive_lsm(probe))
		return;

	ret = bpf_backend_attach(&backend, &stage);
	if (ret < 0) {
		explain_bpf_failure(probe, stage, ret);
		return;
	}
	/* Attaching succeeds even where the kernel never calls BPF LSM programs. */
	before = bpf_backend_exec_count(backend);
	ret = run_probe_exec();
	if (ret < 0)
		say(probe, "cannot run %s to test the exec hook: %s", PROBE_EXEC, strerror(-ret));
	else if (bpf_backend_exec_count(backend) == before)
		say(probe, "BPF LSM programs attach but the kernel never runs them: "
			   "BPF LSM is not active (add bpf to the lsm= boot parameter)");
	else {
		probe->usable = true;
		say(probe, "BPF LSM programs load, attach and run");
	}
	bpf_backend_detach(backend);
}

void probe_kmod_backend(struct backend_probe *probe)
{
	struct kmod_version version;
	int ret;

	probe->usable = false;
	if (access("/proc/modules", F_OK) < 0) {
		say(probe,
		    "this kernel was built without loadable module support (no /proc/modules)");
		return;
	}
	ret = genl_get_version(&version);
	if (ret == -ENOENT) {
		say(probe,
		    "bulwark.ko is not loaded (no generic netlink family \"%s\"; "
		    "modprobe bulwark)",
		    BULWARK_GENL_NAME);
		return;
	}
	if (ret < 0) {
		say(probe, "cannot query bulwark.ko over generic netlink: %s", strerror(-ret));
		return;
	}
	if (version.abi != BULWARK_GENL_VERSION) {
		say(probe, "bulwark.ko %s speaks netlink ABI %u, this bulwark speaks %u",
		    version.module, version.abi, BULWARK_GENL_VERSION);
		return;
	}
	probe->usable = true;
	say(probe, "bulwark.ko %s loaded, netlink ABI %u", version.module, version.abi);
}
