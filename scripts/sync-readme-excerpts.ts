/**
 * `node scripts/sync-readme-excerpts.ts`: rewrites every README block marked `<!-- file: PATH -->`
 * or `<!-- file: PATH#REGION -->` from the file it quotes, as the docs check reads the markers
 * (test/lib/readme.ts). For after a change that touches many quoted files at once, such as the
 * formatter's; prints each README it changed. Other blocks are left alone.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../test/lib/docker.ts';
import { fileRegion, parseBlocks, withoutRegionMarkers } from '../test/lib/readme-blocks.ts';
import { allReadmes } from '../test/lib/readme.ts';

for (const readme of allReadmes()) {
  const markdown = readFileSync(readme, 'utf8');
  const lines = markdown.split('\n');
  // From the last block up, so that the line numbers of the blocks above stay right.
  for (const block of parseBlocks(markdown, readme).reverse()) {
    if (block.kind !== 'file') continue;
    const [file, region] = block.arg.split('#') as [string, string | undefined];
    const text = readFileSync(path.resolve(path.dirname(readme), file), 'utf8').replace(/\r\n/g, '\n');
    const quoted = region === undefined ? withoutRegionMarkers(text) : fileRegion(text, region);
    if (quoted === null)
      throw new Error(`${path.relative(repoRoot, readme)}:${block.line}: ${file} has no region "${region}"`);
    const oldLength = block.content === '' ? 0 : block.content.split('\n').length - 1;
    const newLines = quoted.trimEnd() === '' ? [] : quoted.trimEnd().split('\n');
    lines.splice(block.line, oldLength, ...newLines);
  }
  const synced = lines.join('\n');
  if (synced !== markdown) {
    writeFileSync(readme, synced);
    console.log(`synced ${path.relative(repoRoot, readme)}`);
  }
}
