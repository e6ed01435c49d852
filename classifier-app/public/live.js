// @ts-check
/**
 * The live half of the page: the statistics and the recent predictions, refreshed for as long as
 * the page is open, so that a new model version (the trainer ran) shows up without a reload.
 */

/** @import { PredictionRecord, StatsReport } from '../src/types.ts' */
import { api } from './api.js';
import { element } from './element.js';

/** How long after one refresh ends the next one starts. */
const REFRESH_MS = 2000;

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
export async function refresh() {
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

/**
 * Refreshes for as long as the page is open, each refresh REFRESH_MS after the previous one
 * ended: however slow the database, the page never has two refreshes on their way at once.
 */
export async function refreshForever() {
  for (;;) {
    await refresh();
    await new Promise((resolve) => setTimeout(resolve, REFRESH_MS));
  }
}
