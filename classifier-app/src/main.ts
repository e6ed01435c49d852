/**
 * Starts the app: reads the configuration, serves at once, and twice a second asks Postgres for
 * the newest model version (which also tells whether the database is reachable). Shuts down
 * gracefully on SIGTERM or SIGINT. It connects as the role classifier_app, which can store and
 * read predictions and feedback and read models, nothing else.
 *
 * Environment: PORT (3000), HOST (0.0.0.0), DATA_PATH (/app/data/banknote.csv), LOG_LEVEL (info),
 * INSERT_BATCH_ROWS (500), and the database settings of db-config.ts (PGHOST, DB_PASSWORD_FILE…).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { dbConfigFromEnv, pgOptions, type DbConfig } from './db-config.ts';
import { modelFromJSON, readRows, type LabelledRow } from './model.ts';
import { createPool } from './pool.ts';
import { buildServer, type CurrentModel } from './server.ts';
import { latestModelVersion, loadModelVersion, pgStore } from './store.ts';
import { unavailableReason } from './unavailable.ts';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '0.0.0.0';
const dataPath = process.env.DATA_PATH ?? '/app/data/banknote.csv';
const publicDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'public');

/** Stops with one line on stderr, no stack trace: for configuration the app cannot run without. */
function fail(message: string): never {
  console.error(`classifier-app: ${message}`);
  process.exit(1);
}

let samples: LabelledRow[];
try {
  samples = readRows(readFileSync(dataPath, 'utf8'), dataPath);
} catch (err) {
  fail(`cannot load the data set: ${(err as Error).message}`);
}
const dbConfig: DbConfig = dbConfigFromEnv(process.env, 'classifier_app');
let pool: pg.Pool;
try {
  pool = createPool(dbConfig);
} catch (err) {
  fail((err as Error).message);
}

let current: CurrentModel | null = null;
// Unknown until the first check: unready until then.
let databaseProblem: string | null = 'not checked yet';

const app = buildServer({
  store: pgStore(pool),
  currentModel: () => current,
  databaseProblem: () => databaseProblem,
  samples,
  publicDir,
  logLevel: process.env.LOG_LEVEL ?? 'info',
});

// #region check
// Twice a second, one small query on a connection of its own (never queued behind the app's
// writes): is the database there, and is there a newer model? A new version (the trainer stored
// one) is loaded without a restart. No answer within half a second, or the connection lost, and
// the app is unready at once: /healthz follows the database within a second. An outage is logged
// once when it starts and once when it ends, never per attempt.
const CHECK_MS = 500;
let probe: pg.Client | null = null;

function unready(err: unknown): void {
  const reason = unavailableReason(err) ?? `model check failed: ${(err as Error).message}`;
  if (databaseProblem === null || databaseProblem === 'not checked yet')
    app.log.error(`${reason}; unready, retrying every ${CHECK_MS / 1000} s`);
  databaseProblem = reason;
}

/** The probe's connection, opened on first use and again after it is lost. */
async function probeClient(): Promise<pg.Client> {
  if (probe) return probe;
  const client = new pg.Client({
    ...pgOptions(dbConfig),
    connectionTimeoutMillis: 2000,
    application_name: 'classifier-app-check',
  });
  const lost = (err: unknown): void => {
    if (probe !== client) return;
    probe = null;
    unready(err);
  };
  client.on('error', lost);
  client.on('end', () => lost(new Error('Connection terminated')));
  probe = client;
  try {
    await client.connect();
  } catch (err) {
    if (probe === client) probe = null;
    throw err;
  }
  return client;
}

async function check(): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`no answer within ${CHECK_MS} ms`), { code: 'ETIMEDOUT' })),
      CHECK_MS,
    );
  });
  try {
    const version = await Promise.race([probeClient().then(latestModelVersion), deadline]);
    if (version !== null && version !== current?.version) {
      const stored = await loadModelVersion(pool, version);
      if (stored) {
        const { model, labels, sha256 } = modelFromJSON(stored.model);
        current = {
          model,
          labels,
          version,
          sha256,
          createdAt: stored.createdAt,
          dataRows: stored.dataRows,
          feedbackRows: stored.feedbackRows,
          testAccuracy: stored.testAccuracy,
        };
        app.log.info({ modelVersion: version, testAccuracy: stored.testAccuracy }, `model version ${version} loaded`);
      }
    }
    if (databaseProblem !== null && databaseProblem !== 'not checked yet') app.log.info('database reachable again');
    databaseProblem = null;
  } catch (err) {
    // A probe that did not answer in time is dropped; the next check opens a new one.
    if ((err as { code?: string }).code === 'ETIMEDOUT' && probe) {
      const stuck = probe;
      probe = null;
      void stuck.end().catch(() => {});
    }
    unready(err);
  } finally {
    clearTimeout(timer);
  }
}

let checking = true;
async function checkForever(): Promise<void> {
  while (checking) {
    await check();
    await new Promise((resolve) => setTimeout(resolve, CHECK_MS).unref());
  }
}
// #endregion

// #region shutdown
// On SIGTERM (docker compose stop, down, a restart) stop accepting connections, let the requests
// in flight finish, close the pool's database connections, then exit 0.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    app.log.info(`${signal}: finishing requests in flight, then closing the database pool`);
    checking = false;
    setTimeout(() => {
      app.log.error('still busy after 3 s; exiting anyway');
      process.exit(1);
    }, 3000).unref();
    app
      .close()
      .then(() => Promise.all([pool.end(), probe?.end()]))
      .then(
        () => {
          app.log.info('database pool closed, stopped');
          process.exit(0);
        },
        (err: unknown) => {
          app.log.error(`error while stopping: ${(err as Error).message}`);
          process.exit(1);
        },
      );
  });
}
// #endregion

try {
  await app.listen({ port, host });
} catch (err) {
  fail(`cannot listen on ${host}:${port}: ${(err as Error).message}`);
}
void checkForever();
