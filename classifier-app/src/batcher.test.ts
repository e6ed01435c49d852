/**
 * Unit tests of the batcher, on a fake write that records its batches: who goes together, who
 * gets what, and the bounds.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { batcher, type BatcherOptions } from './batcher.ts';

/** An error that fails only the batch it is in: a bad row. */
const rowError = Object.assign(new Error('a row the database refuses'), { code: '22021' });
/** An error that fails every batch: the database is away. */
const awayError = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

/**
 * A batcher whose write doubles each number after a few milliseconds, and fails a batch that holds
 * `failOn` with `error`. `batches` records every write's items; `concurrent` the most writes at once.
 */
function doubler(options: Partial<BatcherOptions> = {}, failOn = -1, error: Error = rowError) {
  const fake = { batches: [] as number[][], writing: 0, concurrent: 0 };
  const add = batcher(
    async (batch: number[]) => {
      fake.batches.push(batch);
      fake.concurrent = Math.max(fake.concurrent, ++fake.writing);
      await sleep(5);
      fake.writing--;
      if (batch.includes(failOn)) throw error;
      return batch.map((n) => n * 2);
    },
    { maxBatch: 500, maxWaiting: 10_000, items: 'numbers', failsAll: (err) => err === awayError, ...options },
  );
  return { add, fake };
}

describe('batcher', () => {
  test('the first call is written alone, at once; the calls that arrive meanwhile go together in one write', async () => {
    const { add, fake } = doubler();
    const results = await Promise.all([1, 2, 3, 4, 5].map(add));
    assert.deepEqual(results, [2, 4, 6, 8, 10], 'each caller gets its own result');
    assert.deepEqual(fake.batches, [[1], [2, 3, 4, 5]]);
    assert.equal(fake.concurrent, 1, 'one write at a time');
  });

  test('once the queue is empty, the next call is written at once again', async () => {
    const { add, fake } = doubler();
    assert.equal(await add(1), 2);
    await sleep(1); // the batcher sees its queue empty
    assert.deepEqual(await Promise.all([add(2), add(3)]), [4, 6]);
    assert.deepEqual(fake.batches, [[1], [2], [3]]);
  });

  test('at most maxBatch items per write', async () => {
    const { add, fake } = doubler({ maxBatch: 3 });
    assert.deepEqual(await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(add)), [2, 4, 6, 8, 10, 12, 14, 16]);
    assert.deepEqual(fake.batches, [[1], [2, 3, 4], [5, 6, 7], [8]]);
  });

  test('maxBatch 1: no batches, no queue: every call is its own write, at once', async () => {
    const { add, fake } = doubler({ maxBatch: 1 });
    assert.deepEqual(await Promise.all([1, 2, 3].map(add)), [2, 4, 6]);
    assert.deepEqual(fake.batches, [[1], [2], [3]]);
    assert.equal(fake.concurrent, 3);
  });

  test('a batch that fails with an error that fails all: each of its callers gets that error, and the next batch goes on', async () => {
    const { add, fake } = doubler({}, 3, awayError);
    const first = add(1);
    const failing = [2, 3, 4].map(add);
    assert.equal(await first, 2);
    for (const result of await Promise.allSettled(failing))
      assert.deepEqual(result, { status: 'rejected', reason: awayError });
    assert.equal(await add(5), 10);
    assert.deepEqual(fake.batches, [[1], [2, 3, 4], [5]], 'nothing written again');
  });

  test('a batch that fails otherwise: each item is written again alone, and only the one at fault fails', async () => {
    const { add, fake } = doubler({}, 3);
    const results = await Promise.allSettled([1, 2, 3, 4].map(add));
    assert.deepEqual(results, [
      { status: 'fulfilled', value: 2 },
      { status: 'fulfilled', value: 4 },
      { status: 'rejected', reason: rowError },
      { status: 'fulfilled', value: 8 },
    ]);
    assert.deepEqual(fake.batches, [[1], [2, 3, 4], [2], [3], [4]]);
  });

  test('an item alone that fails: its caller gets the error, nothing is written again', async () => {
    const { add, fake } = doubler({}, 1);
    await assert.rejects(add(1), rowError);
    assert.deepEqual(fake.batches, [[1]]);
  });

  test('more than maxWaiting waiting: the call fails at once with a 503, the others are written', async () => {
    const { add, fake } = doubler({ maxWaiting: 2 });
    const accepted = [1, 2, 3].map(add); // 1 is written at once; 2 and 3 wait
    await assert.rejects(add(4), { message: '2 numbers are waiting to be stored; try again shortly', statusCode: 503 });
    assert.deepEqual(await Promise.all(accepted), [2, 4, 6]);
    assert.deepEqual(fake.batches, [[1], [2, 3]]);
  });
});
