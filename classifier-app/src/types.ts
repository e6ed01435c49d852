/**
 * The shapes of what the app stores and serves: what the database side hands the HTTP side, and
 * what the JSON API answers. The page's script (public/app.js) imports them too, through JSDoc,
 * so that `tsc` tells when the page and the server disagree.
 */

/** A prediction to store. */
export interface NewPrediction {
  features: number[];
  label: string;
  score: number;
  modelVersion: number;
  note: string;
}

/** What storing a prediction gives back: its public id and when it was stored. */
export interface StoredPrediction {
  id: string;
  createdAt: string;
}

/** A stored prediction, as the API shows it. */
export interface PredictionRecord {
  /** The prediction's public id: a random UUID, which nobody can guess or be handed again. */
  id: string;
  createdAt: string;
  features: number[];
  label: string;
  score: number;
  modelVersion: number;
  note: string;
  /** true or false once someone said whether the prediction was right, else null. */
  correct: boolean | null;
  comment: string | null;
}

/** What POST /api/predictions answers: the prediction as stored, before any feedback. */
export type CreatedPrediction = Omit<PredictionRecord, 'correct' | 'comment'>;

/** What POST /api/predict answers: the class, its score, and the model version that gave them. */
export interface Classification {
  label: string;
  score: number;
  modelVersion: number;
}

/** A stored model version, with what it was trained on. */
export interface ModelVersion {
  version: number;
  createdAt: string;
  model: unknown;
  dataRows: number;
  feedbackRows: number;
  testAccuracy: number;
}

/** The figures the page shows. */
export interface Stats {
  predictions: number;
  feedback: number;
  correct: number;
  /** correct / feedback, or null before the first feedback. */
  accuracy: number | null;
}

/** The model in use, as GET /api/stats reports it. */
export interface ModelSummary {
  version: number;
  /** The sha256 of the model as a file (see model.ts): which model, whatever the version number. */
  sha256: string;
  createdAt: string;
  dataRows: number;
  feedbackRows: number;
  testAccuracy: number;
  labels: [string, string];
}

/** What GET /api/stats answers: the figures, and the model in use (null before there is one). */
export interface StatsReport extends Stats {
  model: ModelSummary | null;
}

/** What GET /api/sample answers: a row of the data set (counted from 1), with its true class. */
export interface Sample {
  row: number;
  features: number[];
  label: string;
}

/** The JSON body of every error response: the status, its name and a one-line reason. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

/** What the HTTP layer needs from the database: pgStore (store.ts), or a fake in the unit tests. */
export interface Store {
  /** Resolves once the prediction is committed (on disk): then, and only then, the app answers 201. */
  insertPrediction(p: NewPrediction): Promise<StoredPrediction>;
  /** Stores (or replaces) the feedback on a prediction; false when there is no such prediction. */
  saveFeedback(predictionId: string, correct: boolean, comment: string): Promise<boolean>;
  /** The newest predictions, newest first, with their feedback. */
  recentPredictions(limit: number): Promise<PredictionRecord[]>;
  /** The counts and the accuracy on the feedback. */
  stats(): Promise<Stats>;
}
