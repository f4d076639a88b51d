/*
 * test.h — the unit-test harness: CHECK macros that count failures, and a main() contract.
 *
 * A test file defines static test functions, lists them with RUN(), and ends main() with
 * TEST_END(), which prints a summary and returns non-zero when any check failed. A failing check
 * prints file:line and the expression (and both values for the _EQ forms) and goes on, so one
 * run shows every failure.
 */
#ifndef LD_TEST_H
#define LD_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int test_failures;
static int test_checks;

#define CHECK(cond)                                                                             \
    do {                                                                                        \
        test_checks++;                                                                          \
        if (!(cond)) {                                                                          \
            test_failures++;                                                                    \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);            \
        }                                                                                       \
    } while (0)

#define CHECK_INT_EQ(a, b)                                                                      \
    do {                                                                                        \
        long long va_ = (long long)(a), vb_ = (long long)(b);                                   \
        test_checks++;                                                                          \
        if (va_ != vb_) {                                                                       \
            test_failures++;                                                                    \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, #a,   \
                    #b, va_, vb_);                                                              \
        }                                                                                       \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                                   \
    do {                                                                                        \
        double va_ = (double)(a), vb_ = (double)(b);                                            \
        test_checks++;                                                                          \
        if (!(fabs(va_ - vb_) <= (tol))) {                                                      \
            test_failures++;                                                                    \
            fprintf(stderr, "%s:%d: %s ~= %s failed: %.17g vs %.17g\n", __FILE__, __LINE__,     \
                    #a, #b, va_, vb_);                                                          \
        }                                                                                       \
    } while (0)

#define CHECK_STR_EQ(a, b)                                                                      \
    do {                                                                                        \
        const char *va_ = (a), *vb_ = (b);                                                      \
        test_checks++;                                                                          \
        if (!va_ || !vb_ || strcmp(va_, vb_) != 0) {                                            \
            test_failures++;                                                                    \
            fprintf(stderr, "%s:%d: %s == %s failed:\n  got:      %s\n  expected: %s\n",       \
                    __FILE__, __LINE__, #a, #b, va_ ? va_ : "(null)", vb_ ? vb_ : "(null)");    \
        }                                                                                       \
    } while (0)

#define RUN(fn)                                                                                 \
    do {                                                                                        \
        int before_ = test_failures;                                                            \
        fn();                                                                                   \
        if (test_failures != before_)                                                           \
            fprintf(stderr, "FAIL %s\n", #fn);                                                  \
    } while (0)

#define TEST_END()                                                                              \
    do {                                                                                        \
        fprintf(stderr, "%s: %d checks, %d failed\n", __FILE__, test_checks, test_failures);    \
        return test_failures || !test_checks ? 1 : 0;                                           \
    } while (0)

#endif
