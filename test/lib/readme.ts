/**
 * The docs check: every fenced block in a README is tied to something real.
 *
 * A fenced block is preceded by an HTML comment (invisible on GitHub) that says what it is:
 *
 * | marker                          | the block must                                                     |
 * |---------------------------------|--------------------------------------------------------------------|
 * | `<!-- file: PATH -->`           | equal the file PATH (relative to the README)                       |
 * | `<!-- file: PATH#NAME -->`      | equal the lines between `#region NAME` and `#endregion` in PATH    |
 * | `<!-- run: ID -->`              | be `$ command` lines, each followed by its expected output; an e2e |
 * |                                 | test runs the commands and compares ({@link runReadmeBlock})       |
 * | `<!-- output: ID -->`           | be the expected output that an e2e test checks ({@link assertReadmeOutput}) |
 * | `<!-- tree: -->`                | be a project tree whose every entry exists                        |
 * | `<!-- manual: REASON -->`       | nothing: shown, not run here, for the REASON given (e.g. needs a cluster) |
 *
 * In expected output, `...` alone on a line matches any number of lines, and `...` inside a line
 * matches any text on that line: that is how volatile parts (ids, timings, tokens) are written.
 * Output is compared as a terminal would show it (renderTerminal, in readme-blocks.ts: carriage
 * returns, erase-line sequences, colour codes); nothing else is normalised but trailing white space.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, saveArtifact, sh, type RunOptions, type RunResult } from './docker.ts';
import { repoFiles } from './files.ts';
import {
  fileRegion,
  outputMismatch,
  parseBlocks,
  parseRunBlock,
  treeEntries,
  withoutRegionMarkers,
  type Block,
} from './readme-blocks.ts';

/** Lists the problems of one README's blocks that can be checked without running anything. */
export function checkReadme(readmePath: string, markdown = readFileSync(readmePath, 'utf8')): string[] {
  const dir = path.dirname(readmePath);
  const rel = path.relative(repoRoot, readmePath);
  const problems: string[] = [];
  for (const b of parseBlocks(markdown, readmePath)) {
    const where = `${rel}:${b.line}`;
    switch (b.kind) {
      case 'file': {
        const [filePart, region] = b.arg.split('#') as [string, string | undefined];
        const target = path.resolve(dir, filePart);
        if (!existsSync(target) || !statSync(target).isFile()) {
          problems.push(`${where}: file ${b.arg} does not exist`);
          break;
        }
        const text = readFileSync(target, 'utf8').replace(/\r\n/g, '\n');
        const want = region === undefined ? withoutRegionMarkers(text) : fileRegion(text, region);
        if (want === null) {
          problems.push(`${where}: ${filePart} has no region "${region}"`);
          break;
        }
        if (want.trimEnd() !== b.content.trimEnd()) problems.push(`${where}: the block differs from ${b.arg}`);
        break;
      }
      case 'tree': {
        for (const entry of treeEntries(b.content)) {
          if (!existsSync(path.resolve(dir, entry)))
            problems.push(`${where}: the tree lists ${entry}, which does not exist`);
        }
        break;
      }
      case 'run': {
        if (!/^[\w.-]+$/.test(b.arg))
          problems.push(`${where}: run blocks need an id of letters, digits, '.', '_' or '-'`);
        else if (!parseRunBlock(b.content).length)
          problems.push(`${where}: run block ${b.arg} has no "$ command" line`);
        break;
      }
      case 'output':
        if (!/^[\w.-]+$/.test(b.arg))
          problems.push(`${where}: output blocks need an id of letters, digits, '.', '_' or '-'`);
        break;
      case 'manual':
        if (!b.arg) problems.push(`${where}: a manual block must say why it is not run`);
        break;
      default:
        problems.push(
          `${where}: a \`\`\`${b.lang} block without a marker; precede it with <!-- file: -->, <!-- run: -->, <!-- output: -->, <!-- tree: --> or <!-- manual: REASON -->`,
        );
    }
  }
  return problems;
}

/** All README.md files of the repository (not in node_modules), absolute. */
export function allReadmes(): string[] {
  return repoFiles()
    .filter((f) => path.basename(f) === 'README.md')
    .map((f) => path.join(repoRoot, f));
}

function findBlock(readme: string, kind: string, id: string): Block {
  const file = path.resolve(repoRoot, readme);
  const block = parseBlocks(readFileSync(file, 'utf8'), file).find((b) => b.kind === kind && b.arg === id);
  assert.ok(block, `${readme} has no <!-- ${kind}: ${id} --> block`);
  return block;
}

/** Options for {@link runReadmeBlock}. */
export interface ReadmeRunOptions extends RunOptions {
  /** Exit codes the commands must return, in order; 0 for each by default. */
  exitCodes?: number[];
}

/**
 * Runs the commands of a README's `<!-- run: ID -->` block with bash, in the README's folder unless
 * `cwd` says otherwise, with stderr merged into stdout, and asserts each one's exit code and
 * output. Returns the results, and keeps what was printed under test/artifacts/outputs/ for the
 * record.
 */
export async function runReadmeBlock(readme: string, id: string, options: ReadmeRunOptions = {}): Promise<RunResult[]> {
  const block = findBlock(readme, 'run', id);
  const results: RunResult[] = [];
  const steps = parseRunBlock(block.content);
  for (const [i, step] of steps.entries()) {
    // One stream for both, as a terminal shows them: `exec 2>&1` keeps the order the program wrote in.
    const result = await sh(`exec 2>&1\n${step.command}`, { cwd: path.dirname(block.file), ...options });
    saveArtifact(`outputs/${id}.${i + 1}.txt`, `$ ${step.command}\n${result.output}`);
    const wantCode = options.exitCodes?.[i] ?? 0;
    assert.equal(
      result.code,
      wantCode,
      `${readme} run: ${id}: \`${step.command}\` exited ${result.code}, expected ${wantCode}:\n${result.output}`,
    );
    const mismatch = outputMismatch(step.expected, result.output);
    assert.equal(
      mismatch,
      null,
      `${readme} run: ${id}: \`${step.command}\` printed other than the README says:\n${mismatch}`,
    );
    results.push(result);
  }
  return results;
}

/** Asserts that `actual` matches a README's `<!-- output: ID -->` block. */
export function assertReadmeOutput(readme: string, id: string, actual: string): void {
  const block = findBlock(readme, 'output', id);
  saveArtifact(`outputs/${id}.txt`, actual);
  const mismatch = outputMismatch(block.content, actual);
  assert.equal(mismatch, null, `${readme} output: ${id} differs from what the run printed:\n${mismatch}`);
}
