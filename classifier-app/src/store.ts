/**
 * Every SQL statement the app and the trainer run. Every value goes to the database as a query
 * parameter ($1, $2…), never pasted into SQL text: a note that reads
 * `'); DROP TABLE predictions; --` is stored as that text, and nothing else happens.
 */
import type pg from 'pg';
import { batcher } from './batcher.ts';
import type { ModelVersion, NewPrediction, Store, StoredPrediction } from './types.ts';
import { unavailableReason } from './unavailable.ts';

// #region batch-limits
/** At most this many predictions per INSERT (INSERT_BATCH_ROWS; 1 turns the batches off, for the bench). */
const MAX_BATCH = Number(process.env.INSERT_BATCH_ROWS ?? 500);
/** At most this many predictions waiting: past that (the database is slow), 503 at once, not a growing queue. */
const MAX_WAITING = 10_000;
// #endregion

const timestamp = (value: Date | string): string => (value instanceof Date ? value.toISOString() : value);

/** Stores predictions with one INSERT, and gives back each one's public id, in their order. */
function insertPredictions(pool: pg.Pool): (batch: NewPrediction[]) => Promise<StoredPrediction[]> {
  return async (batch) => {
    // One array per column, each a single parameter; unnest turns them back into rows, in the
    // batch's order (WITH ORDINALITY numbers them). The row numbers (id) are drawn in that order
    // too, so the returned rows, sorted by id, belong to the batch's predictions one by one.
    const { rows } = await pool.query<{ id: string; public_id: string; created_at: Date }>({
      name: 'insert-predictions',
      text: `INSERT INTO predictions (features, label, score, model_version, note)
             SELECT features::double precision[], label, score, model_version, note
             FROM unnest($1::text[], $2::text[], $3::double precision[], $4::integer[], $5::text[])
               WITH ORDINALITY AS batch (features, label, score, model_version, note, position)
             ORDER BY position
             RETURNING id, public_id, created_at`,
      values: [
        batch.map((p) => `{${p.features.join(',')}}`),
        batch.map((p) => p.label),
        batch.map((p) => p.score),
        batch.map((p) => p.modelVersion),
        batch.map((p) => p.note),
      ],
    });
    rows.sort((x, y) => Number(x.id) - Number(y.id));
    return rows.map((r) => ({ id: r.public_id, createdAt: timestamp(r.created_at) }));
  };
}

/**
 * The {@link Store} on a pg pool: every value a query parameter. Predictions go in batches, one
 * INSERT for all that arrived while the previous one was on its way (see batcher.ts); a row the
 * database refuses fails only its own caller.
 */
export function pgStore(pool: pg.Pool): Store {
  const insertPrediction = batcher(insertPredictions(pool), {
    maxBatch: MAX_BATCH,
    maxWaiting: MAX_WAITING,
    items: 'predictions',
    failsAll: (err) => unavailableReason(err) !== null,
  });
  return {
    insertPrediction,

    async saveFeedback(predictionId, correct, comment) {
      // One statement: the row for a prediction that does not exist is never inserted (the
      // SELECT finds nothing), so there is no foreign-key error to tell apart from real faults.
      const { rowCount } = await pool.query(
        `INSERT INTO feedback (prediction_id, correct, comment)
         SELECT id, $2, $3 FROM predictions WHERE public_id = $1
         ON CONFLICT (prediction_id) DO UPDATE SET correct = EXCLUDED.correct, comment = EXCLUDED.comment, given_at = now()`,
        [predictionId, correct, comment],
      );
      return rowCount === 1;
    },

    async recentPredictions(limit) {
      const { rows } = await pool.query<{
        public_id: string;
        created_at: Date;
        features: number[];
        label: string;
        score: number;
        model_version: number;
        note: string;
        correct: boolean | null;
        comment: string | null;
      }>(
        `SELECT p.public_id, p.created_at, p.features, p.label, p.score, p.model_version, p.note, f.correct, f.comment
         FROM predictions p LEFT JOIN feedback f ON f.prediction_id = p.id
         ORDER BY p.id DESC LIMIT $1`,
        [limit],
      );
      return rows.map((r) => ({
        id: r.public_id,
        createdAt: timestamp(r.created_at),
        features: r.features,
        label: r.label,
        score: r.score,
        modelVersion: r.model_version,
        note: r.note,
        correct: r.correct,
        comment: r.comment,
      }));
    },

    async stats() {
      const { rows } = await pool.query<{ predictions: string; feedback: string; correct: string }>(
        `SELECT (SELECT count(*) FROM predictions) AS predictions, count(*) AS feedback, count(*) FILTER (WHERE correct) AS correct
         FROM feedback`,
      );
      const predictions = Number(rows[0]!.predictions),
        feedback = Number(rows[0]!.feedback),
        correct = Number(rows[0]!.correct);
      return { predictions, feedback, correct, accuracy: feedback === 0 ? null : correct / feedback };
    },
  };
}

/** The newest model version's number, or null when none is stored yet. */
export async function latestModelVersion(pool: pg.Pool | pg.Client): Promise<number | null> {
  const { rows } = await pool.query<{ id: number }>('SELECT id FROM model_versions ORDER BY id DESC LIMIT 1');
  return rows[0]?.id ?? null;
}

/** One model version, or null when there is no such version. */
export async function loadModelVersion(pool: pg.Pool | pg.Client, version: number): Promise<ModelVersion | null> {
  const { rows } = await pool.query<{
    id: number;
    created_at: Date;
    model: unknown;
    data_rows: number;
    feedback_rows: number;
    test_accuracy: number;
  }>('SELECT id, created_at, model, data_rows, feedback_rows, test_accuracy FROM model_versions WHERE id = $1', [
    version,
  ]);
  const r = rows[0];
  return r
    ? {
        version: r.id,
        createdAt: timestamp(r.created_at),
        model: r.model,
        dataRows: r.data_rows,
        feedbackRows: r.feedback_rows,
        testAccuracy: r.test_accuracy,
      }
    : null;
}

/** Every prediction that got feedback, oldest first: the predicted class and whether it was right. */
export async function predictionsWithFeedback(
  client: pg.Pool | pg.Client,
): Promise<{ features: number[]; label: string; correct: boolean }[]> {
  const { rows } = await client.query<{ features: number[]; label: string; correct: boolean }>(
    'SELECT p.features, p.label, f.correct FROM feedback f JOIN predictions p ON p.id = f.prediction_id ORDER BY p.id',
  );
  return rows;
}

/** Stores a new model version and returns its number. */
export async function insertModelVersion(
  client: pg.Pool | pg.Client,
  m: { model: object; dataRows: number; feedbackRows: number; testAccuracy: number },
): Promise<number> {
  const { rows } = await client.query<{ id: number }>(
    'INSERT INTO model_versions (model, data_rows, feedback_rows, test_accuracy) VALUES ($1, $2, $3, $4) RETURNING id',
    [m.model, m.dataRows, m.feedbackRows, m.testAccuracy],
  );
  return rows[0]!.id;
}
