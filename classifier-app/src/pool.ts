/** The app's pool of database connections. */
import pg from 'pg';
import { pgOptions, type DbConfig } from './db-config.ts';

/** A pool of connections; `max` bounds what one app instance can ask of Postgres. */
export function createPool(config: DbConfig, max = 10): pg.Pool {
  const pool = new pg.Pool({
    ...pgOptions(config),
    max,
    // Fail fast rather than hang when the database is away: the caller gets a 503 in seconds.
    connectionTimeoutMillis: 2000,
    query_timeout: 5000,
    application_name: 'classifier-app',
    // Postgres's default durability, synchronous_commit=on: a commit returns once its WAL record
    // is on disk, so a prediction the app acknowledged survives a crash of the database. The
    // batches (batcher.ts) keep that affordable: one flush commits a whole batch.
  });
  // An idle connection that the server closes (a restart, `docker compose stop`) is reported
  // here; without a listener, Node would treat it as an unhandled error and exit. The pool drops
  // the connection and opens a new one when it next needs one.
  pool.on('error', () => {});
  return pool;
}
