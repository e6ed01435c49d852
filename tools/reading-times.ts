/**
 * Reading times of the stops on the root README's route: words / 200 per minute for prose, words /
 * 100 for code (fenced blocks). Run `node tools/reading-times.ts` to print them; the docs check
 * (test/docs.test.ts) holds the route table to these figures.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The README of exercise N (exercises/NN-name/README.md), or a path that does not exist yet. */
function exercisePage(n: number): string {
  const prefix = `${String(n).padStart(2, '0')}-`;
  const folder = readdirSync(path.join(repoRoot, 'exercises')).find((name) => name.startsWith(prefix));
  return `exercises/${folder ?? `${prefix}*`}/README.md`;
}

/** The stops of the route, each with the pages a learner reads there, relative to the repository. */
export const routeStops: { stop: string; pages: string[] }[] = [
  { stop: 'nifty-useless-model', pages: ['nifty-useless-model/README.md'] },
  {
    stop: 'linear-classifier',
    pages: ['linear-classifier/README.md', 'linear-classifier/src/README.md', 'linear-classifier/data/README.md'],
  },
  { stop: 'exercises 1–8', pages: ['exercises/README.md', ...[1, 2, 3, 4, 5, 6, 7, 8].map(exercisePage)] },
  {
    stop: 'classifier-app',
    pages: [
      'classifier-app/README.md',
      'classifier-app/src/README.md',
      'classifier-app/migrations/README.md',
      'classifier-app/public/README.md',
    ],
  },
  { stop: 'exercises 9–10', pages: [9, 10].map(exercisePage) },
  {
    stop: 'classifier-api',
    pages: ['classifier-api/README.md', 'classifier-api/src/README.md', 'classifier-api/nginx/README.md'],
  },
  { stop: 'Jupyter', pages: ['linear-classifier-jupyter/README.md', 'linear-classifier-jupyter/jupyter/README.md'] },
  { stop: 'Swarm', pages: ['classifier-api/swarm/README.md'] },
  { stop: 'Kubernetes', pages: ['classifier-api/k8s/README.md'] },
  { stop: 'Platforms: amd64 and arm64', pages: ['linear-classifier/platforms/README.md', exercisePage(11)] },
  { stop: 'Reproducible, bit for bit', pages: ['linear-classifier/reproducible/README.md'] },
];

/** Words of prose and of code (fenced blocks) in a Markdown text; HTML comments count as neither. */
export function words(markdown: string): { prose: number; code: number } {
  let prose = 0;
  let code = 0;
  let inCode = false;
  const count = (line: string): number => line.split(/\s+/).filter(Boolean).length;
  for (const line of markdown.replace(/<!--[\s\S]*?-->/g, '').split('\n')) {
    if (/^\s*(`{3,}|~{3,})/.test(line)) {
      inCode = !inCode;
      continue;
    }
    if (inCode) code += count(line);
    else prose += count(line);
  }
  return { prose, code };
}

/** Reading minutes of some pages (those that exist), and whether any of them is missing. */
export function readingMinutes(pages: string[]): { minutes: number; prose: number; code: number; missing: string[] } {
  let prose = 0;
  let code = 0;
  const missing: string[] = [];
  for (const page of pages) {
    const file = path.join(repoRoot, page);
    if (!existsSync(file)) {
      missing.push(page);
      continue;
    }
    const w = words(readFileSync(file, 'utf8'));
    prose += w.prose;
    code += w.code;
  }
  return { minutes: Math.round(prose / 200 + code / 100), prose, code, missing };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let total = 0;
  for (const { stop, pages } of routeStops) {
    const r = readingMinutes(pages);
    total += r.minutes;
    const note = r.missing.length ? `  (missing: ${r.missing.join(', ')})` : '';
    console.log(
      `${stop.padEnd(28)} ${String(r.prose).padStart(6)} words of prose ${String(r.code).padStart(6)} of code  ${String(r.minutes).padStart(4)} min${note}`,
    );
  }
  console.log(`${'total'.padEnd(28)} ${' '.repeat(44)}${String(total).padStart(4)} min`);
}
