/*
 * gemm.c — row-blocked parallel sgemm over OpenBLAS, and the naive reference (gemm.h).
 */
#include "gemm.h"
#include "util.h"

#include <cblas.h>
#include <omp.h>

int gemm_reference;
double gemm_flops, gemm_bytes, gemm_seconds;
int gemm_timing;

/* Declared by OpenBLAS's cblas.h in every Debian variant (openmp, pthread, serial). */
void gemm_init(int threads)
{
    if (threads < 1)
        threads = 1;
    openblas_set_num_threads(threads);
    omp_set_num_threads(threads);
}

static void gemm_naive(int trans_a, int trans_b, int M, int N, int K, float alpha,
                       const float *A, int lda, const float *B, int ldb, float beta, float *C,
                       int ldc)
{
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double sum = 0;
            for (int k = 0; k < K; k++) {
                float a = trans_a ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k];
                float b = trans_b ? B[(size_t)j * ldb + k] : B[(size_t)k * ldb + j];
                sum += (double)a * b;
            }
            float *c = &C[(size_t)i * ldc + j];
            *c = (float)(alpha * sum + (beta == 0 ? 0.0 : (double)beta * *c));
        }
}

void gemm(int trans_a, int trans_b, int M, int N, int K, float alpha, const float *A, int lda,
          const float *B, int ldb, float beta, float *C, int ldc)
{
    if (M <= 0 || N <= 0)
        return;
    double t0 = gemm_timing ? tc_now() : 0;
    gemm_flops += 2.0 * M * N * K;
    gemm_bytes += 4.0 * ((double)M * K + (double)K * N + (double)M * N * (beta == 0 ? 1 : 2));
    if (gemm_reference) {
        gemm_naive(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    } else if (K <= 0) {
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++)
                C[(size_t)i * ldc + j] *= beta;
    } else {
        cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans,
                    trans_b ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B, ldb, beta, C,
                    ldc);
    }
    if (gemm_timing)
        gemm_seconds += tc_now() - t0;
}
