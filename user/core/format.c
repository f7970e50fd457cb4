// SPDX-License-Identifier: GPL-2.0
/* Number formatting shared by the analysis and the renderers. */
#include <stdio.h>

#include "core/format.h"

char *format_ns(uint64_t ns, char *buf, size_t len)
{
	static const char *const units[] = {"us", "ms", "s"};
	unsigned int u = 0;
	double v;

	if (ns < 1000) {
		snprintf(buf, len, "%lluns", (unsigned long long)ns);
		return buf;
	}
	v = ns / 1000.0;
	/* Move up before printing, so rounding never shows "1000us" for what is 1.0ms. */
	while (v >= 999.5 && u < 2) {
		v /= 1000.0;
		u++;
	}
	if (v < 9.95)
		snprintf(buf, len, "%.1f%s", v, units[u]);
	else
		snprintf(buf, len, "%.0f%s", v, units[u]);
	return buf;
}

char *format_ns_known(uint64_t ns, int known, char *buf, size_t len)
{
	if (!known) {
		snprintf(buf, len, "-");
		return buf;
	}
	return format_ns(ns, buf, len);
}
