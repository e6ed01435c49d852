/*
 * The C floor: the same epoch as ../src/perceptron.ts (online updates, then the training-accuracy
 * pass) on the split bench.ts writes, compiled with `cc -O2` (no -ffast-math, so the additions
 * keep their order and the weights should come out bit-identical to ours).
 *
 * Usage: perceptron DIR COLS   (DIR holds x.f64, y.f64 and w.f64, raw doubles)
 * Prints: the median and the fastest milliseconds of epochs 11-60, then the final weights.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double *load(const char *dir, const char *name, long *count) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); exit(1); }
  fseek(f, 0, SEEK_END);
  *count = ftell(f) / (long)sizeof(double);
  fseek(f, 0, SEEK_SET);
  double *data = malloc(*count * sizeof(double));
  if (fread(data, sizeof(double), *count, f) != (size_t)*count) { perror(path); exit(1); }
  fclose(f);
  return data;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: %s DIR COLS\n", argv[0]); return 2; }
  const int cols = atoi(argv[2]);
  long nx, ny, nw;
  double *X = load(argv[1], "x.f64", &nx), *Y = load(argv[1], "y.f64", &ny), *w = load(argv[1], "w.f64", &nw);
  const long rows = ny;
  const double lr = 0.01;
  double times[60];
  for (int epoch = 0; epoch < 60; epoch++) {
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long r = 0; r < rows; r++) {
      const double *x = X + r * cols;
      double s = w[0];
      for (int j = 0; j < cols; j++) s += w[j + 1] * x[j];
      const double error = Y[r] - (s > 0 ? 1 : 0);
      if (error != 0) {
        const double step = lr * error;
        w[0] += step;
        for (int j = 0; j < cols; j++) w[j + 1] += step * x[j];
      }
    }
    long correct = 0;
    for (long r = 0; r < rows; r++) {
      const double *x = X + r * cols;
      double s = w[0];
      for (int j = 0; j < cols; j++) s += w[j + 1] * x[j];
      correct += (s > 0 ? 1 : 0) == Y[r];
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    times[epoch] = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    if (correct < 0) return 1; /* keep the accuracy pass from being optimised away */
  }
  qsort(times + 10, 50, sizeof(double), by_value);
  printf("%.4f %.4f", (times[34] + times[35]) / 2, times[10]);
  for (long j = 0; j < nw; j++) printf(" %.17g", w[j]);
  printf("\n");
  return 0;
}
