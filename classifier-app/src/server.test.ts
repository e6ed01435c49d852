/**
 * Unit tests of the HTTP layer, in-process with fastify's inject: a real model from the shared
 * module, and an in-memory store in place of Postgres.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { banknotePath, banknoteRow } from '../../linear-classifier/src/test-utils.ts';
import { modelFromJSON, readRows, trainModel } from './model.ts';
import { buildServer, type CurrentModel } from './server.ts';
import type {
  Classification,
  CreatedPrediction,
  ErrorBody,
  NewPrediction,
  PredictionRecord,
  Stats,
  StatsReport,
  Store,
} from './types.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const csv = readFileSync(banknotePath, 'utf8');
const trained = trainModel(csv, banknotePath, []);
const current: CurrentModel = {
  ...modelFromJSON(trained.json),
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  dataRows: trained.rows,
  feedbackRows: 0,
  testAccuracy: trained.testAccuracy,
};

/** A Store in memory: what the tests need of Postgres, and a switch to make it unavailable. */
function memoryStore(): Store & { predictions: PredictionRecord[]; down: boolean } {
  const store = {
    predictions: [] as PredictionRecord[],
    down: false,
    check() {
      if (store.down) throw Object.assign(new Error('getaddrinfo ENOTFOUND classifier-app-db'), { code: 'ENOTFOUND' });
    },
    async insertPrediction(p: NewPrediction) {
      store.check();
      const record = { ...p, id: randomUUID(), createdAt: new Date().toISOString(), correct: null, comment: null };
      store.predictions.push(record);
      return { id: record.id, createdAt: record.createdAt };
    },
    async saveFeedback(id: string, correct: boolean, comment: string) {
      store.check();
      const p = store.predictions.find((x) => x.id === id);
      if (!p) return false;
      Object.assign(p, { correct, comment });
      return true;
    },
    async recentPredictions(limit: number) {
      store.check();
      return store.predictions.slice(-limit).reverse();
    },
    async stats(): Promise<Stats> {
      store.check();
      const given = store.predictions.filter((p) => p.correct !== null);
      const correct = given.filter((p) => p.correct).length;
      return {
        predictions: store.predictions.length,
        feedback: given.length,
        correct,
        accuracy: given.length ? correct / given.length : null,
      };
    },
  };
  return store;
}

function app(store = memoryStore(), model: CurrentModel | null = current) {
  const server = buildServer({
    store,
    currentModel: () => model,
    databaseProblem: () => (store.down ? 'cannot reach the database' : null),
    samples: readRows(csv, banknotePath),
    publicDir: path.join(here, '..', 'public'),
    logLevel: false,
  });
  return { server, store };
}

const post = (url: string, payload: string) => ({
  method: 'POST' as const,
  url,
  payload,
  headers: { 'content-type': 'application/json' },
});

describe('classifier-app HTTP API', () => {
  test('predict and store, give feedback, see it in the recent list and the statistics', async () => {
    const { server } = app();
    const created = await server.inject(
      post('/api/predictions', JSON.stringify({ features: banknoteRow, note: 'till 3' })),
    );
    assert.equal(created.statusCode, 201);
    const prediction = created.json<CreatedPrediction>();
    assert.equal(prediction.label, '0');
    assert.equal(prediction.modelVersion, 1);
    const feedback = await server.inject(
      post(`/api/predictions/${prediction.id}/feedback`, '{"correct": false, "comment": "forged"}'),
    );
    assert.equal(feedback.statusCode, 200);
    const [recent] = (await server.inject('/api/predictions')).json<PredictionRecord[]>();
    assert.deepEqual([recent?.note, recent?.correct, recent?.comment], ['till 3', false, 'forged']);
    const stats = (await server.inject('/api/stats')).json<StatsReport>();
    assert.deepEqual([stats.predictions, stats.feedback, stats.accuracy, stats.model?.version], [1, 1, 0, 1]);
  });

  test('bad input gets a 400 with a one-line JSON reason, and nothing is stored', async () => {
    const { server, store } = app();
    const cases: [string, string, RegExp][] = [
      ['/api/predictions', '{"features": [1, 2', /JSON/],
      ['/api/predictions', '{"features": [1, 2, "3", 4]}', /body\/features\/2 must be number/],
      ['/api/predictions', '{"features": [1, 2, 3]}', /features has 3 values; the model expects 4/],
      ['/api/predictions', '{"features": [1, 2, 3, 1e999]}', /must be number/],
      ['/api/predictions', '{"features": [1, 2, 3, 4], "extra": 1}', /must NOT have additional properties/],
      [
        '/api/predictions',
        JSON.stringify({ features: banknoteRow, note: 'x'.repeat(201) }),
        /must NOT have more than 200 characters/,
      ],
      ['/api/predictions/1/feedback', '{"correct": "yes"}', /must be boolean/],
      [
        '/api/predictions/1%3B%20DROP%20TABLE%20feedback/feedback',
        '{"correct": true}',
        /prediction id must be a UUID, got "1; DROP TABLE feedback"/,
      ],
      [
        '/api/predictions',
        JSON.stringify({ features: banknoteRow, note: 'a\u0000b' }),
        /^note contains the NUL character/,
      ],
      ['/api/predictions', '{"features": [1, 2, 3, 4], "note": "x\\ud800y"}', /^note is not valid Unicode/],
      [
        `/api/predictions/${randomUUID()}/feedback`,
        '{"correct": true, "comment": "\\u0000"}',
        /^comment contains the NUL character/,
      ],
      [
        `/api/predictions/${randomUUID()}/feedback`,
        '{"correct": true, "comment": "\\udc00"}',
        /^comment is not valid Unicode/,
      ],
    ];
    for (const [url, body, reason] of cases) {
      const res = await server.inject(post(url, body));
      assert.equal(res.statusCode, 400, `${url} ${body}`);
      assert.match(res.json<ErrorBody>().message, reason);
      assert.doesNotMatch(res.body, /\n|at \w+ \(/, 'one line, no stack trace');
    }
    assert.equal(store.predictions.length, 0);
  });

  test('feedback for an unknown prediction is a 404', async () => {
    const id = randomUUID();
    const res = await app().server.inject(post(`/api/predictions/${id}/feedback`, '{"correct": true}'));
    assert.equal(res.statusCode, 404);
    assert.equal(res.json<ErrorBody>().message, `no prediction ${id}`);
  });

  test('a body that is not UTF-8 JSON is a 415, and nothing is stored', async () => {
    const { server, store } = app();
    const utf16 = Buffer.from(JSON.stringify({ features: banknoteRow }), 'utf16le');
    const cases: [Record<string, string>, string | Buffer, RegExp][] = [
      [
        { 'content-type': 'application/json; charset=utf-16' },
        utf16,
        /^charset utf-16 is not supported; send JSON in UTF-8$/,
      ],
      [
        { 'content-type': 'application/json;charset="latin1"' },
        JSON.stringify({ features: banknoteRow }),
        /^charset latin1 is not supported/,
      ],
      [
        { 'content-type': 'application/json' },
        Buffer.concat([
          Buffer.from('{"features": [1, 2, 3, 4], "note": "'),
          Buffer.from([0xff, 0xfe]),
          Buffer.from('"}'),
        ]),
        /^the body is not valid UTF-8/,
      ],
    ];
    for (const [headers, payload, reason] of cases) {
      const res = await server.inject({ method: 'POST', url: '/api/predictions', headers, payload });
      assert.equal(res.statusCode, 415, String(payload));
      assert.match(res.json<ErrorBody>().message, reason);
    }
    const ok = await server.inject({
      method: 'POST',
      url: '/api/predictions',
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      payload: JSON.stringify({ features: banknoteRow, note: 'é ✓ 🙂' }),
    });
    assert.equal(ok.statusCode, 201);
    assert.equal(ok.json<CreatedPrediction>().note, 'é ✓ 🙂');
    assert.equal(store.predictions.length, 1);
  });

  test('a known path with another method: 405 and Allow; health answers GET and HEAD only', async () => {
    const { server } = app();
    const cases: [string, string, string][] = [
      ['PUT', '/api/predictions', 'GET, HEAD, POST'],
      ['DELETE', '/api/predictions', 'GET, HEAD, POST'],
      ['GET', '/api/predict', 'POST'],
      ['PATCH', `/api/predictions/${randomUUID()}/feedback`, 'POST'],
      ['OPTIONS', '/api/stats', 'GET, HEAD'],
      ['POST', '/healthz', 'GET, HEAD'],
      ['DELETE', '/livez', 'GET, HEAD'],
    ];
    for (const [method, url, allow] of cases) {
      const res = await server.inject({ method: method as 'GET', url });
      assert.equal(res.statusCode, 405, `${method} ${url}`);
      assert.equal(res.headers.allow, allow, `${method} ${url}`);
      assert.deepEqual(res.json(), {
        statusCode: 405,
        error: 'Method Not Allowed',
        message: `${method} is not allowed on ${url}; allowed: ${allow}`,
      });
    }
    assert.equal((await server.inject({ method: 'HEAD', url: '/healthz' })).statusCode, 200);
    assert.equal((await server.inject({ method: 'POST', url: '/api/nope' })).statusCode, 404);
    assert.equal((await server.inject('/no-such-file.js')).statusCode, 404);
  });

  test("a path out of the page's folder: a 403 that says why", async () => {
    for (const url of ['/..%5c..%5csrc%5cmain.ts', '/%00']) {
      const res = await app().server.inject(url);
      assert.equal(res.statusCode, 403, url);
      assert.deepEqual(res.json(), {
        statusCode: 403,
        error: 'Forbidden',
        message: `forbidden: ${url} could point outside the page's files (a .. or a NUL byte in it)`,
      });
    }
  });

  test('without the database: 503 with a reason for what needs it; prediction alone still works', async () => {
    const { server, store } = app();
    store.down = true;
    for (const res of [
      await server.inject(post('/api/predictions', JSON.stringify({ features: banknoteRow }))),
      await server.inject('/api/stats'),
      await server.inject('/healthz'),
    ]) {
      assert.equal(res.statusCode, 503);
    }
    const stored = await server.inject(post('/api/predictions', JSON.stringify({ features: banknoteRow })));
    assert.match(
      stored.json<ErrorBody>().message,
      /^database unavailable: cannot reach the database: getaddrinfo ENOTFOUND/,
    );
    const alone = await server.inject(post('/api/predict', JSON.stringify({ features: banknoteRow })));
    assert.equal(alone.statusCode, 200);
    assert.equal(alone.json<Classification>().label, '0');
  });

  test('without a model yet: 503, and unready', async () => {
    const { server } = app(memoryStore(), null);
    const res = await server.inject(post('/api/predict', JSON.stringify({ features: banknoteRow })));
    assert.equal(res.statusCode, 503);
    assert.match(res.json<ErrorBody>().message, /no model yet/);
    assert.equal((await server.inject('/healthz')).statusCode, 503);
  });

  test('the page is served with a policy that forbids inline scripts', async () => {
    const res = await app().server.inject('/');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<script type="module" src="app.js"><\/script>/);
    assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
  });

  test("the trainer's feedback rows change the model; the same rows give the same model", () => {
    const again = trainModel(csv, banknotePath, []);
    assert.deepEqual(again.json, trained.json);
    const withFeedback = trainModel(csv, banknotePath, [
      { features: [...banknoteRow], label: '1' },
      { features: [...banknoteRow], label: '1' },
    ]);
    assert.equal(withFeedback.rows, trained.rows + 2);
    assert.notDeepEqual(withFeedback.json, trained.json);
  });
});
