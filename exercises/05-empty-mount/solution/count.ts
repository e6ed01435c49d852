/**
 * Counts the rows of every CSV file in /app/data, the folder that Compose mounts from the host.
 * An empty folder is an error: the data was meant to be there.
 */
import { readFileSync, readdirSync } from 'node:fs';

const dataDir = '/app/data';
const files = readdirSync(dataDir)
  .filter((name) => name.endsWith('.csv'))
  .sort();
if (files.length === 0) {
  console.error(`error: no CSV files in ${dataDir}`);
  process.exit(1);
}
for (const name of files) {
  const rows = readFileSync(`${dataDir}/${name}`, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  console.log(`data/${name}: ${rows.length} rows`);
}
