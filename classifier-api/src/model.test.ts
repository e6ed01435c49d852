/**
 * Unit tests of model loading, with the real shared model module: a model saved by the trainer's
 * code loads and predicts as the module does, and every broken file gives a one-line reason.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { parseCsv } from '../../linear-classifier/src/csv.ts';
import { modelFileText } from '../../linear-classifier/src/model-file.ts';
import { Perceptron } from '../../linear-classifier/src/perceptron.ts';
import { loadModel } from './model.ts';
import { buildServer } from './server.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'classifier-api-model-'));
const csv =
  'variance,skewness,class\n1,2,genuine\n2,1,genuine\n8,9,forged\n9,8,forged\n1.5,1.5,genuine\n8.5,8.5,forged\n2,2,genuine\n9,9,forged\n';
const { model: trained } = Perceptron.train(parseCsv(csv, 'tiny.csv'), { seed: 7, trainFraction: 0.5, maxEpochs: 50 });
const saved = path.join(dir, 'model.json');
writeFileSync(saved, modelFileText(trained));

describe('classifier-api model loading', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a saved model loads with its features, labels, metrics and a content version', async () => {
    const { model, info } = await loadModel(saved);
    assert.equal(info.featureCount, 2);
    assert.deepEqual(info.features, ['variance', 'skewness']);
    assert.deepEqual(info.labels, { '0': trained.labels[0], '1': trained.labels[1] });
    assert.deepEqual(info.metrics, trained.metrics);
    assert.match(info.version, /^sha256:[0-9a-f]{12}$/);
    assert.equal(
      info.sha256,
      createHash('sha256').update(readFileSync(saved)).digest('hex'),
      "the whole file's sha256",
    );
    assert.equal(info.version, `sha256:${info.sha256.slice(0, 12)}`);
    const rows = [
      [1, 1],
      [9, 9],
      [5, 5],
    ];
    assert.deepEqual(model.predict(rows), trained.predict(rows));
  });

  test('the API answers what the module predicts', async () => {
    const loaded = await loadModel(saved);
    const app = buildServer({ modelState: () => ({ ready: true, ...loaded }), apiVersion: '0.0.0', logLevel: false });
    try {
      const rows = [
        [1, 2],
        [9, 8],
      ];
      const res = await app.inject({ method: 'POST', url: '/predict', payload: { rows } });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), trained.predict(rows));
    } finally {
      await app.close();
    }
  });

  test('the same file gives the same version; another model, another', async () => {
    const again = path.join(dir, 'again.json');
    writeFileSync(again, readFileSync(saved));
    assert.equal((await loadModel(again)).info.version, (await loadModel(saved)).info.version);
    const { model: other } = Perceptron.train(parseCsv(csv, 'tiny.csv'), {
      seed: 8,
      trainFraction: 0.5,
      maxEpochs: 50,
    });
    const otherPath = path.join(dir, 'other.json');
    writeFileSync(otherPath, modelFileText(other));
    assert.notEqual((await loadModel(otherPath)).info.version, (await loadModel(saved)).info.version);
  });

  const broken: [string, string | null, RegExp][] = [
    ['a missing file', null, /missing\.json does not exist \(has the trainer run\?\)$/],
    ['a file that is not JSON', '{"weights": [1, 2', /is not JSON: /],
    ['JSON that is not a model', '{"weights": [1, 2, 3]}', /is not a valid model: /],
  ];
  for (const [what, content, message] of broken) {
    test(`${what} is refused with a one-line reason`, async () => {
      const file = path.join(dir, content === null ? 'missing.json' : `${what.replaceAll(' ', '-')}.json`);
      if (content !== null) writeFileSync(file, content);
      const err: Error = await loadModel(file).then(
        () => assert.fail('loaded'),
        (e: Error) => e,
      );
      assert.match(err.message, message);
      assert.doesNotMatch(err.message, /\n/);
    });
  }
});
