// SPDX-License-Identifier: GPL-2.0
/* serve's readings of the maps, and the freeing of exited threads once they are folded. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "observe/export.h"
#include "observe/internal.h"

/* thread_stats.flags of a record read from the exited map, this reading's own mark: final */
#define FROM_EXITED_MAP (1U << 31)

struct export_reading {
	struct thread_stats *stats; /* sorted by (tid, seq), one each */
	struct export_thread *threads;
	size_t n;
	struct export_errno *errnos; /* every thread's, in thread order */
	struct map_entries lat, others, errno_entries;
	struct exited_key *exited_keys; /* the exited map's keys read */
	struct thread_stats *exited_values;
	size_t nexited;
	uint64_t drops[DROP_REASONS];
};

static int cmp_stats(const void *a, const void *b)
{
	const struct thread_stats *x = a, *y = b;
	bool xe = x->flags & FROM_EXITED_MAP, ye = y->flags & FROM_EXITED_MAP;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return (xe > ye) - (xe < ye);
}

/* The exited map, keys kept: a key's exit time may differ from its value's. */
static int read_exited(int fd, struct export_reading *r)
{
	struct exited_key key, next, *prev = NULL;
	size_t cap = 0;
	void *grown;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (r->nexited == cap) {
			cap = cap ? cap * 2 : 64;
			grown = realloc(r->exited_keys, cap * sizeof(*r->exited_keys));
			if (!grown)
				return -ENOMEM;
			r->exited_keys = grown;
			grown = realloc(r->exited_values, cap * sizeof(*r->exited_values));
			if (!grown)
				return -ENOMEM;
			r->exited_values = grown;
		}
		if (bpf_map_lookup_elem(fd, &key, &r->exited_values[r->nexited]))
			continue;
		r->exited_keys[r->nexited++] = key;
	}
	return 0;
}

static const void *entries_at(const struct map_entries *e, size_t i)
{
	return e->data + i * e->rec_size;
}

/* First entry of (tid, seq) in e, or e->n. */
static size_t entries_first(const struct map_entries *e, __u32 tid, __u32 seq)
{
	size_t lo = 0, hi = e->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const __u32 *k = entries_at(e, mid);

		if (k[0] < tid || (k[0] == tid && k[1] < seq))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool entry_is(const struct map_entries *e, size_t i, __u32 tid, __u32 seq)
{
	const __u32 *k = entries_at(e, i);

	return i < e->n && k[0] == tid && k[1] == seq;
}

/* Each thread's lat figures and errnos, pointed to from its export_thread. */
static int link_threads(struct export_reading *r)
{
	size_t nerr = 0;

	r->threads = calloc(r->n ? r->n : 1, sizeof(*r->threads));
	r->errnos = calloc(r->errno_entries.n ? r->errno_entries.n : 1, sizeof(*r->errnos));
	if (!r->threads || !r->errnos)
		return -ENOMEM;
	for (size_t i = 0; i < r->n; i++) {
		const struct thread_stats *s = &r->stats[i];
		struct export_thread *t = &r->threads[i];
		size_t k;

		t->stats = s;
		t->exited = s->flags & FROM_EXITED_MAP;
		for (k = entries_first(&r->lat, s->tid, s->seq);
		     entry_is(&r->lat, k, s->tid, s->seq); k++) {
			const struct lat_key *key = entries_at(&r->lat, k);

			if (key->metric < LAT_METRICS)
				t->lat[key->metric] =
					(const void *)((const char *)key + r->lat.key_size);
		}
		t->errnos = &r->errnos[nerr];
		for (k = entries_first(&r->errno_entries, s->tid, s->seq);
		     entry_is(&r->errno_entries, k, s->tid, s->seq); k++) {
			const struct errno_key *key = entries_at(&r->errno_entries, k);
			const __u64 *count =
				(const void *)((const char *)key + r->errno_entries.key_size);

			r->errnos[nerr++] = (struct export_errno){
				.sys_class = key->sys_class, .err = key->err, .count = *count};
			t->nerrnos++;
		}
	}
	return 0;
}

int observer_export_read(struct observer *o, struct export_reading **out)
{
	struct export_reading *r = calloc(1, sizeof(*r));
	int ncpus = libbpf_num_possible_cpus();
	size_t cap = 0, k = 0;
	__u64 *percpu = NULL;
	int ret;

	*out = NULL;
	if (!r)
		return -ENOMEM;
	/* live threads first: one that exits meanwhile is in both, and its exited entry wins */
	ret = observe_read_threads(o, bpf_map__fd(o->skel->maps.threads), sizeof(__u32), true,
				   monotonic_ns(), &r->stats, &r->n, &cap);
	if (!ret)
		ret = read_exited(bpf_map__fd(o->skel->maps.exited), r);
	for (size_t i = 0; !ret && i < r->nexited; i++) {
		struct thread_stats s = r->exited_values[i];

		s.flags |= FROM_EXITED_MAP;
		if (r->n == cap) {
			void *grown;

			cap = cap ? cap * 2 : 64;
			grown = realloc(r->stats, cap * sizeof(*r->stats));
			if (!grown) {
				ret = -ENOMEM;
				break;
			}
			r->stats = grown;
		}
		r->stats[r->n++] = s;
	}
	/* one record per (tid, seq): the last of equals, which is the exited one */
	if (!ret && r->n > 1) {
		qsort(r->stats, r->n, sizeof(*r->stats), cmp_stats);
		for (size_t i = 0; i < r->n; i++) {
			if (i + 1 < r->n && r->stats[i + 1].tid == r->stats[i].tid &&
			    r->stats[i + 1].seq == r->stats[i].seq)
				continue;
			r->stats[k++] = r->stats[i];
		}
		r->n = k;
	}
	if (!ret)
		ret = observe_read_entries(bpf_map__fd(o->skel->maps.lat), sizeof(struct lat_key),
					   sizeof(struct lat_stats), &r->lat);
	if (!ret)
		ret = observe_read_entries(bpf_map__fd(o->skel->maps.others),
					   sizeof(struct other_key), sizeof(struct other_stats),
					   &r->others);
	if (!ret)
		ret = observe_read_entries(bpf_map__fd(o->skel->maps.errnos),
					   sizeof(struct errno_key), sizeof(__u64),
					   &r->errno_entries);
	if (!ret)
		ret = link_threads(r);
	percpu = calloc(ncpus > 0 ? ncpus : 1, sizeof(*percpu));
	if (!ret && !percpu)
		ret = -ENOMEM;
	for (__u32 d = 0; !ret && d < DROP_REASONS; d++) {
		if (bpf_map_lookup_elem(bpf_map__fd(o->skel->maps.drops), &d, percpu))
			continue;
		for (int c = 0; c < ncpus; c++)
			r->drops[d] += percpu[c];
	}
	r->drops[DROP_THREADS_FULL] += o->seed_drops;
	r->drops[DROP_RECURSION] += observer_recursion_misses(o);
	free(percpu);
	if (ret) {
		export_reading_free(r);
		return ret;
	}
	*out = r;
	return 0;
}

size_t export_reading_threads(struct export_reading *r, struct export_thread **threads)
{
	*threads = r->threads;
	return r->n;
}

void export_reading_drops(const struct export_reading *r, uint64_t drops[DROP_REASONS])
{
	memcpy(drops, r->drops, sizeof(r->drops));
}

/* The entries of e that belong to an exited thread of r, deleted from the map fd. */
static void release_entries(int fd, const struct map_entries *e, const struct export_reading *r)
{
	for (size_t i = 0; i < r->nexited; i++) {
		const struct thread_stats *s = &r->exited_values[i];

		for (size_t k = entries_first(e, s->tid, s->seq); entry_is(e, k, s->tid, s->seq);
		     k++)
			bpf_map_delete_elem(fd, entries_at(e, k));
	}
}

size_t observer_export_release(struct observer *o, const struct export_reading *r)
{
	int fd = bpf_map__fd(o->skel->maps.exited);
	size_t freed = 0;

	release_entries(bpf_map__fd(o->skel->maps.lat), &r->lat, r);
	release_entries(bpf_map__fd(o->skel->maps.others), &r->others, r);
	release_entries(bpf_map__fd(o->skel->maps.errnos), &r->errno_entries, r);
	for (size_t i = 0; i < r->nexited; i++)
		freed += bpf_map_delete_elem(fd, &r->exited_keys[i]) == 0;
	return freed;
}

void export_reading_free(struct export_reading *r)
{
	if (!r)
		return;
	free(r->stats);
	free(r->threads);
	free(r->errnos);
	free(r->lat.data);
	free(r->others.data);
	free(r->errno_entries.data);
	free(r->exited_keys);
	free(r->exited_values);
	free(r);
}
