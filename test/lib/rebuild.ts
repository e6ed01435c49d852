/** The layer-cache experiment of the READMEs: build, edit one file, build again, and read the log. */
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mustRun } from './docker.ts';

/**
 * Whether a plain BuildKit log (`--progress=plain`) shows the step whose instruction matches
 * `instruction` (e.g. /COPY src\//) as reused from the cache. Throws when there is no such step.
 */
export function stepCached(log: string, instruction: RegExp): boolean {
  // BuildKit prints each step as "#N [stage i/n] INSTRUCTION" and a reused one as "#N CACHED".
  const step = new RegExp(`^#(\\d+) \\[[^\\]]*\\] ${instruction.source}`, 'm').exec(log)?.[1];
  if (!step) throw new Error(`no step ${instruction} in the build log:\n${log}`);
  return new RegExp(`^#${step} CACHED$`, 'm').test(log);
}

/** What {@link rebuildAfterEdit} saw. */
export interface Rebuild {
  /** The second build's plain BuildKit log. */
  log: string;
  /** Whether the step whose instruction matches `instruction` (e.g. /COPY src\//) was reused. */
  cached(instruction: RegExp): boolean;
}

/**
 * Builds a copy of a demo folder as `tag`, appends a unique comment to one of its files and
 * builds again: the layer-cache experiment of the READMEs, without touching the working tree.
 * The copy is removed afterwards; the image `tag` is the caller's to remove.
 */
export async function rebuildAfterEdit(demoDir: string, file: string, tag: string): Promise<Rebuild> {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'rebuild-'));
  try {
    cpSync(demoDir, copy, { recursive: true, filter: (src) => !src.split(path.sep).includes('node_modules') });
    const build = () => mustRun('docker', ['build', '--progress=plain', '-t', tag, copy]);
    await build();
    // Unique: BuildKit keys its cache on content, so an edit an earlier run made would hit it.
    appendFileSync(path.join(copy, file), `\n// an edit at ${Date.now()} by ${process.pid}\n`);
    const { output: log } = await build();
    return {
      log,
      cached: (instruction: RegExp): boolean => stepCached(log, instruction),
    };
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}
