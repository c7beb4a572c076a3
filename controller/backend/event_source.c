// SPDX-License-Identifier: GPL-2.0
/* One event reader for both backends; see event_source.h. */
#include <errno.h>
#include <stdlib.h>

#include "event_source.h"

struct event_reader {
	enum backend_kind kind;
	struct bw_event_reader *ring;
	struct kmod_event_reader *group;
};

int event_reader_open(struct backend *be, bw_event_fn fn, void *ctx, struct event_reader **out)
{
	struct event_reader *r = calloc(1, sizeof(*r));
	int ret;

	if (!r)
		return -ENOMEM;
	r->kind = be->kind;
	if (be->kind == BACKEND_KMOD)
		ret = kmod_events_open(fn, ctx, &r->group);
	else
		ret = bw_events_open(be->bpf, fn, ctx, &r->ring);
	if (ret) {
		free(r);
		return ret;
	}
	*out = r;
	return 0;
}

int event_reader_wait(struct event_reader *r, int timeout_ms)
{
	if (r->kind == BACKEND_KMOD)
		return kmod_events_wait(r->group, timeout_ms);
	return bw_events_wait(r->ring, timeout_ms);
}

int event_reader_consume(struct event_reader *r)
{
	if (r->kind == BACKEND_KMOD)
		return kmod_events_consume(r->group);
	return bw_events_consume(r->ring);
}

void event_reader_close(struct event_reader *r)
{
	if (!r)
		return;
	if (r->kind == BACKEND_KMOD)
		kmod_events_close(r->group);
	else
		bw_events_close(r->ring);
	free(r);
}
