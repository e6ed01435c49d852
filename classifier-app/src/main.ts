/**
 * Starts the app: reads the configuration, serves at once, and every CHECK_SECONDS asks Postgres
 * for the newest model version (which also tells whether the database is reachable). Shuts down
 * gracefully on SIGTERM or SIGINT.
 *
 * Environment: PORT (3000), HOST (0.0.0.0), DATA_PATH (/app/data/banknote.csv), CHECK_SECONDS (1),
 * LOG_LEVEL (info), and the database settings of db.ts (PGHOST, DB_PASSWORD_FILE…).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pool } from 'pg';
import { createPool, dbConfigFromEnv, latestModelVersion, loadModelVersion, pgStore, unavailableReason } from './db.ts';
import { modelFromJSON, readRows, type LabelledRow } from './model.ts';
import { buildServer, type CurrentModel } from './server.ts';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '0.0.0.0';
const dataPath = process.env.DATA_PATH ?? '/app/data/banknote.csv';
const checkSeconds = Number(process.env.CHECK_SECONDS ?? 1);
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
let pool: Pool;
try {
  pool = createPool(dbConfigFromEnv());
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
// One small query a second: is the database there, and is there a newer model? A new version
// (the trainer stored one) is loaded without a restart. An outage is logged once when it starts
// and once when it ends, never per attempt.
async function check(): Promise<void> {
  try {
    const version = await latestModelVersion(pool);
    if (version !== null && version !== current?.version) {
      const stored = await loadModelVersion(pool, version);
      if (stored) {
        const { model, labels, sha256 } = modelFromJSON(stored.model);
        current = { model, labels, version, sha256, createdAt: stored.createdAt, dataRows: stored.dataRows, feedbackRows: stored.feedbackRows, testAccuracy: stored.testAccuracy };
        app.log.info({ modelVersion: version, testAccuracy: stored.testAccuracy }, `model version ${version} loaded`);
      }
    }
    if (databaseProblem !== null && databaseProblem !== 'not checked yet') app.log.info('database reachable again');
    databaseProblem = null;
  } catch (err) {
    const reason = unavailableReason(err) ?? `model check failed: ${(err as Error).message}`;
    // Logged when the outage starts; /healthz has the latest reason while it lasts.
    if (databaseProblem === null || databaseProblem === 'not checked yet') app.log.error(`${reason}; unready, retrying every ${checkSeconds} s`);
    databaseProblem = reason;
  }
}

let checking = true;
async function checkForever(): Promise<void> {
  while (checking) {
    await check();
    await new Promise((resolve) => setTimeout(resolve, checkSeconds * 1000).unref());
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
    app.close()
      .then(() => pool.end())
      .then(() => {
        app.log.info('database pool closed, stopped');
        process.exit(0);
      }, (err: unknown) => {
        app.log.error(`error while stopping: ${(err as Error).message}`);
        process.exit(1);
      });
  });
}
// #endregion

try {
  await app.listen({ port, host });
} catch (err) {
  fail(`cannot listen on ${host}:${port}: ${(err as Error).message}`);
}
void checkForever();
