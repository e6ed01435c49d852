/** Loads the model that the build fetched, and predicts with it. */
import { readFileSync } from 'node:fs';

const model = JSON.parse(readFileSync('models/model.json', 'utf8'));
const [a, b] = model.weights;
console.log(`model ${model.name} loaded: it predicts that 1 + 1 = ${(a + b) * 2}`);
