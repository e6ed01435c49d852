/**
 * What the bench's runs share: a free port, a service process started and stopped, and one load
 * with autocannon, with its figures and how they are printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

/** The demo folder, where the services start. */
export const demoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Each load's length (BENCH_SECONDS, default 10) and clients. */
export const seconds = Number(process.env.BENCH_SECONDS ?? 10);
export const connections = 16;

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
      .listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      })
      .on('error', reject);
  });
}

/** Polls GET url until it answers 200, for at most 20 s. */
export async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not become ready in 20 s`);
}

/** The figures of one load run. */
export interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Runs one load: `connections` clients posting `body` to url for `seconds`, after a 2 s warm-up. */
export async function load(url: string, body: string): Promise<Figures> {
  // The first seconds run unoptimised code (V8 compiles the hot paths as they get hot): not counted.
  await autocannon({
    url,
    method: 'POST',
    body,
    connections,
    duration: 2,
    headers: { 'content-type': 'application/json' },
  });
  const result = await autocannon({
    url,
    method: 'POST',
    body,
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
export const line = (what: string, f: Figures, unit = 'requests/s', factor = 1): void =>
  console.log(
    `${what.padEnd(40)} ${fmt(f.rps * factor).padStart(10)} ${unit.padEnd(10)}  p50 ${f.p50} ms  p99 ${f.p99} ms  errors ${f.errors}`,
  );

/** Starts a service process and waits until its /healthz answers. */
export async function start(
  command: string,
  args: string[],
  env: Record<string, string>,
  port: number,
): Promise<ChildProcess> {
  const child = spawn(command, args, {
    cwd: demoDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitReady(`http://127.0.0.1:${port}/healthz`);
  return child;
}

/** Stops a service process and waits for it to exit. */
export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
