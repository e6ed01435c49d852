/**
 * Unit tests of the store's batched INSERT, on a fake pool: a row the database refuses fails only its own
 * caller, never the rest of its batch.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type pg from 'pg';
import { pgStore } from './store.ts';
import type { NewPrediction } from './types.ts';

/** A pool whose INSERT refuses any batch with a note "bad" in it, as Postgres refuses a NUL. */
function fakePool(): { pool: pg.Pool; statements: number } {
  const fake = {
    statements: 0,
    pool: {
      async query(q: { values: unknown[][] }) {
        fake.statements++;
        await new Promise((r) => setTimeout(r, 5));
        const notes = q.values[4] as string[];
        if (notes.includes('bad'))
          throw Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
        return {
          rows: notes.map((_, i) => ({
            id: String(100 + fake.statements * 1000 + i),
            public_id: `id-${notes[i]}`,
            created_at: new Date(0),
          })),
        };
      },
    } as unknown as pg.Pool,
  };
  return fake;
}

const prediction = (note: string): NewPrediction => ({
  features: [1, 2, 3, 4],
  label: '0',
  score: 0.5,
  modelVersion: 1,
  note,
});

test('one bad row in a batch: the others are stored, each with its own id; only the bad one fails', async () => {
  const fake = fakePool();
  const store = pgStore(fake.pool);
  const notes = ['a', 'b', 'bad', 'c', 'd'];
  const results = await Promise.allSettled(notes.map((n) => store.insertPrediction(prediction(n))));
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
  );
  assert.deepEqual(
    results.map((r) => (r.status === 'fulfilled' ? r.value.id : (r.reason as { code: string }).code)),
    ['id-a', 'id-b', '22021', 'id-c', 'id-d'],
  );
  // The first alone (nobody waited), then the four that waited together, refused, then one by one.
  assert.equal(fake.statements, 1 + 1 + 4);
});
