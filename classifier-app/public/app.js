// @ts-check
/**
 * The page's script: the form and its buttons. Plain JavaScript that the browser runs as it is,
 * no build step, with its modules beside it (live.js, api.js, element.js). The types are JSDoc
 * comments, which `tsc` checks (`// @ts-check`) without changing a byte of this file.
 *
 * Everything that came from the server or a user is put on the page with `textContent` or
 * `createElement`, never `innerHTML`: a note that reads `<img onerror=...>` shows as that text.
 */
import { api } from './api.js';
import { element } from './element.js';
import { refresh, refreshForever } from './live.js';

/**
 * The server's own types (src/types.ts), so that `tsc` tells when the page and the API disagree.
 * @import { CreatedPrediction, Sample } from '../src/types.ts'
 */

/** The four attributes, in the order the model expects them (the ids of their inputs). */
const FIELDS = ['variance', 'skewness', 'curtosis', 'entropy'];
/** What the data set's classes mean. */
const MEANING = /** @type {Record<string, string>} */ ({ 0: 'genuine', 1: 'forged' });
/** A decimal number as a person types it: 3.62, -0.5, .5, 1e3. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/**
 * The longest note the server stores: its MAX_TEXT (src/server.ts), which `tsc` holds this to.
 * @type {typeof import('../src/server.ts').MAX_TEXT}
 */
const MAX_TEXT = 200;

/**
 * Why a typed value is not a usable number, or null when it is one.
 * @param {string} text
 * @returns {string | null}
 */
function numberProblem(text) {
  const value = text.trim();
  if (value === '') return 'enter a number';
  if (!DECIMAL.test(value)) return 'not a number: digits, a point, a minus sign';
  if (!Number.isFinite(Number(value))) return 'too large';
  return null;
}

/**
 * Shows (or clears) the message beside a field, and marks the field invalid for screen readers.
 * @param {string} field
 * @param {string | null} problem
 */
function showFieldProblem(field, problem) {
  element(`${field}-error`, HTMLSpanElement).textContent = problem ?? '';
  element(field, HTMLInputElement).setAttribute('aria-invalid', problem ? 'true' : 'false');
}

/**
 * Checks the form; shows a message beside each invalid field. Returns what to send, or null.
 * @returns {{ features: number[], note: string } | null}
 */
function readForm() {
  let valid = true;
  const features = FIELDS.map((field) => {
    const text = element(field, HTMLInputElement).value;
    const problem = numberProblem(text);
    showFieldProblem(field, problem);
    if (problem) valid = false;
    return Number(text.trim());
  });
  const note = element('note', HTMLInputElement).value;
  const noteProblem = note.length > MAX_TEXT ? `at most ${MAX_TEXT} characters` : null;
  showFieldProblem('note', noteProblem);
  return valid && !noteProblem ? { features, note } : null;
}

/** The prediction shown, whose feedback the buttons give. */
let shownPrediction = /** @type {string | null} */ (null);

/**
 * Shows a message under the form (an error, or nothing).
 * @param {string} text
 */
function showMessage(text) {
  element('message', HTMLParagraphElement).textContent = text;
}

async function predict() {
  const request = readForm();
  if (!request) return;
  showMessage('');
  try {
    const prediction = /** @type {CreatedPrediction} */ (await api('POST', '/api/predictions', request));
    shownPrediction = prediction.id;
    element('result-label', HTMLElement).textContent = prediction.label;
    element('result-meaning', HTMLSpanElement).textContent = MEANING[prediction.label] ?? 'unknown';
    element('result-score', HTMLSpanElement).textContent = prediction.score.toFixed(4);
    element('result-version', HTMLSpanElement).textContent = String(prediction.modelVersion);
    element('result-id', HTMLSpanElement).textContent = prediction.id;
    element('feedback-status', HTMLSpanElement).textContent = '';
    element('result', HTMLDivElement).hidden = false;
    await refresh();
  } catch (err) {
    showMessage(`Not predicted: ${/** @type {Error} */ (err).message}`);
  }
}

/** @param {boolean} correct */
async function giveFeedback(correct) {
  if (shownPrediction === null) return;
  const status = element('feedback-status', HTMLSpanElement);
  try {
    await api('POST', `/api/predictions/${shownPrediction}/feedback`, { correct });
    status.textContent = `Thanks: marked ${correct ? 'right' : 'wrong'}.`;
    await refresh();
  } catch (err) {
    status.textContent = `Not saved: ${/** @type {Error} */ (err).message}`;
  }
}

async function randomRow() {
  try {
    const sample = /** @type {Sample} */ (await api('GET', '/api/sample'));
    FIELDS.forEach((field, i) => {
      element(field, HTMLInputElement).value = String(sample.features[i]);
      showFieldProblem(field, null);
    });
    element('sample-hint', HTMLParagraphElement).textContent =
      `Row ${sample.row} of the data set; its class is ${sample.label} (${MEANING[sample.label] ?? 'unknown'}).`;
  } catch (err) {
    showMessage(`No random row: ${/** @type {Error} */ (err).message}`);
  }
}

element('predict-form', HTMLFormElement).addEventListener('submit', (event) => {
  event.preventDefault();
  void predict();
});
element('random-button', HTMLButtonElement).addEventListener('click', () => void randomRow());
// Typing over a random row's values makes its hint wrong: drop it.
element('predict-form', HTMLFormElement).addEventListener('input', () => {
  element('sample-hint', HTMLParagraphElement).textContent = '';
});
element('right-button', HTMLButtonElement).addEventListener('click', () => void giveFeedback(true));
element('wrong-button', HTMLButtonElement).addEventListener('click', () => void giveFeedback(false));

// A new model version (the trainer ran) shows up here within a refresh, without reloading the page.
void refreshForever();
