/**
 * Everything the app, the trainer and the migration job say to PostgreSQL. Every value goes to the
 * database as a query parameter ($1, $2…), never pasted into SQL text: a note that reads
 * `'); DROP TABLE predictions; --` is stored as that text, and nothing else happens.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';

/** How to reach the database; see {@link dbConfigFromEnv}. */
export interface DbConfig {
  host: string;
  port: number;
  user: string;
  database: string;
  /** The file that holds the password: a Compose secret, mounted under /run/secrets. */
  passwordFile: string;
}

/**
 * The connection settings from the environment: PGHOST (classifier-app-db), PGPORT (5432),
 * PGDATABASE (classifier), PGUSER and DB_PASSWORD_FILE (the role's password, a Compose secret;
 * `user` and `/run/secrets/db_password` by default). Each service connects as a role of its own
 * (compose.yaml sets PGUSER). The password itself is never in the environment, where `docker
 * inspect` would show it.
 */
export function dbConfigFromEnv(env: NodeJS.ProcessEnv = process.env, user = 'classifier'): DbConfig {
  return {
    host: env.PGHOST ?? 'classifier-app-db',
    port: Number(env.PGPORT ?? 5432),
    user: env.PGUSER ?? user,
    database: env.PGDATABASE ?? 'classifier',
    passwordFile: env.DB_PASSWORD_FILE ?? '/run/secrets/db_password',
  };
}

/**
 * Reads the password file. Trailing newlines are dropped, as the postgres image drops them from
 * POSTGRES_PASSWORD_FILE, so that both sides agree on the password.
 */
export function readPassword(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`cannot read the database password from ${file}: ${code === 'ENOENT' ? 'no such file (is the secret defined?)' : code ?? String(err)}`);
  }
  const password = text.replace(/\n+$/, '');
  if (password === '') throw new Error(`${file} is empty: it must hold the database password`);
  return password;
}

/** A pool of connections; `max` bounds what one app instance can ask of Postgres. */
export function createPool(config: DbConfig, max = 10): pg.Pool {
  const pool = new pg.Pool({
    host: config.host,
    port: config.port,
    user: config.user,
    database: config.database,
    password: readPassword(config.passwordFile),
    max,
    // Fail fast rather than hang when the database is away: the caller gets a 503 in seconds.
    connectionTimeoutMillis: 2000,
    query_timeout: 5000,
    application_name: 'classifier-app',
    // Postgres's default durability, synchronous_commit=on: a commit returns once its WAL record
    // is on disk, so a prediction the app acknowledged survives a crash of the database. The
    // batches below keep that affordable: one flush commits a whole batch.
  });
  // An idle connection that the server closes (a restart, `docker compose stop`) is reported
  // here; without a listener, Node would treat it as an unhandled error and exit. The pool drops
  // the connection and opens a new one when it next needs one.
  pool.on('error', () => {});
  return pool;
}

// #region unavailable
/** Network failures, and the SQLSTATEs that mean "no usable connection" rather than a bad query. */
const unavailableCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'EPIPE',
  '57P01', '57P02', '57P03', '53300', '3D000']);

/**
 * Why the database cannot be used, in one line, or null when the error is something else (a bug,
 * a constraint). Connection errors (SQLSTATE class 08), shutdowns (57P0x), refused logins (class
 * 28) and network errors mean the database is unavailable: the app answers 503, not 500.
 */
export function unavailableReason(err: unknown): string | null {
  const { code, message } = err as { code?: string; message?: string };
  const text = String(message ?? err);
  if (code === '28P01') return `the database refuses the password: ${text} (does the secret file hold the password the database was created with?)`;
  if (code?.startsWith('28')) return `the database refuses the login: ${text}`;
  if ((code && (unavailableCodes.has(code) || code.startsWith('08'))) || /Connection terminated|timeout exceeded when trying to connect|Query read timeout/i.test(text)) {
    return `cannot reach the database: ${code && !text.includes(code) ? `${code} ` : ''}${text}`;
  }
  return null;
}
// #endregion

/** A stored prediction, as the API shows it. */
export interface PredictionRecord {
  /** The prediction's public id: a random UUID, which nobody can guess or be handed again. */
  id: string;
  createdAt: string;
  features: number[];
  label: string;
  score: number;
  modelVersion: number;
  note: string;
  /** true or false once someone said whether the prediction was right, else null. */
  correct: boolean | null;
  comment: string | null;
}

/** A stored model version, with what it was trained on. */
export interface ModelVersion {
  version: number;
  createdAt: string;
  model: unknown;
  dataRows: number;
  feedbackRows: number;
  testAccuracy: number;
}

/** The figures the page shows. */
export interface Stats {
  predictions: number;
  feedback: number;
  correct: number;
  /** correct / feedback, or null before the first feedback. */
  accuracy: number | null;
}

/** What the HTTP layer needs from the database: the methods below, or a fake in the unit tests. */
export interface Store {
  /** Resolves once the prediction is committed (on disk): then, and only then, the app answers 201. */
  insertPrediction(p: NewPrediction): Promise<StoredPrediction>;
  /** Stores (or replaces) the feedback on a prediction; false when there is no such prediction. */
  saveFeedback(predictionId: string, correct: boolean, comment: string): Promise<boolean>;
  recentPredictions(limit: number): Promise<PredictionRecord[]>;
  stats(): Promise<Stats>;
}

const timestamp = (value: Date | string): string => (value instanceof Date ? value.toISOString() : value);

/** What storing a prediction gives back: its public id and when it was stored. */
export interface StoredPrediction { id: string; createdAt: string }

/** A prediction to store. */
export interface NewPrediction {
  features: number[];
  label: string;
  score: number;
  modelVersion: number;
  note: string;
}

// #region batches
/** At most this many predictions per INSERT (INSERT_BATCH_ROWS; 1 turns the batches off, for the bench). */
const MAX_BATCH = Number(process.env.INSERT_BATCH_ROWS ?? 500);
/** At most this many predictions waiting: past that (the database is slow), 503 at once, not a growing queue. */
const MAX_WAITING = 10_000;

/**
 * Stores predictions in batches. While one INSERT is on its way, the predictions that arrive meanwhile
 * wait, and then go together in the next one: one statement, one transaction, one commit, so one
 * flush of the write-ahead log to disk, for all of them (group commit). Under load, that is dozens
 * of rows per INSERT instead of one; a prediction that comes alone waits for nobody. Each caller
 * still gets its own row's id, or the error, once the commit is on disk.
 */
function batchedInsert(pool: pg.Pool): (p: NewPrediction) => Promise<StoredPrediction> {
  interface Waiting { p: NewPrediction; resolve: (stored: StoredPrediction) => void; reject: (err: unknown) => void }
  let waiting: Waiting[] = [];
  let writing = false;

  async function insert(batch: Waiting[]): Promise<void> {
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
        batch.map((w) => `{${w.p.features.join(',')}}`), batch.map((w) => w.p.label), batch.map((w) => w.p.score),
        batch.map((w) => w.p.modelVersion), batch.map((w) => w.p.note),
      ],
    });
    rows.sort((x, y) => Number(x.id) - Number(y.id));
    batch.forEach((w, i) => w.resolve({ id: rows[i]!.public_id, createdAt: timestamp(rows[i]!.created_at) }));
  }

  async function writeWhileWaiting(): Promise<void> {
    writing = true;
    while (waiting.length > 0) {
      const batch = waiting.slice(0, MAX_BATCH);
      waiting = waiting.slice(MAX_BATCH);
      try {
        await insert(batch);
      } catch (err) {
        if (batch.length === 1 || unavailableReason(err)) {
          for (const w of batch) w.reject(err);
          continue;
        }
        // One row the database refused must not fail the others: each goes again, alone, and
        // only the row at fault gets the error.
        for (const w of batch) await insert([w]).catch(w.reject);
      }
    }
    writing = false;
  }

  return (p) => new Promise((resolve, reject) => {
    if (waiting.length >= MAX_WAITING) {
      reject(Object.assign(new Error(`${MAX_WAITING} predictions are waiting to be stored; try again shortly`), { statusCode: 503 }));
      return;
    }
    // Without batches (INSERT_BATCH_ROWS=1, for the bench), each its own INSERT, at once.
    if (MAX_BATCH === 1) return void insert([{ p, resolve, reject }]).catch(reject);
    waiting.push({ p, resolve, reject });
    if (!writing) void writeWhileWaiting();
  });
}
// #endregion

/** The {@link Store} on a pg pool: every value a query parameter. */
export function pgStore(pool: pg.Pool): Store {
  const insert = batchedInsert(pool);
  return {
    insertPrediction: insert,

    async saveFeedback(predictionId, correct, comment) {
      // One statement: the row for a prediction that does not exist is never inserted (the
      // SELECT finds nothing), so there is no foreign-key error to tell apart from real faults.
      const { rowCount } = await pool.query(
        `INSERT INTO feedback (prediction_id, correct, comment)
         SELECT id, $2, $3 FROM predictions WHERE public_id = $1
         ON CONFLICT (prediction_id) DO UPDATE SET correct = EXCLUDED.correct, comment = EXCLUDED.comment, given_at = now()`,
        [predictionId, correct, comment]);
      return rowCount === 1;
    },

    async recentPredictions(limit) {
      const { rows } = await pool.query<{
        public_id: string; created_at: Date; features: number[]; label: string; score: number; model_version: number; note: string;
        correct: boolean | null; comment: string | null;
      }>(
        `SELECT p.public_id, p.created_at, p.features, p.label, p.score, p.model_version, p.note, f.correct, f.comment
         FROM predictions p LEFT JOIN feedback f ON f.prediction_id = p.id
         ORDER BY p.id DESC LIMIT $1`,
        [limit]);
      return rows.map((r) => ({
        id: r.public_id, createdAt: timestamp(r.created_at), features: r.features, label: r.label, score: r.score,
        modelVersion: r.model_version, note: r.note, correct: r.correct, comment: r.comment,
      }));
    },

    async stats() {
      const { rows } = await pool.query<{ predictions: string; feedback: string; correct: string }>(
        `SELECT (SELECT count(*) FROM predictions) AS predictions, count(*) AS feedback, count(*) FILTER (WHERE correct) AS correct
         FROM feedback`);
      const predictions = Number(rows[0]!.predictions), feedback = Number(rows[0]!.feedback), correct = Number(rows[0]!.correct);
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
  const { rows } = await pool.query<{ id: number; created_at: Date; model: unknown; data_rows: number; feedback_rows: number; test_accuracy: number }>(
    'SELECT id, created_at, model, data_rows, feedback_rows, test_accuracy FROM model_versions WHERE id = $1', [version]);
  const r = rows[0];
  return r ? { version: r.id, createdAt: timestamp(r.created_at), model: r.model, dataRows: r.data_rows, feedbackRows: r.feedback_rows, testAccuracy: r.test_accuracy } : null;
}

/** Every prediction that got feedback, oldest first: the predicted class and whether it was right. */
export async function feedbackRows(client: pg.Pool | pg.Client): Promise<{ features: number[]; label: string; correct: boolean }[]> {
  const { rows } = await client.query<{ features: number[]; label: string; correct: boolean }>(
    'SELECT p.features, p.label, f.correct FROM feedback f JOIN predictions p ON p.id = f.prediction_id ORDER BY p.id');
  return rows;
}

/** Stores a new model version and returns its number. */
export async function insertModelVersion(client: pg.Pool | pg.Client, m: { model: object; dataRows: number; feedbackRows: number; testAccuracy: number }): Promise<number> {
  const { rows } = await client.query<{ id: number }>(
    'INSERT INTO model_versions (model, data_rows, feedback_rows, test_accuracy) VALUES ($1, $2, $3, $4) RETURNING id',
    [m.model, m.dataRows, m.feedbackRows, m.testAccuracy]);
  return rows[0]!.id;
}
