// SPDX-License-Identifier: GPL-2.0
/* Tests of the log-linear histogram: bucket bounds, percentile estimates and their error bound. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "observe/collect.h"
#include "suites.h"

#define LAST_BUCKET (HIST_BUCKETS - 1)

/* splitmix64: deterministic, so a failure can be replayed. */
static uint64_t rand_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted samples: the value of rank ceil(q * n), 1-based. */
static uint64_t exact_percentile(const uint64_t *sorted, size_t n, double q)
{
	size_t k = (size_t)ceil(q * (double)n);

	return sorted[k ? k - 1 : 0];
}

START_TEST(test_small_values_have_own_buckets)
{
	unsigned int v;

	for (v = 0; v < HIST_SUB; v++) {
		ck_assert_uint_eq(hist_bucket(v), v);
		ck_assert_uint_eq(hist_bucket_lower(v), v);
		ck_assert_uint_eq(hist_bucket_upper(v), v + 1);
	}
	ck_assert_uint_eq(hist_bucket(8), 8);
	ck_assert_uint_eq(hist_bucket_lower(8), 8);
}
END_TEST

START_TEST(test_every_lower_bound_maps_back)
{
	unsigned int i;

	for (i = 0; i < HIST_BUCKETS; i++) {
		ck_assert_msg(hist_bucket(hist_bucket_lower(i)) == i,
			      "bucket %u: lower %llu maps to %u", i,
			      (unsigned long long)hist_bucket_lower(i),
			      hist_bucket(hist_bucket_lower(i)));
		if (i < LAST_BUCKET)
			ck_assert_uint_eq(hist_bucket(hist_bucket_upper(i) - 1), i);
	}
}
END_TEST

START_TEST(test_buckets_are_contiguous)
{
	uint64_t width;
	unsigned int i;

	ck_assert_uint_eq(hist_bucket_lower(0), 0);
	for (i = 0; i + 1 < HIST_BUCKETS; i++) {
		ck_assert_uint_eq(hist_bucket_upper(i), hist_bucket_lower(i + 1));
		ck_assert_uint_lt(hist_bucket_lower(i), hist_bucket_upper(i));
		/* The width bound the 12.5% error rests on. */
		width = hist_bucket_upper(i) - hist_bucket_lower(i);
		if (i >= HIST_SUB)
			ck_assert_uint_le(width * HIST_SUB, hist_bucket_lower(i));
	}
}
END_TEST

START_TEST(test_powers_of_two_start_groups)
{
	unsigned int k;

	for (k = HIST_SUB_BITS; k < HIST_MAX_LOG2; k++) {
		ck_assert_uint_eq(hist_bucket(1ULL << k), (k - HIST_SUB_BITS + 1) * HIST_SUB);
		ck_assert_uint_eq(hist_bucket_lower((k - HIST_SUB_BITS + 1) * HIST_SUB), 1ULL << k);
		ck_assert_uint_eq(hist_bucket((1ULL << k) - 1),
				  (k - HIST_SUB_BITS + 1) * HIST_SUB - 1);
	}
	/* Spot checks worked out by hand: 5000 is in [4608, 5120), 100000 in [98304, 106496). */
	ck_assert_uint_eq(hist_bucket_lower(hist_bucket(5000)), 4608);
	ck_assert_uint_eq(hist_bucket_upper(hist_bucket(5000)), 5120);
	ck_assert_uint_eq(hist_bucket_lower(hist_bucket(100000)), 98304);
	ck_assert_uint_eq(hist_bucket_upper(hist_bucket(100000)), 106496);
}
END_TEST

START_TEST(test_huge_values_go_to_last_bucket)
{
	ck_assert_uint_eq(HIST_BUCKETS, 304);
	ck_assert_uint_eq(hist_bucket(1ULL << 40), LAST_BUCKET);
	ck_assert_uint_eq(hist_bucket((1ULL << 40) + 1), LAST_BUCKET);
	ck_assert_uint_eq(hist_bucket(1ULL << 63), LAST_BUCKET);
	ck_assert_uint_eq(hist_bucket(UINT64_MAX), LAST_BUCKET);
	ck_assert_uint_eq(hist_bucket((1ULL << 40) - 1), LAST_BUCKET);
	ck_assert_uint_eq(hist_bucket_lower(LAST_BUCKET), 15ULL << 36);
	ck_assert_uint_eq(hist_bucket_upper(LAST_BUCKET), UINT64_MAX);
	ck_assert_uint_eq(hist_bucket_upper(LAST_BUCKET - 1), 15ULL << 36);
	/* Indexes past the end are the last bucket, not garbage. */
	ck_assert_uint_eq(hist_bucket_lower(HIST_BUCKETS + 5), 15ULL << 36);
	ck_assert_uint_eq(hist_bucket_upper(HIST_BUCKETS + 5), UINT64_MAX);
}
END_TEST

START_TEST(test_random_values_fall_inside_their_bucket)
{
	uint64_t state = 42, v;
	unsigned int i, b;

	for (i = 0; i < 200000; i++) {
		v = rand_next(&state) >> (rand_next(&state) % 64);
		b = hist_bucket(v);
		ck_assert_uint_lt(b, HIST_BUCKETS);
		ck_assert_uint_le(hist_bucket_lower(b), v);
		if (b < LAST_BUCKET)
			ck_assert_uint_lt(v, hist_bucket_upper(b));
	}
}
END_TEST

START_TEST(test_total)
{
	uint64_t hist[HIST_BUCKETS] = {0};

	ck_assert_uint_eq(hist_total(hist, HIST_BUCKETS), 0);
	hist[0] = 3;
	hist[100] = 7;
	hist[LAST_BUCKET] = 11;
	ck_assert_uint_eq(hist_total(hist, HIST_BUCKETS), 21);
	ck_assert_uint_eq(hist_total(hist, 101), 10);
}
END_TEST

START_TEST(test_percentile_empty)
{
	uint64_t hist[HIST_BUCKETS] = {0};

	ck_assert_uint_eq(hist_percentile(hist, HIST_BUCKETS, 0.0), 0);
	ck_assert_uint_eq(hist_percentile(hist, HIST_BUCKETS, 0.5), 0);
	ck_assert_uint_eq(hist_percentile(hist, HIST_BUCKETS, 1.0), 0);
}
END_TEST

START_TEST(test_percentile_single_sample)
{
	uint64_t hist[HIST_BUCKETS] = {0};

	/* 1000 lies in [960, 1024): the estimate spans the integers 960..1023. */
	hist[hist_bucket(1000)] = 1;
	ck_assert_uint_eq(hist_percentile(hist, HIST_BUCKETS, 0.0), 960);
	ck_assert_uint_eq(hist_percentile(hist, HIST_BUCKETS, 0.5), 992);
	ck_assert_uint_eq(hist_percentile(hist, HIST_BUCKETS, 1.0), 1023);
	ck_assert_uint_le(llabs((long long)hist_percentile(hist, HIST_BUCKETS, 0.99) - 1000) * 8,
			  1000);
}
END_TEST

START_TEST(test_percentile_constant)
{
	uint64_t hist[HIST_BUCKETS] = {0}, p;
	double q;

	/* Below HIST_SUB a bucket is one value: the estimate is exact. */
	hist[5] = 100;
	for (q = 0.0; q <= 1.0; q += 0.125)
		ck_assert_uint_eq(hist_percentile(hist, HIST_BUCKETS, q), 5);

	memset(hist, 0, sizeof(hist));
	hist[hist_bucket(1000000)] = 1000;
	for (q = 0.0; q <= 1.0; q += 0.125) {
		p = hist_percentile(hist, HIST_BUCKETS, q);
		ck_assert_uint_eq(hist_bucket(p), hist_bucket(1000000));
		ck_assert_uint_lt(llabs((long long)p - 1000000) * 8, 1000000);
	}
}
END_TEST

START_TEST(test_percentile_uniform)
{
	static const double qs[] = {0.1, 0.25, 0.5, 0.9, 0.99};
	uint64_t hist[HIST_BUCKETS] = {0}, v, p;
	unsigned int i;

	/* 0 .. 2^17 - 1: every bucket touched is full, as the interpolation assumes. */
	for (v = 0; v < 131072; v++)
		hist[hist_bucket(v)]++;
	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		p = hist_percentile(hist, HIST_BUCKETS, qs[i]);
		/* Nearest rank ceil(q * n) holds the value rank - 1; the estimate is within 2. */
		ck_assert_msg(fabs((double)p - (ceil(qs[i] * 131072) - 1)) <= 2, "q %.2f: %llu",
			      qs[i], (unsigned long long)p);
	}
	ck_assert_uint_eq(hist_percentile(hist, HIST_BUCKETS, 0.5), 65535);
	ck_assert_uint_eq(hist_percentile(hist, HIST_BUCKETS, 0.0), 0);
	ck_assert_uint_eq(hist_percentile(hist, HIST_BUCKETS, 1.0), 131071);
}
END_TEST

START_TEST(test_percentile_bimodal)
{
	uint64_t hist[HIST_BUCKETS] = {0}, p;

	hist[hist_bucket(10000)] = 900;
	hist[hist_bucket(10000000)] = 100;
	p = hist_percentile(hist, HIST_BUCKETS, 0.5);
	ck_assert_uint_eq(hist_bucket(p), hist_bucket(10000));
	/* Rank 900 is the last sample of the low mode, rank 901 the first of the high one. */
	p = hist_percentile(hist, HIST_BUCKETS, 0.9);
	ck_assert_uint_eq(p, hist_bucket_upper(hist_bucket(10000)) - 1);
	p = hist_percentile(hist, HIST_BUCKETS, 0.901);
	ck_assert_uint_eq(hist_bucket(p), hist_bucket(10000000));
	p = hist_percentile(hist, HIST_BUCKETS, 0.99);
	ck_assert_uint_eq(hist_bucket(p), hist_bucket(10000000));
	ck_assert_uint_lt(llabs((long long)p - 10000000) * 8, 10000000);
}
END_TEST

START_TEST(test_percentile_q_out_of_range)
{
	uint64_t hist[HIST_BUCKETS] = {0};

	hist[hist_bucket(100)] = 1;
	hist[hist_bucket(5000)] = 1;
	ck_assert_uint_eq(hist_percentile(hist, HIST_BUCKETS, -1.0), 96);
	ck_assert_uint_eq(hist_percentile(hist, HIST_BUCKETS, NAN), 96);
	ck_assert_uint_eq(hist_percentile(hist, HIST_BUCKETS, 2.0), 5119);
}
END_TEST

START_TEST(test_percentile_last_bucket)
{
	uint64_t hist[HIST_BUCKETS] = {0};

	/* No upper bound to interpolate to: the lower bound is the honest answer. */
	hist[hist_bucket(UINT64_MAX)] = 10;
	ck_assert_uint_eq(hist_percentile(hist, HIST_BUCKETS, 0.5), 15ULL << 36);
	ck_assert_uint_eq(hist_percentile(hist, HIST_BUCKETS, 1.0), 15ULL << 36);
}
END_TEST

START_TEST(test_percentile_error_bound_random)
{
	static const double qs[] = {0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1.0};
	uint64_t hist[HIST_BUCKETS], samples[2000], state = 7, truth, est, err;
	double worst = 0.0;
	unsigned int set, i, n, q;

	for (set = 0; set < 2000; set++) {
		memset(hist, 0, sizeof(hist));
		n = 1 + rand_next(&state) % 2000;
		for (i = 0; i < n; i++) {
			/* Log-uniform below 2^38 (the last bucket is unbounded); some clustered. */
			samples[i] = rand_next(&state) >> (26 + rand_next(&state) % 38);
			if (set % 3 == 0)
				samples[i] = 50000 + rand_next(&state) % 2000;
			hist[hist_bucket(samples[i])]++;
		}
		qsort(samples, n, sizeof(samples[0]), cmp_u64);
		for (q = 0; q < sizeof(qs) / sizeof(qs[0]); q++) {
			truth = exact_percentile(samples, n, qs[q]);
			est = hist_percentile(hist, HIST_BUCKETS, qs[q]);
			ck_assert_msg(hist_bucket(est) == hist_bucket(truth),
				      "set %u q %.3f: estimate %llu not in the bucket of %llu", set,
				      qs[q], (unsigned long long)est, (unsigned long long)truth);
			err = est > truth ? est - truth : truth - est;
			if (truth < HIST_SUB)
				ck_assert_uint_eq(err, 0);
			else
				ck_assert_msg(err * HIST_SUB < truth,
					      "set %u q %.3f: %llu vs %llu is 12.5%% or more off",
					      set, qs[q], (unsigned long long)est,
					      (unsigned long long)truth);
			if (truth && (double)err / (double)truth > worst)
				worst = (double)err / (double)truth;
		}
	}
	/* The bound is tight, not vacuous: the worst estimate comes close to it. */
	ck_assert_double_gt(worst, 0.1);
	ck_assert_double_lt(worst, 0.125);
}
END_TEST

/* A recorded wait moves the sum, the count, the maximum and its bucket together. */
START_TEST(test_record_runq_wait)
{
	struct thread_stats s;

	memset(&s, 0, sizeof(s));
	thread_record_runq_wait(&s, 0);
	thread_record_runq_wait(&s, 5000);
	thread_record_runq_wait(&s, 300);
	ck_assert_uint_eq(s.runq_count, 3);
	ck_assert_uint_eq(s.runq_wait_ns, 5300);
	ck_assert_uint_eq(s.runq_max_ns, 5000);
	ck_assert_uint_eq(s.runq_hist[0], 1);
	ck_assert_uint_eq(s.runq_hist[hist_bucket(5000)], 1);
	ck_assert_uint_eq(s.runq_hist[hist_bucket(300)], 1);
}
END_TEST

/*
 * A bucket past 2^32 events (a thread at 1M syscalls/s for 72 minutes): the programs' 64-bit
 * buckets carry on counting, and the map values read into the model keep every event, so the
 * percentiles stay where the events are. 32-bit buckets would wrap to 0 and put the p50 at 1 ms.
 */
START_TEST(test_bucket_past_32_bits)
{
	static struct lat_stats l;
	static struct thread_stats s;
	struct lat_figures f;
	struct sched_stats st;
	uint64_t p50, many = (1ULL << 32) - 1, at = hist_bucket(1000);

	memset(&l, 0, sizeof(l));
	l.count = many;
	l.hist[at] = many;
	lat_record(&l, 1000);
	for (int i = 0; i < 1000; i++)
		lat_record(&l, 1000000);
	ck_assert_uint_eq(l.hist[at], 1ULL << 32);
	collect_lat_figures(&f, &l);
	ck_assert_uint_eq(f.hist[at], 1ULL << 32);
	ck_assert_uint_eq(hist_total(f.hist, HIST_BUCKETS), (1ULL << 32) + 1000);
	lat_percentiles(&f, &p50, NULL, NULL);
	ck_assert_uint_ge(p50, hist_bucket_lower(at));
	ck_assert_uint_lt(p50, hist_bucket_upper(at));

	memset(&s, 0, sizeof(s));
	s.runq_count = many;
	s.runq_hist[at] = many;
	thread_record_runq_wait(&s, 1000);
	thread_record_runq_wait(&s, 1000000);
	collect_sched_stats(&st, &s);
	ck_assert_uint_eq(st.runq_hist[at], 1ULL << 32);
	ck_assert_uint_eq(st.runq_count, (1ULL << 32) + 1);
	sched_stats_percentiles(&st, &p50, NULL, NULL);
	ck_assert_uint_lt(p50, hist_bucket_upper(at));
}
END_TEST

/* Arrivals no switch-in reported: one sample per catch-up, the wait taken from run_delay. */
START_TEST(test_catch_up_arrivals)
{
	struct thread_stats s;

	memset(&s, 0, sizeof(s));
	s.runq_arrivals = 10;
	s.runq_base_ns = 1000;
	/* nothing new: pcount where it was */
	thread_catch_up_arrivals(&s, 10, 1500);
	ck_assert_uint_eq(s.runq_count, 0);
	ck_assert_uint_eq(s.runq_base_ns, 1000);
	/* one arrival: its wait is the growth of run_delay */
	thread_catch_up_arrivals(&s, 11, 1700);
	ck_assert_uint_eq(s.runq_count, 1);
	ck_assert_uint_eq(s.runq_wait_ns, 700);
	ck_assert_uint_eq(s.runq_arrivals, 11);
	ck_assert_uint_eq(s.runq_base_ns, 1700);
	/* a zero-length wait is a sample too */
	thread_catch_up_arrivals(&s, 12, 1700);
	ck_assert_uint_eq(s.runq_count, 2);
	ck_assert_uint_eq(s.runq_hist[0], 1);
	/* several unreported arrivals merge into one sample; the total stays exact */
	thread_catch_up_arrivals(&s, 15, 2700);
	ck_assert_uint_eq(s.runq_count, 3);
	ck_assert_uint_eq(s.runq_wait_ns, 1700);
	ck_assert_uint_eq(s.runq_max_ns, 1000);
	ck_assert_uint_eq(s.runq_arrivals, 15);
}
END_TEST

Suite *hist_suite(void)
{
	Suite *s = suite_create("hist");
	TCase *tc = tcase_create("buckets");

	tcase_add_test(tc, test_small_values_have_own_buckets);
	tcase_add_test(tc, test_every_lower_bound_maps_back);
	tcase_add_test(tc, test_buckets_are_contiguous);
	tcase_add_test(tc, test_powers_of_two_start_groups);
	tcase_add_test(tc, test_huge_values_go_to_last_bucket);
	tcase_add_test(tc, test_random_values_fall_inside_their_bucket);
	tcase_add_test(tc, test_total);
	suite_add_tcase(s, tc);

	tc = tcase_create("percentiles");
	tcase_add_test(tc, test_percentile_empty);
	tcase_add_test(tc, test_percentile_single_sample);
	tcase_add_test(tc, test_percentile_constant);
	tcase_add_test(tc, test_percentile_uniform);
	tcase_add_test(tc, test_percentile_bimodal);
	tcase_add_test(tc, test_percentile_q_out_of_range);
	tcase_add_test(tc, test_percentile_last_bucket);
	tcase_add_test(tc, test_percentile_error_bound_random);
	suite_add_tcase(s, tc);

	tc = tcase_create("waits");
	tcase_add_test(tc, test_record_runq_wait);
	tcase_add_test(tc, test_catch_up_arrivals);
	tcase_add_test(tc, test_bucket_past_32_bits);
	suite_add_tcase(s, tc);
	return s;
}
