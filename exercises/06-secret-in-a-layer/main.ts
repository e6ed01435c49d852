/** Loads the model that the build fetched, and predicts with it. */
import { readFileSync } from 'node:fs';

interface Model {
  name: string;
  weights: [number, number];
}

const model = JSON.parse(readFileSync('models/model.json', 'utf8')) as Model;
const [a, b] = model.weights;
console.log(`model ${model.name} loaded: it predicts that 1 + 1 = ${(a + b) * 2}`);
