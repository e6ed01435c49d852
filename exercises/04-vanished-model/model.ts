/**
 * The nifty useless model learns AND: `train` fits a perceptron to the four cases and saves it,
 * `predict` loads the saved model and prints what it says. Each training run gets its own id,
 * so that a prediction shows which run made its model.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const modelFile = '/app/models/model.json';
const cases = [
  [0, 0, 0],
  [0, 1, 0],
  [1, 0, 0],
  [1, 1, 1],
] as const;

interface Model {
  id: string;
  weights: number[];
}

/** 1 when the weighted sum of the inputs and the bias is positive, else 0. */
function predict(model: Model, a: number, b: number): number {
  const [bias, wa, wb] = model.weights as [number, number, number];
  return bias + wa * a + wb * b > 0 ? 1 : 0;
}

const command = process.argv[2];
if (command === 'train') {
  const model: Model = { id: randomUUID().slice(0, 8), weights: [0, 0, 0] };
  // The perceptron rule: nudge the weights towards each case it gets wrong, until none is wrong.
  for (let epoch = 0; cases.some(([a, b, want]) => predict(model, a, b) !== want); epoch++) {
    for (const [a, b, want] of cases) {
      const error = want - predict(model, a, b);
      model.weights = [model.weights[0]! + error, model.weights[1]! + error * a, model.weights[2]! + error * b];
    }
  }
  writeFileSync(modelFile, JSON.stringify(model));
  console.log(`trained model ${model.id}, saved to ${modelFile}`);
} else if (command === 'predict') {
  let model: Model;
  try {
    model = JSON.parse(readFileSync(modelFile, 'utf8')) as Model;
  } catch {
    console.error(`error: no model in ${modelFile}: run train first`);
    process.exit(1);
  }
  console.log(`model ${model.id} says: 1 AND 1 = ${predict(model, 1, 1)}, 1 AND 0 = ${predict(model, 1, 0)}`);
} else {
  console.error('usage: model.ts train|predict');
  process.exit(2);
}
