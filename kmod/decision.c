// SPDX-License-Identifier: GPL-2.0
/* Policies, counters and events of decisions; see decision.h. */

#include <linux/cgroup.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/limits.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/timekeeping.h>

#include "decision.h"
#include "events.h"
#include "kcompat.h"

static DEFINE_PER_CPU(u64[__BULWARK_STAT_MAX], stats);

struct scratch {
	char path[DECISION_SCRATCH_SIZE];
	char exe[PATH_MAX];
};

/* Too big for a module's static per-CPU area: allocated at load. */
static struct scratch __percpu *scratch;

char *decision_scratch(void)
{
	return this_cpu_ptr(scratch)->path;
}

int decision_init(void)
{
	scratch = alloc_percpu(struct scratch);
	return scratch ? 0 : -ENOMEM;
}

void decision_exit(void)
{
	free_percpu(scratch);
	scratch = NULL;
}

bool decision_begin(struct decision *d, u8 op)
{
	struct cgroup *cgroup;

	/* The kernel's own threads act for no workload. */
	if (current->flags & PF_KTHREAD)
		return false;
	d->gen = bulwark_generation_current();
	if (!d->gen)
		return false;
	cgroup = task_dfl_cgroup(current);
	if (!bulwark_generation_find(d->gen, cgroup, &d->ref))
		return false;
	d->cgroup = cgroup_id(cgroup);
	d->op = op;
	this_cpu_inc(stats[BULWARK_STAT_DECISIONS]);
	return true;
}

bool decision_has_path_rules(const struct decision *d, u8 class)
{
	return d->gen->path_classes[d->ref.index] & (1u << class);
}

/* The task's executable, named into the per-CPU buffer; "" when it has none. */
static void name_exe(char *out, size_t size)
{
	struct mm_struct *mm = current->mm;
	struct file *exe;
	char *buf = this_cpu_ptr(scratch)->exe, *p;

	out[0] = 0;
	if (!mm)
		return;
	/* A reference: files are reused right after RCU lets them go (6.12). */
	exe = exe_file_get(mm);
	if (!exe)
		return;
	p = d_path(&exe->f_path, buf, PATH_MAX);
	if (!IS_ERR(p))
		strscpy(out, p, size);
	fput(exe);
}

int decision_conclude(struct decision *d, const char *object)
{
	bool audit = d->ref.policy->mode == BULWARK_MODE_AUDIT;
	struct bulwark_event *e;

	if (!d->denied)
		return 0;
	this_cpu_inc(stats[audit ? BULWARK_STAT_AUDITED : BULWARK_STAT_DENIED]);
	e = bulwark_event_alloc();
	if (e) {
		e->time_ns = ktime_get_ns();
		e->cgroup = d->cgroup;
		e->generation = d->gen->number;
		e->pid = task_tgid_nr(current);
		e->tid = task_pid_nr(current);
		e->rule = d->rule;
		e->policy = d->ref.index;
		strscpy(e->policy_name, bulwark_image_string(d->ref.image, d->ref.policy->name),
			sizeof(e->policy_name));
		e->op = d->op;
		e->verdict = audit ? BULWARK_VERDICT_AUDIT : BULWARK_VERDICT_DENY;
		e->access = d->denied;
		e->class = d->class;
		e->why = d->why;
		e->family = d->family;
		e->protocol = d->protocol;
		e->port = d->port;
		memcpy(e->addr, d->addr, sizeof(e->addr));
		memcpy(e->comm, current->comm, sizeof(e->comm));
		e->comm[sizeof(e->comm) - 1] = 0;
		name_exe(e->exe, sizeof(e->exe));
		if (object)
			strscpy(e->object, object, sizeof(e->object));
		bulwark_event_queue(e);
	}
	return audit ? 0 : -EPERM;
}

int decision_undecidable(struct decision *d, u16 access, const char *object)
{
	this_cpu_inc(stats[BULWARK_STAT_UNDECIDABLE]);
	d->denied = access;
	d->rule = 0;
	d->why |= BULWARK_WHY_UNDECIDABLE;
	return decision_conclude(d, object);
}

u64 decision_stat(enum bulwark_stat stat)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu) sum += per_cpu(stats, cpu)[stat];
	return sum;
}
