"""scikit-learn's Perceptron on the split bench.ts wrote: the median time of one epoch
(partial_fit, one pass of SGD updates, plus score, the training-accuracy pass), and
numpy.loadtxt of the CSV for comparison with our loader. Prints one JSON object.

Usage: python3 sklearn_bench.py DIR COLS CSV   (DIR holds x.f64 and y.f64, raw float64)
"""
import json
import statistics
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.linear_model import Perceptron

folder, cols, csv = sys.argv[1], int(sys.argv[2]), sys.argv[3]
X = np.fromfile(f"{folder}/x.f64", dtype=np.float64).reshape(-1, cols)
y = np.fromfile(f"{folder}/y.f64", dtype=np.float64).astype(np.int64)

# The same rule as ours: constant learning rate 0.01, an intercept (our bias), no shuffling.
model = Perceptron(eta0=0.01, fit_intercept=True, shuffle=False, max_iter=1, tol=None)
times = []
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for epoch in range(60):
        start = time.perf_counter()
        model.partial_fit(X, y, classes=[0, 1])
        model.score(X, y)
        times.append((time.perf_counter() - start) * 1000)

loads = []
for _ in range(3):
    start = time.perf_counter()
    np.loadtxt(csv, delimiter=",")
    loads.append((time.perf_counter() - start) * 1000)

print(json.dumps({
    "epoch_ms": statistics.median(times[10:]),
    "loadtxt_ms": statistics.median(loads),
    "sklearn": sklearn.__version__,
    "numpy": np.__version__,
}))
