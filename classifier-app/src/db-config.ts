/**
 * How the app and its jobs reach PostgreSQL: the settings from the environment, and the password
 * from its file (a Compose secret), never from the environment.
 */
import { readFileSync } from 'node:fs';
import type pg from 'pg';

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
    const reason = code === 'ENOENT' ? 'no such file (is the secret defined?)' : (code ?? String(err));
    throw new Error(`cannot read the database password from ${file}: ${reason}`, { cause: err });
  }
  const password = text.replace(/\n+$/, '');
  if (password === '') throw new Error(`${file} is empty: it must hold the database password`);
  return password;
}

/**
 * pg's connection options for `config`, and only those: the password read from its file (which
 * pg knows nothing of), for a `pg.Client` or a `pg.Pool`.
 */
export function pgOptions(config: DbConfig): pg.ClientConfig {
  return {
    host: config.host,
    port: config.port,
    user: config.user,
    database: config.database,
    password: readPassword(config.passwordFile),
  };
}
