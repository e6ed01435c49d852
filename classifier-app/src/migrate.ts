/**
 * The migration job: applies the SQL files in migrations/ that the database has not seen yet, in
 * order, in one transaction, with node-pg-migrate; then gives the app's and the trainer's roles
 * their passwords (from their secrets) and their privileges (migrations/privileges.sql); then
 * exits (0 on success). The database's table `pgmigrations` records what was applied, so a second
 * run changes nothing. It connects as the database's owner, the only role that may change the
 * schema; its environment also names the other roles' password files.
 *
 * Environment: the database settings of db-config.ts, APP_PASSWORD_FILE (/run/secrets/app_password),
 * TRAINER_PASSWORD_FILE (/run/secrets/trainer_password).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import { dbConfigFromEnv, readPassword } from './db-config.ts';
import { runJob } from './job.ts';

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'migrations');
// The roles that privileges.sql makes, and the secret file of each one's password.
const roles: [string, string][] = [
  ['classifier_app', process.env.APP_PASSWORD_FILE ?? '/run/secrets/app_password'],
  ['classifier_trainer', process.env.TRAINER_PASSWORD_FILE ?? '/run/secrets/trainer_password'],
];

await runJob('migrations', dbConfigFromEnv(), async (connect) => {
  const passwords = roles.map(([role, file]) => [role, readPassword(file)] as const);
  const client = await connect();
  const applied = await runner({
    dbClient: client,
    dir: migrationsDir,
    // Only the numbered files are migrations (not privileges.sql, not README.md).
    ignorePattern: '(?!\\d{3}_).*',
    direction: 'up',
    migrationsTable: 'pgmigrations',
    // Another migration job running at the same moment waits for this one instead of failing.
    advisoryLockMode: 'wait',
    // The library prints every statement; one line per migration says enough here.
    log: () => {},
  });
  if (applied.length === 0) console.log('migrations: the schema is up to date');
  for (const m of applied) console.log(`migrations: applied ${m.name}`);

  await client.query(readFileSync(path.join(migrationsDir, 'privileges.sql'), 'utf8'));
  // ALTER ROLE takes no query parameters: the password goes in as a quoted literal (Postgres
  // stores only its SCRAM hash). Should the statement fail, Postgres would log its text, the
  // password with it: this session's failed statements are not logged.
  await client.query("SET log_min_error_statement = 'panic'");
  for (const [role, password] of passwords)
    await client.query(`ALTER ROLE ${role} PASSWORD ${client.escapeLiteral(password)}`);
  console.log(`privileges: ${roles.map(([role]) => role).join(' and ')} can do their own work, nothing more`);
});
