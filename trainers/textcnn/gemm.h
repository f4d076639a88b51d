/*
 * gemm.h — the one matrix product every layer uses: row-major C = alpha*op(A)*op(B) + beta*C.
 *
 * It calls OpenBLAS's cblas_sgemm, threaded by OpenBLAS itself: OpenBLAS builds without
 * locking are not safe to call from several threads at once, so gemm is only ever called from
 * one thread, and only the OpenMP variant (libopenblas-openmp-dev, scripts/deps.txt) shares its
 * threads with the trainer's own OpenMP loops; the pthread variant works too, the serial one runs
 * the products on one thread. OpenBLAS splits C, never the K sums, among a fixed number of
 * threads, so for a fixed thread count the results are the same on every run. gemm_reference switches every call to
 * a plain triple loop, the reference the tests compare the BLAS path against. The counters add
 * up the work for --profile (arithmetic intensity).
 */
#ifndef TC_GEMM_H
#define TC_GEMM_H

#include <stddef.h>

/* op(A) is M x K (A is K x M when trans_a), op(B) is K x N (B is N x K when trans_b). */
void gemm(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A, int lda,
          const float *B, int ldb, float beta, float *C, int ldc);

/* Sets the thread count of OpenBLAS and of the trainer's OpenMP loops. */
void gemm_init(int threads);

extern int gemm_reference;    /* 1: naive loops instead of BLAS (tests) */
extern double gemm_flops;     /* 2*M*N*K summed over calls */
extern double gemm_bytes;     /* bytes of A, B and C each call must touch at least once */
extern double gemm_seconds;   /* wall time inside gemm, when gemm_timing is set */
extern int gemm_timing;

#endif
