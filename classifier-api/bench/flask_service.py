"""The Python equivalent of POST /predict, for `npm run bench` to compare against.

Flask with NumPy (what scikit-learn's Perceptron.decision_function computes is the same dot
product): it loads the same saved model (MODEL_PATH), validates the same body ({"row": [...]} or
{"rows": [[...], ...]}, finite numbers, the model's feature count) and answers the same JSON.
It runs on Werkzeug's threaded server, on 127.0.0.1 only (PORT).
"""
import json
import logging
import math
import os

import numpy as np
from flask import Flask, jsonify, request
from werkzeug.serving import WSGIRequestHandler

with open(os.environ["MODEL_PATH"], encoding="utf-8") as f:
    saved = json.load(f)
weights = np.asarray(saved["weights"], dtype=np.float64)
low = np.asarray(saved["min"], dtype=np.float64)
span = np.asarray(saved["max"], dtype=np.float64) - low
span_or_one = np.where(span == 0, 1.0, span)  # a constant attribute normalises to 0, never NaN
labels = np.asarray(saved["labels"], dtype=object)
feature_count = saved["featureCount"]
MAX_BATCH_ROWS = 10_000

app = Flask(__name__)
app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024


def bad(message, status=400):
    return jsonify(statusCode=status, error="Bad Request", message=message), status


def valid_row(row):
    return (isinstance(row, list) and len(row) == feature_count
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in row))


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")


@app.post("/predict")
def predict():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or ("row" in body) == ("rows" in body):
        return bad('send either {"row": [...]} or {"rows": [[...], ...]}')
    batch = "rows" in body
    rows = body["rows"] if batch else [body["row"]]
    if not isinstance(rows, list) or not 1 <= len(rows) <= MAX_BATCH_ROWS:
        return bad(f"rows must hold 1 to {MAX_BATCH_ROWS} rows")
    for i, row in enumerate(rows):
        if not valid_row(row):
            return bad(f"row {i} must be {feature_count} finite numbers")
    x = (np.asarray(rows, dtype=np.float64) - low) / span_or_one
    x[:, span == 0] = 0.0
    scores = weights[0] + x @ weights[1:]
    predicted = labels[(scores > 0).astype(np.intp)]
    if batch:
        return jsonify(labels=predicted.tolist(), scores=scores.tolist())
    return jsonify(label=predicted[0], score=float(scores[0]))


if __name__ == "__main__":
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request, like the node API
    # Keep-alive, as the node API and the load generator use; HTTP/1.0 would reconnect per request.
    WSGIRequestHandler.protocol_version = "HTTP/1.1"
    app.run(host="127.0.0.1", port=int(os.environ["PORT"]), threaded=True)
