// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: the JSON reader on arbitrary bytes, and every renderer on whatever it
 * accepts. A crash, a leak, undefined behaviour, a rejection without a one-line reason, or an
 * accepted run that does not survive being written and read again is a failure.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/json.h"
#include "render/render.h"

static FILE *null_out;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	null_out = fopen("/dev/null", "w");
	if (!null_out)
		abort();
	return 0;
}

/* What was accepted is written again and must read back. */
static void round_trip(const struct snapshot *s)
{
	struct snapshot again;
	char err[512], *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (!f || snapshot_write_json(s, f) || fclose(f))
		abort();
	if (snapshot_read_json_buffer(buf, len, "rewritten", &again, err, sizeof(err))) {
		fprintf(stderr, "an accepted run does not read back once written: %s\n", err);
		abort();
	}
	snapshot_free(&again);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snapshot s;
	char err[512];

	if (snapshot_read_json_buffer((const char *)data, size, "input", &s, err, sizeof(err))) {
		if (!err[0] || strchr(err, '\n')) {
			fprintf(stderr, "rejected without one line saying why: \"%s\"\n", err);
			abort();
		}
		return 0;
	}
	report_text(&s, null_out, true);
	report_csv(&s, null_out, true);
	report_html(&s, null_out);
	report_diff(&s, "a", &s, "b", null_out);
	round_trip(&s);
	snapshot_free(&s);
	return 0;
}
