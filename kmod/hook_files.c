// SPDX-License-Identifier: GPL-2.0
/*
 * Exec, mappings of code, file access and changes to the file tree, on the
 * same security_*() entry points (and so the same routes) as the BPF
 * backend's LSM programs. Paths are what d_path() names: the path the
 * workload sees from its root.
 */

#include <linux/binfmts.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/fs_struct.h>
#include <linux/kernel_read_file.h>
#include <linux/kernfs.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mount.h>
#include <uapi/linux/mount.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/security.h>
#include <uapi/linux/bulwark.h>

#include "decision.h"
#include "governing.h"
#include "hooks.h"
#include "kcompat.h"
#include "kernel_helpers.h"
#include "sb_changes.h"

#define DELETED_SUFFIX " (deleted)"

/* Whether @path is below the current task's root. */
static bool under_root(const struct path *path)
{
	struct fs_struct *fs = current->fs;
	struct path root;

	if (!fs)
		return false;
	/* Compared, never dereferenced: no reference needed under RCU. */
	spin_lock(&fs->lock);
	root = fs->root;
	spin_unlock(&fs->lock);
	return path_is_under((struct path *)path, &root);
}

/*
 * Names @path, with @child (a name in that directory) after it when not
 * NULL, into the per-CPU scratch buffer. Returns the length, 0 for a file
 * that has no path (pipe:[n], anon_inode:...), or -errno when it cannot be
 * named. With @own_names, a path the task cannot see fails (below); a unix
 * socket's bound path is named wherever it lies.
 */
static int name_path(const struct path *path, const struct dentry *child, bool own_names,
		     const char **out)
{
	char *buf = decision_scratch(), *p;
	int len;

	p = d_path(path, buf, PATH_MAX);
	if (IS_ERR(p))
		return PTR_ERR(p);
	if (*p != '/')
		return 0;
	/*
	 * The kernel's own mounts (memfd, pipes), and the files a stacked file
	 * system (overlayfs) opens for the task under its own credentials on
	 * private mounts, are named as they are. Any other file outside the
	 * task's root (another mount namespace, a tree detached by open_tree)
	 * has no name the task sees: it fails closed.
	 */
	if (own_names && !(path->mnt->mnt_flags & MNT_INTERNAL) &&
	    current->cred == current->real_cred && !under_root(path))
		return -EXDEV;
	len = strlen(p);
	/* An unlinked file (a memfd, or reopened through /proc): the name it had. */
	if (!child && d_unlinked(path->dentry) && len > (int)sizeof(DELETED_SUFFIX) &&
	    !strcmp(p + len - (sizeof(DELETED_SUFFIX) - 1), DELETED_SUFFIX)) {
		len -= sizeof(DELETED_SUFFIX) - 1;
		p[len] = 0;
	}
	if (child) {
		/* d_path() wrote at the end of PATH_MAX: NAME_MAX + 2 bytes follow. */
		u32 n = min_t(u32, child->d_name.len, NAME_MAX);

		if (len > 1)
			p[len++] = '/';
		memcpy(p + len, child->d_name.name, n);
		len += n;
		p[len] = 0;
	}
	if (len >= BULWARK_PATH_MAX)
		return -ENAMETOOLONG;
	*out = p;
	return len;
}

static void set_verdict(struct decision *d, const struct bulwark_verdict *v)
{
	d->class = v->class;
	d->rule = v->rule_id;
	d->denied = v->action == BULWARK_DENY ? (v->denied ?: v->access) : 0;
	if (v->digest_mismatch && d->denied)
		d->why |= BULWARK_WHY_CHANGED;
}

/* Decides @access of @class on the named path: 0 or -EPERM. */
static int decide_named(struct decision *d, u8 class, u16 access, const char *path, int len)
{
	struct bulwark_verdict v;

	if (bulwark_decide_path(d->ref.image, d->ref.local, class, path, len, access, NULL, &v))
		return decision_undecidable(d, access, path);
	set_verdict(d, &v);
	return decision_conclude(d, path);
}

int path_hook(u8 op, u16 access, u8 class, const struct path *dir, const struct dentry *child,
	      bool own_names)
{
	struct decision d = {.class = class};
	u8 deflt = class;
	const char *path;
	int len;

	if (!decision_begin(&d, op))
		return 0;
	if (class == BULWARK_CLASS_UNIX) {
		deflt = access == BULWARK_ACCESS_CONNECT ? BULWARK_CLASS_EGRESS
							 : BULWARK_CLASS_INGRESS;
		d.direction = access == BULWARK_ACCESS_CONNECT ? BULWARK_EGRESS : BULWARK_INGRESS;
	}
	if (!decision_has_path_rules(&d, class) && d.ref.policy->defaults[deflt] == BULWARK_ALLOW)
		return 0;
	len = name_path(dir, child, own_names, &path);
	if (len <= 0)
		return decision_undecidable(&d, access, NULL);
	return decide_named(&d, class, access, path, len);
}

static int tree_hook(u8 op, u16 access, const struct path *dir, const struct dentry *child)
{
	return path_hook(op, access, BULWARK_CLASS_FILE, dir, child, true);
}

/* --- code ---------------------------------------------------------------------- */

/*
 * Running code from @file: its identity when an exact exec rule named it,
 * else its path under the exec rules; then the file rules' exec bit.
 */
static int exec_hook(struct file *file, u8 op)
{
	const struct path *user_path = file_user_path(file);
	struct inode *inode = d_inode(user_path->dentry);
	const struct bulwark_identity *id;
	struct decision d = {.class = BULWARK_CLASS_EXEC};
	struct bulwark_verdict v;
	bool exec_decided = false;
	const char *path;
	int len;

	if (!decision_begin(&d, op))
		return 0;
	id = bulwark_generation_identity(d.gen, inode->i_sb->s_dev, inode->i_ino, d.ref.index);
	/* Admitted on a super block that is gone: another file's identity. */
	if (id && !bulwark_sb_unchanged_since(inode->i_sb->s_dev, id->admitted))
		id = NULL;
	len = name_path(user_path, NULL, true, &path);
	if (len <= 0)
		path = NULL;
	if (id) {
		/* As at admission: the ctime and generation of the inode holding the data. */
		struct inode *real = d_real_inode(user_path->dentry);
		struct timespec64 ctime = inode_get_ctime(real);

		exec_decided = true;
		d.rule = id->rule;
		if (id->action == BULWARK_DENY) {
			d.denied = BULWARK_ACCESS_EXEC;
			return decision_conclude(&d, path);
		}
		if (ctime.tv_sec != id->ctime_sec || ctime.tv_nsec != id->ctime_nsec ||
		    real->i_generation != id->i_generation) {
			d.denied = BULWARK_ACCESS_EXEC;
			d.why |= BULWARK_WHY_CHANGED;
			return decision_conclude(&d, path);
		}
	}
	if (!path)
		return decision_undecidable(&d, BULWARK_ACCESS_EXEC, NULL);
	if (!exec_decided) {
		if (bulwark_decide_path(d.ref.image, d.ref.local, BULWARK_CLASS_EXEC, path, len,
					BULWARK_ACCESS_EXEC, NULL, &v))
			return decision_undecidable(&d, BULWARK_ACCESS_EXEC, path);
		set_verdict(&d, &v);
		if (!v.by_default && !d.denied &&
		    d.ref.image->path_rules[v.rule_index].match == BULWARK_MATCH_EXACT) {
			/* Named by an exact exec rule, but not the file that was admitted. */
			d.denied = BULWARK_ACCESS_EXEC;
			d.why |= BULWARK_WHY_CHANGED;
		}
		if (d.denied)
			return decision_conclude(&d, path);
	}
	if (bulwark_decide_path(d.ref.image, d.ref.local, BULWARK_CLASS_FILE, path, len,
				BULWARK_ACCESS_EXEC, NULL, &v))
		return decision_undecidable(&d, BULWARK_ACCESS_EXEC, path);
	set_verdict(&d, &v);
	if (!d.denied)
		d.class = BULWARK_CLASS_EXEC;
	return decision_conclude(&d, path);
}

/* security_bprm_check(bprm): each binary of an exec, script and interpreter alike. */
static int on_bprm_check(struct pt_regs *regs)
{
	struct linux_binprm *bprm = (void *)hook_arg(regs, 0);

	return exec_hook(bprm->file, BULWARK_OP_EXEC);
}

/* A decision about @file's own path for @access (file rules). */
static int file_hook(struct file *file, u8 op, u16 access)
{
	return tree_hook(op, access, &file->f_path, NULL);
}

/* path_noexec(), which is not exported. */
static bool path_noexec_(const struct path *path)
{
	return (path->mnt->mnt_flags & MNT_NOEXEC) || (path->mnt->mnt_sb->s_iflags & SB_I_NOEXEC);
}

/* security_mmap_file(file, prot, flags) */
static int on_mmap_file(struct pt_regs *regs)
{
	struct file *file = (void *)hook_arg(regs, 0);
	unsigned long prot = hook_arg(regs, 1), flags = hook_arg(regs, 2);
	struct mm_struct *mm = current->mm;
	struct file *exe;
	int ret;

	if (!file)
		return 0;
	/* As mmap_prot() adjusts it: READ_IMPLIES_EXEC maps readable as executable. */
	if ((prot & (PROT_READ | PROT_EXEC)) == PROT_READ &&
	    (current->personality & READ_IMPLIES_EXEC) && !path_noexec_(&file->f_path))
		prot |= PROT_EXEC;
	/* A shared mapping of a file opened for appending writes anywhere in it. */
	/* (MAP_SHARED_VALIDATE is MAP_SHARED | MAP_PRIVATE) */
	if ((flags & MAP_SHARED) && (file->f_mode & FMODE_WRITE) && (file->f_flags & O_APPEND)) {
		ret = file_hook(file, BULWARK_OP_MMAP, BULWARK_ACCESS_WRITE);
		if (ret)
			return ret;
	}
	if (!(prot & PROT_EXEC))
		return 0;
	/* The program's own binary: decided when it was run. */
	exe = mm ? rcu_dereference(mm->exe_file) : NULL;
	if (exe && file_inode(exe) == file_inode(file))
		return 0;
	return exec_hook(file, BULWARK_OP_MMAP);
}

/* security_file_mprotect(vma, reqprot, prot): a file mapping made executable. */
static int on_file_mprotect(struct pt_regs *regs)
{
	struct vm_area_struct *vma = (void *)hook_arg(regs, 0);
	unsigned long prot = hook_arg(regs, 2);

	if (!(prot & PROT_EXEC) || (vma->vm_flags & VM_EXEC) || !vma->vm_file)
		return 0;
	return exec_hook(vma->vm_file, BULWARK_OP_MPROTECT);
}

/* --- opening files ------------------------------------------------------------- */

/*
 * Whether writing @file moves tasks to a cgroup another policy (or none)
 * governs: cgroup.procs and cgroup.threads of cgroup v2.
 */
static bool may_leave_policy(const struct decision *d, struct file *file)
{
	struct dentry *dentry = file->f_path.dentry;
	struct kernfs_node *kn;
	struct cgroup *cgroup;

	if (dentry->d_sb->s_magic != CGROUP2_SUPER_MAGIC)
		return false;
	if (strcmp(dentry->d_name.name, "cgroup.procs") &&
	    strcmp(dentry->d_name.name, "cgroup.threads"))
		return false;
	/* The destination: a cgroup2 directory's kernfs node points at its cgroup. */
	kn = d_inode(dentry->d_parent)->i_private;
	cgroup = kn ? kn->priv : NULL;
	if (!cgroup)
		return true; /* not ours to judge: fail closed */
	return bulwark_governing(d->gen, cgroup) != d->ref.index + 1;
}

/*
 * Whether the governing policy decides what runs (exec rules, or a default
 * that is not allow): then the kernel may not be made to run a program for
 * the workload (kernel_helpers.h).
 */
static bool decides_exec(const struct decision *d)
{
	return decision_has_path_rules(d, BULWARK_CLASS_EXEC) ||
	       d->ref.policy->defaults[BULWARK_CLASS_EXEC] != BULWARK_ALLOW;
}

/*
 * Why writing @file is refused whatever the rules say (BULWARK_WHY_*), or
 * 0: it moves tasks out of the policy, or it chooses what the kernel runs.
 */
static u8 refused_write(const struct decision *d, struct file *file)
{
	if (may_leave_policy(d, file))
		return BULWARK_WHY_ESCAPE;
	if (decides_exec(d) && sets_kernel_helper(file->f_path.dentry))
		return BULWARK_WHY_KERNEL_HELPER;
	return 0;
}

/* security_file_open(file) */
static int on_file_open(struct pt_regs *regs)
{
	struct file *file = (void *)hook_arg(regs, 0);
	unsigned int flags = file->f_flags;
	fmode_t mode = file->f_mode;
	struct decision d = {.class = BULWARK_CLASS_FILE};
	const char *path;
	u16 want = 0;
	int len;

	/* The kernel's own opens (overlayfs opening its real files) are not the user's. */
	if (mode & FMODE_NOACCOUNT)
		return 0;
	/* Opened to be run (open_exec): the exec and mmap hooks decide. */
	if ((mode & FMODE_EXEC) || (flags & __FMODE_EXEC))
		return 0;
	if (mode & FMODE_READ)
		want |= BULWARK_ACCESS_READ;
	if (mode & FMODE_WRITE)
		want |= (flags & O_APPEND) ? BULWARK_ACCESS_APPEND : BULWARK_ACCESS_WRITE;
	if ((flags & O_TRUNC) && !(mode & FMODE_CREATED))
		want |= BULWARK_ACCESS_TRUNCATE;
	if (mode & FMODE_CREATED)
		want |= BULWARK_ACCESS_CREATE;
	if (!want || !decision_begin(&d, BULWARK_OP_OPEN))
		return 0;
	/* Settings no policy rule can grant: leaving the cgroup, choosing what the kernel runs. */
	if (mode & FMODE_WRITE)
		d.why = refused_write(&d, file);
	if (d.why) {
		d.denied = want;
		return decision_conclude(&d, file->f_path.dentry->d_name.name);
	}
	if (!decision_has_path_rules(&d, BULWARK_CLASS_FILE) &&
	    d.ref.policy->defaults[BULWARK_CLASS_FILE] == BULWARK_ALLOW)
		return 0;
	len = name_path(&file->f_path, NULL, true, &path);
	if (len == 0)
		return 0; /* pseudo files have no path: not ours */
	if (len < 0)
		return decision_undecidable(&d, want, NULL);
	return decide_named(&d, BULWARK_CLASS_FILE, want, path, len);
}

/*
 * Ends @d, begun for writing through a descriptor it did not open (one
 * received, or opened before the policy): refused, with its event, when
 * opening @file for writing would be refused whatever the rules say.
 */
static int decide_descriptor_write(struct decision *d, struct file *file)
{
	d->why = refused_write(d, file);
	if (!d->why)
		return 0;
	d->denied = (file->f_flags & O_APPEND) ? BULWARK_ACCESS_APPEND : BULWARK_ACCESS_WRITE;
	return decision_conclude(d, file->f_path.dentry->d_name.name);
}

/*
 * security_file_receive(file): a descriptor received (SCM_RIGHTS,
 * pidfd_getfd) is an open made by another process; what on_file_open
 * refuses a workload to write may not be received for writing either.
 */
static int on_file_receive(struct pt_regs *regs)
{
	struct file *file = (void *)hook_arg(regs, 0);
	struct decision d = {.class = BULWARK_CLASS_FILE};

	if (!(file->f_mode & FMODE_WRITE) || !decision_begin(&d, BULWARK_OP_RECEIVE))
		return 0;
	return decide_descriptor_write(&d, file);
}

/*
 * security_file_permission(file, mask): a write to a descriptor the
 * workload opened before it came under its policy (or inherited from a
 * process that opened it then); what on_file_open refuses it to open for
 * writing, it may not write either. Every read and write passes here:
 * anything but a write to a file of the pseudo file systems those settings
 * live on returns at once.
 */
static int on_file_permission(struct pt_regs *regs)
{
	struct file *file = (void *)hook_arg(regs, 0);
	int mask = hook_arg(regs, 1);
	struct decision d = {.class = BULWARK_CLASS_FILE};
	unsigned long magic;

	if (!(mask & MAY_WRITE))
		return 0;
	magic = file_inode(file)->i_sb->s_magic;
	if (magic != PROC_SUPER_MAGIC && magic != SYSFS_MAGIC && magic != BINFMTFS_MAGIC &&
	    magic != CGROUP_SUPER_MAGIC && magic != CGROUP2_SUPER_MAGIC)
		return 0;
	if (!decision_begin(&d, BULWARK_OP_WRITE))
		return 0;
	return decide_descriptor_write(&d, file);
}

/* security_file_fcntl(file, cmd, arg): dropping O_APPEND needs write. */
static int on_file_fcntl(struct pt_regs *regs)
{
	struct file *file = (void *)hook_arg(regs, 0);
	unsigned int cmd = hook_arg(regs, 1);
	unsigned long arg = hook_arg(regs, 2);

	if (cmd != F_SETFL || !(file->f_mode & FMODE_WRITE) || !(file->f_flags & O_APPEND) ||
	    (arg & O_APPEND))
		return 0;
	return file_hook(file, BULWARK_OP_FCNTL, BULWARK_ACCESS_WRITE);
}

/* --- changes to the file tree -------------------------------------------------- */

static int on_path_unlink(struct pt_regs *regs)
{
	return tree_hook(BULWARK_OP_UNLINK, BULWARK_ACCESS_UNLINK, (void *)hook_arg(regs, 0),
			 (void *)hook_arg(regs, 1));
}

static int on_path_mkdir(struct pt_regs *regs)
{
	return tree_hook(BULWARK_OP_MKDIR, BULWARK_ACCESS_MKDIR, (void *)hook_arg(regs, 0),
			 (void *)hook_arg(regs, 1));
}

static int on_path_rmdir(struct pt_regs *regs)
{
	return tree_hook(BULWARK_OP_RMDIR, BULWARK_ACCESS_RMDIR, (void *)hook_arg(regs, 0),
			 (void *)hook_arg(regs, 1));
}

/* mknod, mkfifo, O_CREAT, and the socket file of a unix bind: creating a file. */
static int on_path_mknod(struct pt_regs *regs)
{
	const struct path *dir = (void *)hook_arg(regs, 0);
	struct dentry *dentry = (void *)hook_arg(regs, 1);
	umode_t mode = hook_arg(regs, 2);
	int ret;

	ret = tree_hook(BULWARK_OP_MKNOD, BULWARK_ACCESS_CREATE, dir, dentry);
	if (!ret && (mode & S_IFMT) == S_IFSOCK)
		ret = path_hook(BULWARK_OP_BIND, BULWARK_ACCESS_BIND, BULWARK_CLASS_UNIX, dir,
				dentry, true);
	return ret;
}

static int on_path_symlink(struct pt_regs *regs)
{
	return tree_hook(BULWARK_OP_SYMLINK, BULWARK_ACCESS_SYMLINK, (void *)hook_arg(regs, 0),
			 (void *)hook_arg(regs, 1));
}

/* security_path_link(old_dentry, new_dir, new_dentry): decided on the new name. */
static int on_path_link(struct pt_regs *regs)
{
	return tree_hook(BULWARK_OP_LINK, BULWARK_ACCESS_LINK, (void *)hook_arg(regs, 1),
			 (void *)hook_arg(regs, 2));
}

/* security_path_rename(old_dir, old_dentry, new_dir, new_dentry, flags) */
static int on_path_rename(struct pt_regs *regs)
{
	int ret;

	ret = tree_hook(BULWARK_OP_RENAME, BULWARK_ACCESS_RENAME, (void *)hook_arg(regs, 0),
			(void *)hook_arg(regs, 1));
	return ret
		       ?: tree_hook(BULWARK_OP_RENAME, BULWARK_ACCESS_RENAME,
				    (void *)hook_arg(regs, 2), (void *)hook_arg(regs, 3));
}

/* security_file_truncate(file): ftruncate(2) and O_TRUNC from 6.2 on. */
static int on_file_truncate(struct pt_regs *regs)
{
	struct file *file = (void *)hook_arg(regs, 0);

	return file_hook(file, BULWARK_OP_TRUNCATE, BULWARK_ACCESS_TRUNCATE);
}

static int on_path_truncate(struct pt_regs *regs)
{
	return tree_hook(BULWARK_OP_TRUNCATE, BULWARK_ACCESS_TRUNCATE, (void *)hook_arg(regs, 0),
			 NULL);
}

static int on_path_setattr(struct pt_regs *regs)
{
	return tree_hook(BULWARK_OP_SETATTR, BULWARK_ACCESS_SETATTR, (void *)hook_arg(regs, 0),
			 NULL);
}

/* --- names and scope ----------------------------------------------------------- */

/*
 * An operation that would let a workload give files other names (a mount,
 * chroot, a user namespace to do them in) or leave its cgroup: denied to a
 * task whose policy decides on names, or with @always to any task under a
 * policy.
 */
static int operation_hook(u8 op, u8 why, bool always, const struct path *path, const char *what)
{
	struct decision d = {.class = BULWARK_CLASS_FILE, .why = why};
	const char *name = what;

	if (!decision_begin(&d, op))
		return 0;
	if (!always && !decision_has_path_rules(&d, BULWARK_CLASS_FILE) &&
	    !decision_has_path_rules(&d, BULWARK_CLASS_EXEC) &&
	    !decision_has_path_rules(&d, BULWARK_CLASS_UNIX))
		return 0;
	d.denied = BULWARK_ACCESS_OPERATION;
	if (path && name_path(path, NULL, true, &name) <= 0)
		name = NULL;
	return decision_conclude(&d, name);
}

/* security_sb_mount(dev_name, path, type, flags, data) */
static int on_sb_mount(struct pt_regs *regs)
{
	unsigned long flags = hook_arg(regs, 3);

	/* As path_mount() reads them: MS_BIND before the propagation flags. */
	if ((flags & MS_REMOUNT) ||
	    (!(flags & MS_BIND) && (flags & (MS_UNBINDABLE | MS_PRIVATE | MS_SLAVE | MS_SHARED))))
		return 0;
	return operation_hook(BULWARK_OP_MOUNT, BULWARK_WHY_NAMES, false, (void *)hook_arg(regs, 1),
			      NULL);
}

/* security_move_mount(from_path, to_path) */
static int on_move_mount(struct pt_regs *regs)
{
	return operation_hook(BULWARK_OP_MOUNT, BULWARK_WHY_NAMES, false, (void *)hook_arg(regs, 1),
			      NULL);
}

/* security_sb_pivotroot(old_path, new_path) */
static int on_sb_pivotroot(struct pt_regs *regs)
{
	return operation_hook(BULWARK_OP_MOUNT, BULWARK_WHY_NAMES, false, (void *)hook_arg(regs, 1),
			      NULL);
}

static int on_path_chroot(struct pt_regs *regs)
{
	return operation_hook(BULWARK_OP_CHROOT, BULWARK_WHY_NAMES, false,
			      (void *)hook_arg(regs, 0), NULL);
}

/* security_create_user_ns(cred): in a user namespace of its own a task may mount. */
static int on_create_user_ns(struct pt_regs *regs)
{
	return operation_hook(BULWARK_OP_USERNS, BULWARK_WHY_NAMES, false, NULL, "user namespace");
}

/*
 * security_fs_context_parse_param(fc, param): a mount option that chooses a
 * program the kernel runs (cgroup v1's release_agent=), wherever it is
 * given: mount(2), a remount, fsconfig(2).
 */
static int on_fs_context_parse_param(struct pt_regs *regs)
{
	const struct fs_context *fc = (void *)hook_arg(regs, 0);
	const struct fs_parameter *param = (void *)hook_arg(regs, 1);
	struct decision d = {.class = BULWARK_CLASS_FILE, .why = BULWARK_WHY_KERNEL_HELPER};

	if (!sets_kernel_helper_option(fc, param->key) || !decision_begin(&d, BULWARK_OP_MOUNT) ||
	    !decides_exec(&d))
		return 0;
	d.denied = BULWARK_ACCESS_OPERATION;
	return decision_conclude(&d, param->key);
}

/*
 * Loading code into the kernel: a module (finit_module, init_module) or a
 * kernel to kexec (kexec_file_load, kexec_load). The kernel would run it
 * outside every policy, with parameters of the loader's choosing (a module
 * parameter can name a helper program). Under a policy that decides what
 * runs, a workload may not; under the host policy, which also decides the
 * programs the kernel starts (modprobe), a file is decided as running it
 * (@file), and code from memory is denied (@name: the event's object).
 */
static int kernel_code_hook(struct file *file, u8 op, const char *name)
{
	struct decision d = {.class = BULWARK_CLASS_EXEC, .why = BULWARK_WHY_KERNEL_CODE};
	bool host;

	if (!decision_begin(&d, op) || !decides_exec(&d))
		return 0;
	host = d.ref.index + 1 == d.gen->host_policy;
	if (file && host)
		return exec_hook(file, op);
	d.denied = BULWARK_ACCESS_OPERATION;
	return decision_conclude(&d, file ? (const char *)file->f_path.dentry->d_name.name : name);
}

/* security_kernel_read_file(file, id, contents) */
static int on_kernel_read_file(struct pt_regs *regs)
{
	struct file *file = (void *)hook_arg(regs, 0);
	enum kernel_read_file_id id = hook_arg(regs, 1);

	if (id == READING_MODULE)
		return kernel_code_hook(file, BULWARK_OP_MODULE, NULL);
	if (id == READING_KEXEC_IMAGE || id == READING_KEXEC_INITRAMFS)
		return kernel_code_hook(file, BULWARK_OP_KEXEC, NULL);
	return 0;
}

/* security_kernel_load_data(id, contents) */
static int on_kernel_load_data(struct pt_regs *regs)
{
	enum kernel_load_data_id id = hook_arg(regs, 0);

	if (id == LOADING_MODULE)
		return kernel_code_hook(NULL, BULWARK_OP_MODULE, "init_module");
	if (id == LOADING_KEXEC_IMAGE)
		return kernel_code_hook(NULL, BULWARK_OP_KEXEC, "kexec_load");
	return 0;
}

/* security_task_alloc(task, clone_flags): clone3 with CLONE_INTO_CGROUP. */
static int on_task_alloc(struct pt_regs *regs)
{
	u64 clone_flags = hook_arg(regs, 1);

	if (!(clone_flags & CLONE_INTO_CGROUP))
		return 0;
	return operation_hook(BULWARK_OP_CLONE, BULWARK_WHY_ESCAPE, true, NULL,
			      "CLONE_INTO_CGROUP");
}

const struct bulwark_hook_spec bulwark_file_hooks[] = {
	{"security_bprm_check", on_bprm_check},
	{"security_mmap_file", on_mmap_file},
	{"security_file_mprotect", on_file_mprotect},
	{"security_file_open", on_file_open},
	{"security_file_fcntl", on_file_fcntl},
	{"security_file_receive", on_file_receive},
	{"security_file_permission", on_file_permission},
	{"security_path_unlink", on_path_unlink},
	{"security_path_mkdir", on_path_mkdir},
	{"security_path_rmdir", on_path_rmdir},
	{"security_path_mknod", on_path_mknod},
	{"security_path_symlink", on_path_symlink},
	{"security_path_link", on_path_link},
	{"security_path_rename", on_path_rename},
	{"security_path_truncate", on_path_truncate},
	{"security_file_truncate", on_file_truncate, .optional = true},
	{"security_path_chmod", on_path_setattr},
	{"security_path_chown", on_path_setattr},
	{"security_sb_mount", on_sb_mount},
	{"security_move_mount", on_move_mount},
	{"security_sb_pivotroot", on_sb_pivotroot},
	{"security_path_chroot", on_path_chroot},
	{"security_create_user_ns", on_create_user_ns},
	{"security_fs_context_parse_param", on_fs_context_parse_param},
	{"security_task_alloc", on_task_alloc},
	{"security_kernel_read_file", on_kernel_read_file},
	{"security_kernel_load_data", on_kernel_load_data},
	{"security_sb_set_mnt_opts", bulwark_sb_on_set_mnt_opts},
	{NULL, NULL},
};
