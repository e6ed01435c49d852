/**
 * Fetches the model into models/model.json, as a build step. A stand-in for a download from a
 * private model registry: the registry wants an API key, in the environment variable
 * MODEL_API_KEY, and refuses a key that does not look like one of its own (nuk_...).
 */
import { mkdirSync, writeFileSync } from 'node:fs';

const key = process.env.MODEL_API_KEY?.trim();
if (!key) {
  console.error('error: MODEL_API_KEY is not set: the model registry needs an API key');
  process.exit(1);
}
if (!key.startsWith('nuk_')) {
  console.error('error: the model registry refuses the key: its keys start with nuk_');
  process.exit(1);
}
const model = { name: 'nifty-useless-v3', weights: [0.5, 0.5] };
mkdirSync('models', { recursive: true });
writeFileSync('models/model.json', JSON.stringify(model));
console.log(`fetched ${model.name} from the model registry, with the key ending in ...${key.slice(-4)}`);
