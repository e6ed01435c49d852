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
 * Environment: DATA_PATH (/app/data/banknote.csv), and the database settings of db-config.ts.
 */
import { isDeepStrictEqual } from 'node:util';
import { readFileSync } from 'node:fs';
import { dbConfigFromEnv } from './db-config.ts';
import { runJob } from './job.ts';
import { insertModelVersion, latestModelVersion, loadModelVersion, predictionsWithFeedback } from './store.ts';
import { trainModel, type LabelledRow } from './model.ts';

const dataPath = process.env.DATA_PATH ?? '/app/data/banknote.csv';
const percent = (x: number): string => `${(x * 100).toFixed(2)} %`;

await runJob('trainer', dbConfigFromEnv(process.env, 'classifier_trainer'), async (connect) => {
  const csv = readFileSync(dataPath, 'utf8');
  const client = await connect();
  const latest = await latestModelVersion(client);
  const previous = latest === null ? null : await loadModelVersion(client, latest);

  // The first training has no model to say what "the other class" is: it uses the data alone.
  const feedback = await predictionsWithFeedback(client);
  const base = trainModel(csv, dataPath, []);
  const [label0, label1] = base.labels;
  const extra: LabelledRow[] = feedback.map((f) => ({
    features: f.features,
    label: f.correct ? f.label : f.label === label0 ? label1 : label0,
  }));
  const trained = extra.length ? trainModel(csv, dataPath, extra) : base;
  const dataRows = trained.rows - extra.length;
  console.log(
    `trained on ${dataRows} data rows + ${extra.length} feedback rows: test accuracy ${percent(trained.testAccuracy)}`,
  );

  if (previous && isDeepStrictEqual(previous.model, trained.json)) {
    console.log(`the same model as version ${previous.version}: nothing stored`);
  } else {
    const version = await insertModelVersion(client, {
      model: trained.json,
      dataRows,
      feedbackRows: extra.length,
      testAccuracy: trained.testAccuracy,
    });
    console.log(`stored model version ${version}`);
  }
});
