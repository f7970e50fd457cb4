// SPDX-License-Identifier: GPL-2.0
/* What the CSV and HTML renderers share: text from the run made safe to copy into their formats. */
#include <stdio.h>
#include <string.h>

#include "render/render.h"

unsigned int hist_line(unsigned int idx)
{
	if (idx == 0)
		return 0;
	if (idx < HIST_SUB)
		return ls_log2_u64(idx) + 1;
	return idx / HIST_SUB + HIST_SUB_BITS;
}

uint64_t hist_fold_lines(const uint64_t *hist, uint64_t *lines, unsigned int *first,
			 unsigned int *last)
{
	uint64_t max = 0;
	unsigned int k;

	memset(lines, 0, HIST_LINES * sizeof(*lines));
	*first = HIST_LINES;
	*last = 0;
	for (unsigned int i = 0; i < HIST_BUCKETS; i++) {
		if (!hist[i])
			continue;
		k = hist_line(i);
		/* saturate: a corrupt file's counts must not wrap */
		lines[k] = lines[k] + hist[i] < lines[k] ? UINT64_MAX : lines[k] + hist[i];
		*first = k < *first ? k : *first;
		*last = k > *last ? k : *last;
	}
	for (k = *first; k <= *last && k < HIST_LINES; k++)
		max = lines[k] > max ? lines[k] : max;
	return max;
}

/*
 * Length of the UTF-8 sequence at s (n bytes available): 1 to 4 for a well-formed one (no
 * overlong forms, surrogates or values above U+10FFFF, as RFC 3629 says), 0 when it is not one.
 */
size_t utf8_sequence_len(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len, i;
	uint32_t cp;

	if (!n)
		return 0;
	if (u[0] < 0x80)
		return 1;
	if (u[0] >= 0xC2 && u[0] <= 0xDF) {
		len = 2;
		cp = u[0] & 0x1F;
	} else if (u[0] >= 0xE0 && u[0] <= 0xEF) {
		len = 3;
		cp = u[0] & 0x0F;
	} else if (u[0] >= 0xF0 && u[0] <= 0xF4) {
		len = 4;
		cp = u[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (u[i] & 0x3F);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return len;
}

bool lifecycle_line(const struct snapshot *s, char *buf, size_t len)
{
	if (!s->has_lifecycle ||
	    !(s->lifecycle[LC_PROCESSES_STARTED] || s->lifecycle[LC_THREADS_STARTED]))
		return false;
	snprintf(buf, len,
		 "during the run: %llu target processes started, %llu exited; %llu threads "
		 "started, %llu exited",
		 (unsigned long long)s->lifecycle[LC_PROCESSES_STARTED],
		 (unsigned long long)s->lifecycle[LC_PROCESSES_EXITED],
		 (unsigned long long)s->lifecycle[LC_THREADS_STARTED],
		 (unsigned long long)s->lifecycle[LC_THREADS_EXITED]);
	return true;
}
