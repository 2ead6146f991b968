/*
 * test.h - the libndis test harness.
 *
 * A test file defines cases with TEST(name) { ... }. The runner (harness.c)
 * forks one child per case (NDIS_TEST_NOFORK=1 runs them in-process, for gdb),
 * bounds each case in time (NDIS_TEST_TIMEOUT seconds, default 60) and reports
 * a failing assertion with file and line. `./test_x casename` runs one case.
 *
 * Every case must end by proving that nothing leaked; the helpers in
 * tests/harness/host_helpers.h do that for NDIS instances.
 */
#ifndef NDIS_TEST_H
#define NDIS_TEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*t_case_fn)(void);
void t_register(const char *name, t_case_fn fn, const char *file);
void t_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));
void t_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define TEST(name)                                                              \
    static void t_case_##name(void);                                            \
    __attribute__((constructor)) static void t_reg_##name(void)                 \
    {                                                                           \
        t_register(#name, t_case_##name, __FILE__);                             \
    }                                                                           \
    static void t_case_##name(void)

#define T_ASSERT(cond)                                                          \
    do {                                                                        \
        if (!(cond))                                                            \
            t_fail(__FILE__, __LINE__, "assertion failed: %s", #cond);          \
    } while (0)

#define T_ASSERT_MSG(cond, ...)                                                 \
    do {                                                                        \
        if (!(cond))                                                            \
            t_fail(__FILE__, __LINE__, __VA_ARGS__);                            \
    } while (0)

#define T_EQ(a, b)                                                              \
    do {                                                                        \
        long long t_a_ = (long long)(a), t_b_ = (long long)(b);                 \
        if (t_a_ != t_b_)                                                       \
            t_fail(__FILE__, __LINE__, "%s == %s failed: %lld != %lld (0x%llx != 0x%llx)", \
                   #a, #b, t_a_, t_b_, (unsigned long long)t_a_,                \
                   (unsigned long long)t_b_);                                   \
    } while (0)

#define T_NE(a, b)                                                              \
    do {                                                                        \
        long long t_a_ = (long long)(a), t_b_ = (long long)(b);                 \
        if (t_a_ == t_b_)                                                       \
            t_fail(__FILE__, __LINE__, "%s != %s failed: both %lld", #a, #b, t_a_); \
    } while (0)

#define T_STREQ(a, b)                                                           \
    do {                                                                        \
        const char *t_a_ = (a), *t_b_ = (b);                                    \
        if (!t_a_ || !t_b_ || strcmp(t_a_, t_b_) != 0)                          \
            t_fail(__FILE__, __LINE__, "%s == %s failed: \"%s\" != \"%s\"", #a, #b, \
                   t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)");             \
    } while (0)

#define T_CONTAINS(hay, needle)                                                 \
    do {                                                                        \
        const char *t_h_ = (hay), *t_n_ = (needle);                             \
        if (!t_h_ || !strstr(t_h_, t_n_))                                       \
            t_fail(__FILE__, __LINE__, "\"%s\" does not contain \"%s\"",        \
                   t_h_ ? t_h_ : "(null)", t_n_);                               \
    } while (0)

/* Returns a per-case scratch directory (created on first use, removed after). */
const char *t_tmpdir(void);

#endif /* NDIS_TEST_H */
