/**
 * The repository's files, for the tests that look at all of them (READMEs, Dockerfiles, tests).
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { repoRoot } from './docker.ts';

/** Folders that hold no sources of the project: installed packages, git's data, test output. */
const skipped = new Set(['node_modules', '.git', 'artifacts']);

/**
 * Every file below `dir` (the repository by default), as paths relative to the repository root,
 * sorted; nothing inside node_modules, .git or test/artifacts.
 */
export function repoFiles(dir: string = repoRoot): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(repoRoot, path.join(entry.parentPath, entry.name)))
    .filter((file) => !file.split(path.sep).some((part) => skipped.has(part)))
    .sort();
}

/** The parts of a compose service that the tests read, as written or as `docker compose config` prints them. */
export interface ComposeService {
  build?: string | { context: string; dockerfile?: string; additional_contexts?: Record<string, string> };
  ports?: (string | { host_ip?: string; mode?: string })[];
  read_only?: boolean;
  cap_drop?: string[];
  volumes?: { type: string; source?: string; target: string }[];
}

/** The parts of a compose file that the tests read. */
export interface ComposeFile {
  version?: unknown;
  include?: string[];
  services?: Record<string, ComposeService>;
}

/** Parses the compose file at `file`, relative to the repository root. */
export function readCompose(file: string): ComposeFile {
  return parse(readFileSync(path.join(repoRoot, file), 'utf8')) as ComposeFile;
}

/** The names of the services of every compose file that the root compose.yaml includes. */
export function includedServices(): string[] {
  return (readCompose('compose.yaml').include ?? []).flatMap((file) => Object.keys(readCompose(file).services ?? {}));
}

/** Whether a file is a Dockerfile by its name: `Dockerfile`, `Dockerfile.NAME` or `NAME.Dockerfile`. */
export function isDockerfile(file: string): boolean {
  return /^Dockerfile(\..+)?$|\.Dockerfile$/.test(path.basename(file));
}
