/**
 * Helpers for the end-to-end tests: is there a Docker engine, run a command, run `docker compose`.
 *
 * Without an engine the e2e tests skip with a one-line reason; with CI=true a missing engine is a
 * failure, because in CI the end-to-end tests are the point.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const repoRoot: string = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where tests leave artefacts (screenshots, what a run printed); ignored by git. */
export const artifactsDir: string = path.join(repoRoot, 'test', 'artifacts');

function probeEngine(): string | false {
  const info = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8' });
  if (info.error || info.status !== 0) return 'no Docker engine answers (`docker info` failed)';
  const compose = spawnSync('docker', ['compose', 'version', '--short'], { encoding: 'utf8' });
  if (compose.error || compose.status !== 0) return 'Docker Compose v2 is missing (`docker compose version` failed)';
  return false;
}

/**
 * Makes the `skip` option of an e2e suite from a probe that returns `false` when what the suite
 * needs is there, or the reason it is not. The probe runs once, on the first call (importing a
 * test library asks nothing). With CI=true a missing service throws instead, which fails the suite:
 * in CI the end-to-end tests are the point.
 */
export function skipUnlessAvailable(
  probe: () => string | false,
  tests: string,
  howToStart: string,
): () => string | false {
  let probed: string | false | undefined;
  return () => {
    probed ??= probe();
    if (probed && process.env.CI === 'true') throw new Error(`${probed}, and CI=true: ${tests} are required in CI`);
    return probed ? `${probed}: ${howToStart}` : false;
  };
}

/**
 * `false` when a Docker engine with Compose v2 answers; otherwise the reason to skip, for
 * `describe(name, { skip: engineSkip() }, ...)`. With CI=true a missing engine fails instead.
 */
export const engineSkip: () => string | false = skipUnlessAvailable(
  probeEngine,
  'the end-to-end tests',
  'start Docker to run the end-to-end tests',
);

/** What a finished command returned. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they arrived, as a terminal would show them. */
  output: string;
}

/** Options for {@link run}. */
export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
}

/** Runs a program (no shell) and resolves with its exit code and output; never rejects on a non-zero exit. */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '',
      stderr = '',
      output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      output += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      output += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr, output });
    });
    // A command that exits (or closes its stdin) before reading it must not fail the run with EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** Runs a shell command line with bash (pipefail), as a README shows it. */
export function sh(commandLine: string, options: RunOptions = {}): Promise<RunResult> {
  return run('bash', ['-o', 'pipefail', '-c', commandLine], options);
}

/** Runs `docker compose ARGS` in a folder. */
export function compose(dir: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run('docker', ['compose', ...args], { ...options, cwd: dir });
}

/** Like {@link run}, but throws with the command's output when it exits non-zero. */
export async function mustRun(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.output}`);
  }
  return result;
}

/** A container's state in `docker inspect`. */
export interface ContainerState {
  Status: string;
  Running: boolean;
  ExitCode: number;
  StartedAt: string;
  FinishedAt: string;
  /** Absent when the image has no healthcheck: read it only where there is one. */
  Health: { Status: string };
}

/**
 * The fields of `docker inspect` that the tests read. One object for containers, images, volumes
 * and networks, as the command's output is: each test reads those of the kind it inspects.
 */
export interface Inspected {
  Id: string;
  Name: string;
  /** A container's image id. */
  Image: string;
  State: ContainerState;
  RestartCount: number;
  Config: { User: string; Cmd: string[] | null; Entrypoint: string[] | null; WorkingDir: string };
  HostConfig: {
    ReadonlyRootfs: boolean;
    Privileged: boolean;
    Init: boolean | null;
    CapAdd: string[] | null;
    CapDrop: string[] | null;
    SecurityOpt: string[];
    Tmpfs: Record<string, string> | null;
    PortBindings: Record<string, { HostIp: string; HostPort: string }[] | null>;
    Memory: number;
    NanoCpus: number;
    PidsLimit: number | null;
  };
  Mounts: { Type: string; Source: string; Destination: string; RW: boolean }[];
  NetworkSettings: {
    Ports: Record<string, { HostIp: string; HostPort: string }[] | null>;
    Networks: Record<string, { IPAddress: string }>;
  };
  /** An image's platform. */
  Os: string;
  Architecture: string;
  /** A volume's labels. */
  Labels: Record<string, string>;
  /** A network's. */
  Internal: boolean;
  IPAM: { Config: { Subnet: string; Gateway: string }[] };
  /** A container's image for its platform (the containerd image store). */
  ImageManifestDescriptor: { digest: string; platform: { os: string; architecture: string } };
}

/** `docker inspect` of one object, parsed. */
export async function inspect(name: string): Promise<Inspected> {
  const { stdout } = await mustRun('docker', ['inspect', name]);
  const [found] = JSON.parse(stdout) as Inspected[];
  if (!found) throw new Error(`docker inspect ${name} found nothing`);
  return found;
}

/** Polls until `check` returns a truthy value or `timeoutMs` passes; returns the value or throws. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T>,
  timeoutMs = 60_000,
  everyMs = 250,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: Error | undefined;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      last = err instanceof Error ? err : new Error(String(err));
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits until a container's healthcheck reports healthy; returns the milliseconds it took. */
export async function waitHealthy(container: string, timeoutMs = 60_000): Promise<number> {
  const start = Date.now();
  await waitFor(
    `${container} to become healthy`,
    async () => {
      const state = (await inspect(container)).State;
      if (state.Health?.Status === 'unhealthy') throw new Error(`${container} is unhealthy`);
      return state.Health?.Status === 'healthy';
    },
    timeoutMs,
  );
  return Date.now() - start;
}

/** Saves a test artefact under test/artifacts/ and returns its path. */
export function saveArtifact(name: string, content: string | Uint8Array): string {
  const file = path.join(artifactsDir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}
