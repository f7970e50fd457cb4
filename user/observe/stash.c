// SPDX-License-Identifier: GPL-2.0
/*
 * Exited threads moved out of the kernel's exited-thread map while the programs run, so that
 * churn (thousands of short-lived tasks a second) cannot fill it and push out the figures of
 * the threads that matter. At most --max-threads are kept, those with the most CPU; the others
 * are let go and counted as missing (DROP_EXITED_FULL), as a full map would have counted them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "observe/internal.h"
#include "observe/stash.h"

/* Drain once the map may be this full: room to spare for the exits of the next check. */
#define DRAIN_AT_DIVISOR 4

static bool less_cpu(const struct thread_stats *a, const struct thread_stats *b)
{
	return a->on_cpu_ns < b->on_cpu_ns;
}

static void sift_down(struct thread_stats *h, size_t n, size_t i)
{
	struct thread_stats tmp;

	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < n && less_cpu(&h[l], &h[m]))
			m = l;
		if (r < n && less_cpu(&h[r], &h[m]))
			m = r;
		if (m == i)
			return;
		tmp = h[i];
		h[i] = h[m];
		h[m] = tmp;
		i = m;
	}
}

static void sift_up(struct thread_stats *h, size_t i)
{
	struct thread_stats tmp;

	while (i > 0 && less_cpu(&h[i], &h[(i - 1) / 2])) {
		tmp = h[i];
		h[i] = h[(i - 1) / 2];
		h[(i - 1) / 2] = tmp;
		i = (i - 1) / 2;
	}
}

/* Keep s if it is among the cap exited threads with the most CPU; a min-heap on on_cpu_ns. */
static int stash_push(struct exited_stash *st, const struct thread_stats *s)
{
	if (st->n < st->cap) {
		if (!st->threads) {
			st->threads = calloc(st->cap, sizeof(*st->threads));
			if (!st->threads)
				return -ENOMEM;
		}
		st->threads[st->n] = *s;
		sift_up(st->threads, st->n++);
		return 0;
	}
	st->dropped++;
	if (st->cap && less_cpu(&st->threads[0], s)) {
		st->threads[0] = *s;
		sift_down(st->threads, st->n, 0);
	}
	return 0;
}

/* Exits the kernel counted so far (tracked threads' and processes'). */
static uint64_t exits_counted(struct observer *o)
{
	int ncpus = libbpf_num_possible_cpus(), fd = bpf_map__fd(o->skel->maps.lifecycle_counts);
	__u64 percpu[ncpus > 0 ? ncpus : 1];
	uint64_t total = 0;

	for (__u32 k = LC_PROCESSES_EXITED; k <= LC_THREADS_EXITED; k++) {
		if (bpf_map_lookup_elem(fd, &k, percpu))
			continue;
		for (int c = 0; c < ncpus; c++)
			total += percpu[c];
	}
	return total;
}

int observer_drain_exited(struct observer *o, bool all)
{
	struct exited_stash *st = &o->stash;
	int fd = bpf_map__fd(o->skel->maps.exited), ret = 0;
	struct exited_key *keys = NULL, key, *prev = NULL;
	size_t n = 0, cap = 0;
	struct thread_stats s;
	uint64_t exits;

	exits = exits_counted(o);
	if (!all && exits - st->drained < st->cap / DRAIN_AT_DIVISOR)
		return 0;
	/* the keys first: deleting while walking would restart the walk */
	while (bpf_map_get_next_key(fd, prev, &key) == 0) {
		if (n == cap) {
			void *grown;

			cap = cap ? cap * 2 : 1024;
			grown = realloc(keys, cap * sizeof(*keys));
			if (!grown) {
				free(keys);
				return -ENOMEM;
			}
			keys = grown;
		}
		keys[n++] = key;
		prev = &keys[n - 1];
	}
	for (size_t i = 0; !ret && i < n; i++) {
		if (bpf_map_lookup_elem(fd, &keys[i], &s))
			continue;
		ret = stash_push(st, &s);
		bpf_map_delete_elem(fd, &keys[i]);
		st->drained++;
	}
	free(keys);
	return ret;
}

size_t observer_stash_threads(const struct observer *o, const struct thread_stats **out)
{
	*out = o->stash.threads;
	return o->stash.n;
}

uint64_t observer_stash_dropped(const struct observer *o)
{
	return o->stash.dropped;
}
