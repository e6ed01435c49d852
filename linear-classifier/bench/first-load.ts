/**
 * One load of skin.csv (read and parse) in a fresh process, as the CLI does it: before V8 has seen
 * the parser run. Prints the milliseconds. bench.ts starts this a few times.
 */
import { readFileSync } from 'node:fs';
import { parseCsv } from '../src/csv.ts';

const file = new URL('../data/skin.csv', import.meta.url);
const start = performance.now();
parseCsv(readFileSync(file), 'data/skin.csv');
console.log(performance.now() - start);
