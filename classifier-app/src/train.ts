/**
 * The trainer job: trains a new model on the data set plus every prediction that got feedback
 * (a prediction marked right keeps its class, one marked wrong gets the other), and stores it as
 * a new model version. The running app loads it within a second or so. The training is seeded, so
 * the same rows give the same model: when nothing changed since the newest version, nothing is
 * stored. Exits 0 on success, 1 with a one-line reason otherwise.
 *
 * It connects as the role classifier_trainer, which can read the predictions and the feedback and
 * store models, nothing else.
 *
 * Environment: DATA_PATH (/app/data/banknote.csv), and the database settings of db.ts.
 */
import { isDeepStrictEqual } from 'node:util';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { dbConfigFromEnv, feedbackRows, insertModelVersion, latestModelVersion, loadModelVersion, readPassword, unavailableReason } from './db.ts';
import { trainModel, type LabelledRow } from './model.ts';

const dataPath = process.env.DATA_PATH ?? '/app/data/banknote.csv';
const percent = (x: number): string => `${(x * 100).toFixed(2)} %`;

const config = dbConfigFromEnv(process.env, 'classifier_trainer');
let client: pg.Client | undefined;
try {
  const csv = readFileSync(dataPath, 'utf8');
  client = new pg.Client({ ...config, password: readPassword(config.passwordFile), connectionTimeoutMillis: 5000 });
  await client.connect();
  const latest = await latestModelVersion(client);
  const previous = latest === null ? null : await loadModelVersion(client, latest);

  // The first training has no model to say what "the other class" is: it uses the data alone.
  const feedback = await feedbackRows(client);
  const base = trainModel(csv, dataPath, []);
  const [label0, label1] = base.labels;
  const extra: LabelledRow[] = feedback.map((f) => ({
    features: f.features,
    label: f.correct ? f.label : (f.label === label0 ? label1 : label0),
  }));
  const trained = extra.length ? trainModel(csv, dataPath, extra) : base;
  const dataRows = trained.rows - extra.length;
  console.log(`trained on ${dataRows} data rows + ${extra.length} feedback rows: test accuracy ${percent(trained.testAccuracy)}`);

  if (previous && isDeepStrictEqual(previous.model, trained.json)) {
    console.log(`the same model as version ${previous.version}: nothing stored`);
  } else {
    const version = await insertModelVersion(client, { model: trained.json, dataRows, feedbackRows: extra.length, testAccuracy: trained.testAccuracy });
    console.log(`stored model version ${version}`);
  }
} catch (err) {
  console.error(`trainer failed: ${unavailableReason(err) ?? (err as Error).message}`);
  process.exitCode = 1;
} finally {
  await client?.end().catch(() => {});
}
