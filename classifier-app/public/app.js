// @ts-check
/**
 * The page's script: plain JavaScript that the browser runs as it is, no build step. The types are
 * JSDoc comments, which `tsc` checks (`// @ts-check`) without changing a byte of this file.
 *
 * Everything that came from the server or a user is put on the page with `textContent` or
 * `createElement`, never `innerHTML`: a note that reads `<img onerror=...>` shows as that text.
 */

/**
 * The server's own types (src/types.ts), so that `tsc` tells when the page and the API disagree.
 * @import { CreatedPrediction, ErrorBody, PredictionRecord, Sample, StatsReport } from '../src/types.ts'
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
/** How long after one refresh ends the next one starts. */
const REFRESH_MS = 2000;

/**
 * The element with this id, checked to be of the expected kind.
 * @template {HTMLElement} T
 * @param {string} id
 * @param {{ new (): T }} kind
 * @returns {T}
 */
function element(id, kind) {
  const found = document.getElementById(id);
  if (!(found instanceof kind)) throw new Error(`#${id} is missing or not a ${kind.name}`);
  return found;
}

/**
 * Calls the JSON API; throws an Error with the server's one-line reason on a non-2xx answer.
 * Returns the answer's JSON, for the caller to give the type the API documents for it.
 * @param {string} method
 * @param {string} url
 * @param {unknown} [body]
 * @returns {Promise<unknown>}
 */
async function api(method, url, body) {
  /** @type {RequestInit} */
  const init = { method };
  if (body !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const data = /** @type {unknown} */ (await response.json().catch(() => null));
  if (!response.ok) {
    const reason = /** @type {Partial<ErrorBody> | null} */ (data)?.message;
    throw new Error(reason ?? `${response.status} ${response.statusText}`);
  }
  return data;
}

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

/** @param {number} x */
const percent = (x) => `${(x * 100).toFixed(2)} %`;

/**
 * Fills the statistics panel.
 * @param {StatsReport} stats
 */
function showStats(stats) {
  const text = (/** @type {string} */ id, /** @type {string} */ value) => {
    element(id, HTMLElement).textContent = value;
  };
  text('stat-version', stats.model ? String(stats.model.version) : 'none yet');
  text(
    'stat-trained',
    stats.model
      ? `${stats.model.dataRows} data rows + ${stats.model.feedbackRows} feedback rows, test accuracy ${percent(stats.model.testAccuracy)}`
      : '–',
  );
  text('stat-predictions', String(stats.predictions));
  text('stat-feedback', String(stats.feedback));
  text(
    'stat-accuracy',
    stats.accuracy === null
      ? 'no feedback yet'
      : `${percent(stats.accuracy)} (${stats.correct} of ${stats.feedback} right)`,
  );
}

// #region rows
/**
 * One table row, built cell by cell with textContent.
 * @param {PredictionRecord} p
 * @returns {HTMLTableRowElement}
 */
function predictionRow(p) {
  const row = document.createElement('tr');
  const feedback = p.correct === null ? '' : `${p.correct ? 'right' : 'wrong'}${p.comment ? `: ${p.comment}` : ''}`;
  const cells = [
    String(p.id),
    new Date(p.createdAt).toLocaleTimeString(),
    p.features.join(', '),
    p.label,
    p.score.toFixed(4),
    String(p.modelVersion),
    p.note,
    feedback,
  ];
  for (const value of cells) {
    const cell = document.createElement('td');
    cell.textContent = value;
    row.append(cell);
  }
  return row;
}
// #endregion

/** Reloads the statistics and the recent predictions. */
async function refresh() {
  try {
    const [stats, recent] = await Promise.all([
      /** @type {Promise<StatsReport>} */ (api('GET', '/api/stats')),
      /** @type {Promise<PredictionRecord[]>} */ (api('GET', '/api/predictions?limit=10')),
    ]);
    showStats(stats);
    element('recent-rows', HTMLTableSectionElement).replaceChildren(...recent.map(predictionRow));
    element('stats-message', HTMLParagraphElement).textContent = '';
  } catch (err) {
    element('stats-message', HTMLParagraphElement).textContent =
      `Not up to date: ${/** @type {Error} */ (err).message}`;
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

/**
 * Refreshes for as long as the page is open, each refresh REFRESH_MS after the previous one
 * ended: however slow the database, the page never has two refreshes on their way at once.
 */
async function refreshForever() {
  for (;;) {
    await refresh();
    await new Promise((resolve) => setTimeout(resolve, REFRESH_MS));
  }
}
// A new model version (the trainer ran) shows up here within a refresh, without reloading the page.
void refreshForever();
