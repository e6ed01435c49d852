/** What the one-off jobs (migrate.ts, train.ts) share: their connection, and how they fail. */
import pg from 'pg';
import { pgOptions, type DbConfig } from './db-config.ts';
import { unavailableReason } from './unavailable.ts';

/**
 * Runs a job. `job` gets `connect`, which opens the job's connection (once it has read what it
 * needs, so that a missing file is reported before an unreachable database); the connection is
 * closed at the end, whatever happens. On failure, one line on stderr, `<name> failed: <reason>`,
 * and exit code 1.
 */
export async function runJob(
  name: string,
  config: DbConfig,
  job: (connect: () => Promise<pg.Client>) => Promise<void>,
): Promise<void> {
  let client: pg.Client | undefined;
  const connect = async (): Promise<pg.Client> => {
    client = new pg.Client({ ...pgOptions(config), connectionTimeoutMillis: 5000 });
    await client.connect();
    return client;
  };
  try {
    await job(connect);
  } catch (err) {
    console.error(`${name} failed: ${unavailableReason(err) ?? (err as Error).message}`);
    process.exitCode = 1;
  } finally {
    await client?.end().catch(() => {});
  }
}
