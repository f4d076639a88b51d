/*
 * peak.c — the practical peak of this machine for run.sh: the best of several large square
 * cblas_sgemm calls through the same OpenBLAS liandan-textcnn links, in GFLOP/s.
 *
 *   cc -O2 peak.c $(pkg-config --cflags --libs openblas) -o peak && ./peak THREADS
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    enum { N = 2048, REPEAT = 7 };
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    openblas_set_num_threads(threads > 0 ? threads : 1);
    float *a = malloc(sizeof(float) * N * N), *b = malloc(sizeof(float) * N * N);
    float *c = malloc(sizeof(float) * N * N);
    if (!a || !b || !c) {
        fputs("peak: out of memory\n", stderr);
        return 1;
    }
    for (long i = 0; i < (long)N * N; i++) {
        a[i] = (float)(i % 7) * 0.25f;
        b[i] = (float)(i % 5) * 0.5f;
    }
    double best = 1e30;
    for (int r = 0; r < REPEAT; r++) {
        double t0 = now();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1.0f, a, N, b, N, 0.0f,
                    c, N);
        double dt = now() - t0;
        best = dt < best ? dt : best;
    }
    printf("%.1f\n", 2.0 * N * N * N / best / 1e9);
    free(a);
    free(b);
    free(c);
    return 0;
}
