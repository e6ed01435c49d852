/**
 * Unit tests of the HTTP API, in-process with fastify's inject: every kind of bad input gets a 4xx
 * with a JSON error body, never a 5xx, and the server keeps serving afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createMetrics } from './metrics.ts';
import {
  BODY_LIMIT_BYTES,
  MAX_BATCH_ROWS,
  buildMetricsServer,
  buildServer,
  type ErrorBody,
  type Health,
  type ModelState,
  type ServedModel,
} from './server.ts';

/** A stand-in model with an obvious rule (score = sum of the values), to test the HTTP layer alone. */
const sumModel: ServedModel = {
  featureCount: 4,
  predict(rows) {
    const scores = rows.map((r) => r.reduce((a, b) => a + b, 0));
    return { labels: scores.map((s) => (s > 0 ? 'forged' : 'genuine')), scores };
  },
};
const ready: ModelState = {
  ready: true,
  model: sumModel,
  info: {
    featureCount: 4,
    features: ['a', 'b', 'c', 'd'],
    labels: { '0': 'genuine', '1': 'forged' },
    metrics: { testAccuracy: 0.9 },
    version: 'sha256:0123456789ab',
    sha256: '0123456789ab'.padEnd(64, '0'),
  },
};

describe('classifier-api HTTP layer', () => {
  let state: ModelState = ready;
  let app: FastifyInstance;
  let metricsApp: FastifyInstance;
  before(async () => {
    const metrics = createMetrics();
    app = buildServer({ modelState: () => state, apiVersion: '9.9.9', logLevel: false, metrics });
    metricsApp = buildMetricsServer(metrics);
    await app.ready();
  });
  after(() => Promise.all([app.close(), metricsApp.close()]));

  const predict = (payload: string, contentType = 'application/json'): Promise<LightMyRequestResponse> =>
    app.inject({ method: 'POST', url: '/predict', payload, headers: { 'content-type': contentType } });

  test('one row in, one label and its raw score out', async () => {
    const res = await predict(JSON.stringify({ row: [1, 2, 3, -1] }));
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { label: 'forged', score: 5 });
    assert.ok(res.headers['x-served-by'], 'names the instance that answered');
  });

  test('a batch in, labels and scores in the same order out', async () => {
    const res = await predict(
      JSON.stringify({
        rows: [
          [1, 0, 0, 0],
          [-1, -2, 0, 0],
          [0.5, 0.25, 0, 0],
        ],
      }),
    );
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { labels: ['forged', 'genuine', 'forged'], scores: [1, -3, 0.75] });
  });

  const badRequests: [string, string, number, RegExp, string?][] = [
    ['malformed JSON', '{"row": [1, 2,', 400, /JSON/i],
    [
      'a text/plain body',
      '1,2,3,4',
      415,
      /content-type text\/plain is not supported; send application\/json/,
      'text/plain',
    ],
    [
      'a form body',
      'row=1,2,3,4',
      415,
      /content-type application\/x-www-form-urlencoded is not supported; send application\/json/,
      'application/x-www-form-urlencoded',
    ],
    ['too few features', '{"row": [1, 2, 3]}', 400, /row has 3 values; the model expects 4 \(a, b, c, d\)/],
    ['too many features in a batch row', '{"rows": [[1, 2, 3, 4], [1, 2, 3, 4, 5]]}', 400, /rows\[1\] has 5 values/],
    ['a string value', '{"row": [1, "2", 3, 4]}', 400, /must be number/],
    ['a null value', '{"row": [1, null, 3, 4]}', 400, /must be number/],
    // JSON has no NaN or Infinity, but 1e999 parses as Infinity; the schema's number type excludes it.
    ['a non-finite value (1e999)', '{"row": [1, 1e999, 3, 4]}', 400, /body\/row\/1 must be number/],
    ['an empty batch', '{"rows": []}', 400, /must NOT have fewer than 1 items/],
    ['an empty row', '{"row": []}', 400, /must NOT have fewer than 1 items/],
    ['an unknown field', '{"row": [1, 2, 3, 4], "extra": 1}', 400, /must NOT have additional properties/],
    ['neither row nor rows', '{}', 400, /send either \{"row": \[...\]\} or \{"rows"/],
    ['both row and rows', '{"row": [1, 2, 3, 4], "rows": [[1, 2, 3, 4]]}', 400, /send either/],
    ['a JSON array instead of an object', '[[1, 2, 3, 4]]', 400, /body must be object/],
    [
      'a batch over the size limit',
      JSON.stringify({ rows: Array.from({ length: MAX_BATCH_ROWS + 1 }, () => [0, 0, 0, 0]) }),
      400,
      /must NOT have more than 10000 items/,
    ],
    [
      'a body over the byte limit',
      JSON.stringify({ row: [1, 2, 3, 4], pad: 'x'.repeat(BODY_LIMIT_BYTES) }),
      413,
      /too large/i,
    ],
  ];
  for (const [what, payload, status, message, contentType] of badRequests) {
    test(`rejects ${what} with ${status} and a JSON error, then keeps serving`, async () => {
      const res = await predict(payload, contentType);
      assert.equal(res.statusCode, status, res.body);
      assert.match(res.headers['content-type'] as string, /^application\/json/);
      const body = res.json<ErrorBody>();
      assert.equal(body.statusCode, status);
      assert.match(body.message, message);
      assert.equal((await predict('{"row": [1, 1, 1, 1]}')).statusCode, 200);
    });
  }

  test('unknown routes get 404 with a JSON error', async () => {
    for (const [method, url] of [
      ['GET', '/nope'],
      ['POST', '/v2/predict'],
    ] as const) {
      const res = await app.inject({ method, url });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json<ErrorBody>().message, `no route ${method} ${url}`);
    }
  });

  test('GET /model reports features, label mapping, metrics and versions', async () => {
    const res = await app.inject({ method: 'GET', url: '/model' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { ...ready.info, apiVersion: '9.9.9' });
  });

  test('a known path with another method: 405 and Allow; health answers GET and HEAD only', async () => {
    const cases: [string, string, string][] = [
      ['GET', '/predict', 'POST'],
      ['PUT', '/predict', 'POST'],
      ['DELETE', '/model', 'GET, HEAD'],
      ['POST', '/healthz', 'GET, HEAD'],
      ['OPTIONS', '/livez', 'GET, HEAD'],
      ['PATCH', '/healthz', 'GET, HEAD'],
    ];
    for (const [method, url, allow] of cases) {
      const res = await app.inject({ method: method as 'GET', url });
      assert.equal(res.statusCode, 405, `${method} ${url}`);
      assert.equal(res.headers.allow, allow);
      assert.deepEqual(res.json(), {
        statusCode: 405,
        error: 'Method Not Allowed',
        message: `${method} is not allowed on ${url}; allowed: ${allow}`,
      });
    }
    assert.equal((await app.inject({ method: 'HEAD', url: '/healthz' })).statusCode, 200);
  });

  test("GET /metrics: not on the API's port; on the metrics server, requests by route and status, with a latency histogram", async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 404);
    const text = (await metricsApp.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(text, /^http_requests_total\{method="POST",route="\/predict",status="200"\} \d+$/m);
    assert.match(text, /^http_requests_total\{method="POST",route="\/predict",status="400"\} \d+$/m);
    assert.match(text, /^http_requests_total\{method="GET",route="unmatched",status="404"\} 2$/m);
    assert.match(text, /^http_requests_total\{method="POST",route="unmatched",status="405"\} 1$/m);
    assert.match(text, /^http_request_duration_seconds_bucket\{le="0.001",method="POST",route="\/predict"\} \d+$/m);
    assert.match(text, /^classifier_predicted_rows_total \d+$/m);
  });

  test('without a model: /healthz and /predict answer 503 with the reason, /livez 200', async () => {
    state = { ready: false, reason: '/app/models/banknote.json does not exist' };
    try {
      const health = await app.inject({ method: 'GET', url: '/healthz' });
      assert.equal(health.statusCode, 503);
      assert.equal(health.json<Health>().reason, '/app/models/banknote.json does not exist');
      const res = await predict('{"row": [1, 2, 3, 4]}');
      assert.equal(res.statusCode, 503);
      assert.match(res.json<ErrorBody>().message, /^no model loaded: \/app\/models\/banknote.json does not exist$/);
      assert.equal((await app.inject({ method: 'GET', url: '/livez' })).statusCode, 200);
    } finally {
      state = ready;
    }
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).json<Health>().status, 'ok');
  });
});
