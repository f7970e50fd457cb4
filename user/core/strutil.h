/* SPDX-License-Identifier: GPL-2.0 */
/* Small text helpers shared by the layers: one-line error messages, whole numbers from text. */
#ifndef LOADSCOPE_STRUTIL_H
#define LOADSCOPE_STRUTIL_H

#include <stddef.h>

/* Writes the message into err (a one-line reason for the user) and returns ret. */
int errmsg(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A whole decimal number in [min, max] into *out: 0, or -EINVAL (sign, blank, trailing text). */
int parse_long(const char *s, long min, long max, long *out);

#endif /* LOADSCOPE_STRUTIL_H */
