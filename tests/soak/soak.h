/* The soak and fault suite (make soak): cases under churn, floods, kills and faults. */
#ifndef LOADSCOPE_SOAK_H
#define LOADSCOPE_SOAK_H

#include <check.h>

#include "../integration/harness.h"

/* SOAK_SECONDS, default 3600: how long the churn cases run between them. */
double soak_seconds(void);
/* Per case: the longest it may take beyond its load, on a loaded machine. */
#define SOAK_MARGIN_S 300

/* The one result line each case prints: "soak CASE: figures". */
void soak_result(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* VmRSS of a process in KiB; 0 when it has gone. */
long soak_rss_kib(int pid);

Suite *soak_load_suite(void);
Suite *soak_faults_suite(void);
Suite *soak_signals_suite(void);

#endif /* LOADSCOPE_SOAK_H */
