/**
 * The migration job: applies the SQL files in migrations/ that the database has not seen yet, in
 * order, in one transaction, with node-pg-migrate, then exits (0 on success). The database's
 * table `pgmigrations` records what was applied, so a second run changes nothing.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { dbConfigFromEnv, readPassword, unavailableReason } from './db.ts';

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

const config = dbConfigFromEnv();
let client: pg.Client | undefined;
try {
  client = new pg.Client({ ...config, password: readPassword(config.passwordFile), connectionTimeoutMillis: 5000 });
  await client.connect();
  const applied = await runner({
    dbClient: client,
    dir: migrationsDir,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    // Another migration job running at the same moment waits for this one instead of failing.
    advisoryLockMode: 'wait',
    // The library prints every statement; one line per migration says enough here.
    log: () => {},
  });
  if (applied.length === 0) console.log('migrations: the schema is up to date');
  for (const m of applied) console.log(`migrations: applied ${m.name}`);
} catch (err) {
  console.error(`migrations failed: ${unavailableReason(err) ?? (err as Error).message}`);
  process.exitCode = 1;
} finally {
  await client?.end().catch(() => {});
}
