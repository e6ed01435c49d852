/**
 * The HTTP side of the app: the web page (static files) and the JSON API. It knows nothing about
 * environment variables, signals or connection pools (that is main.ts): it gets a {@link Store}
 * and the current model, so the unit tests build it in-process with fakes.
 */
import fastifyStatic from '@fastify/static';
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import { unavailableReason, type Store } from './db.ts';
import type { LabelledRow, ServedModel } from './model.ts';

/** The model in use: the shared module's model, and which stored version it is. */
export interface CurrentModel {
  model: ServedModel;
  labels: [string, string];
  version: number;
  /** The sha256 of the model as a file (see model.ts): which model, whatever the version number. */
  sha256: string;
  createdAt: string;
  dataRows: number;
  feedbackRows: number;
  testAccuracy: number;
}

/** Options for {@link buildServer}. */
export interface AppOptions {
  store: Store;
  /** The model in use, or null before one is loaded; called on every request. */
  currentModel: () => CurrentModel | null;
  /** Why the database is unavailable, or null when the last check reached it. */
  databaseProblem: () => string | null;
  /** The data set's rows, for GET /api/sample. */
  samples: readonly LabelledRow[];
  /** The folder of the web page's files. */
  publicDir: string;
  /** pino log level, or false for no logs (tests). */
  logLevel?: string | false;
}

// #region limits
/** The longest note or comment stored, in characters. */
export const MAX_TEXT = 200;
/** At most this many recent predictions per request. */
export const MAX_RECENT = 100;
// #endregion

/** An error with an HTTP status and a one-line reason, for the error handler to answer with. */
function httpError(statusCode: number, message: string): Error & { statusCode: number } {
  return Object.assign(new Error(message), { statusCode });
}

/** Builds the fastify app; call `listen` on it, or `inject` in tests. */
export function buildServer(options: AppOptions): FastifyInstance {
  const app = Fastify({
    logger: options.logLevel === false ? false : { level: options.logLevel ?? 'info' },
    // A log line per request would cost more than the prediction; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    // fastify's defaults coerce "1.5" into 1.5 and drop unknown fields; an API should reject both.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
  });
  app.removeContentTypeParser('text/plain');

  // #region headers
  // The page runs only its own script and style files: no inline script, nothing from elsewhere.
  // Even if some markup slipped into the page, the browser would not run it.
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('content-security-policy', "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
    reply.header('x-content-type-options', 'nosniff');
    done(null, payload);
  });
  // #endregion

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const unavailable = unavailableReason(error);
    let status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    let message = error.message;
    if (unavailable) {
      // main.ts logs outages once, when they start; a log line per failed request would flood.
      status = 503;
      message = `database unavailable: ${unavailable}`;
    } else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      message = `content-type ${request.headers['content-type'] ?? '(none)'} is not supported; send application/json`;
    } else if (status >= 500 && status !== 503) {
      request.log.error({ err: error }, 'request failed');
      message = 'internal error';
    }
    void reply.status(status).send(errorBody(status, message));
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(errorBody(404, `no route ${request.method} ${request.url.split('?')[0]}`));
  });

  void app.register(fastifyStatic, { root: options.publicDir, prefix: '/' });

  /** The model in use, or a 503 when there is none yet. */
  function modelInUse(): CurrentModel {
    const current = options.currentModel();
    if (!current) throw httpError(503, `no model yet: ${options.databaseProblem() ?? 'the trainer has not stored one'}`);
    return current;
  }

  /** Checks the features against the model, and predicts. */
  function classify(features: number[]): { current: CurrentModel; label: string; score: number } {
    const current = modelInUse();
    const expected = current.model.featureCount;
    if (features.length !== expected) throw httpError(400, `features has ${features.length} values; the model expects ${expected}`);
    const bad = features.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw httpError(400, `features[${bad}] is not a finite number`);
    const { labels, scores } = current.model.predict([features]);
    return { current, label: labels[0]!, score: scores[0]! };
  }

  // #region schemas
  const features = { type: 'array', items: { type: 'number' }, minItems: 1, maxItems: 100 } as const;
  const text = { type: 'string', maxLength: MAX_TEXT } as const;
  const predictionBody = {
    type: 'object',
    required: ['features'],
    properties: { features, note: text },
    additionalProperties: false,
  } as const;
  const feedbackBody = {
    type: 'object',
    required: ['correct'],
    properties: { correct: { type: 'boolean' }, comment: text },
    additionalProperties: false,
  } as const;
  // #endregion

  // Predict and store: the page's "Predict" button. 201 with the stored prediction.
  app.post<{ Body: { features: number[]; note?: string } }>('/api/predictions', { schema: { body: predictionBody } }, async (request, reply) => {
    const { features: values, note = '' } = request.body;
    const { current, label, score } = classify(values);
    const { id, createdAt } = await options.store.insertPrediction({ features: values, label, score, modelVersion: current.version, note });
    return reply.status(201).send({ id, createdAt, features: values, label, score, modelVersion: current.version, note });
  });

  // Predict only, nothing stored: works even while the database is away.
  app.post<{ Body: { features: number[] } }>('/api/predict', {
    schema: { body: { type: 'object', required: ['features'], properties: { features }, additionalProperties: false } },
  }, async (request) => {
    const { current, label, score } = classify(request.body.features);
    return { label, score, modelVersion: current.version };
  });

  app.post<{ Params: { id: string }; Body: { correct: boolean; comment?: string } }>('/api/predictions/:id/feedback', {
    schema: { body: feedbackBody },
  }, async (request) => {
    const { id } = request.params;
    if (!/^[1-9]\d{0,14}$/.test(id)) throw httpError(400, `prediction id must be a positive integer, got ${JSON.stringify(id.slice(0, 40))}`);
    const { correct, comment = '' } = request.body;
    const found = await options.store.saveFeedback(Number(id), correct, comment);
    if (!found) throw httpError(404, `no prediction ${id}`);
    return { id: Number(id), correct, comment };
  });

  app.get<{ Querystring: { limit?: string } }>('/api/predictions', async (request) => {
    const { limit = '10' } = request.query;
    if (!/^\d{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_RECENT) {
      throw httpError(400, `limit must be an integer from 1 to ${MAX_RECENT}, got ${JSON.stringify(String(limit).slice(0, 40))}`);
    }
    return options.store.recentPredictions(Number(limit));
  });

  app.get('/api/stats', async () => {
    const stats = await options.store.stats();
    const current = options.currentModel();
    const model = current && {
      version: current.version, sha256: current.sha256, createdAt: current.createdAt, dataRows: current.dataRows,
      feedbackRows: current.feedbackRows, testAccuracy: current.testAccuracy, labels: current.labels,
    };
    return { ...stats, model };
  });

  // A random row of the data set, with its true class: the page's "Random row" button.
  app.get('/api/sample', async () => {
    const index = Math.floor(Math.random() * options.samples.length);
    const row = options.samples[index];
    if (!row) throw httpError(503, 'no data set loaded');
    return { row: index + 1, features: row.features, label: row.label };
  });

  // Readiness: a model in memory and the database reachable at the last check.
  app.get('/healthz', async (_request, reply) => {
    const problem = options.databaseProblem();
    const current = options.currentModel();
    if (problem || !current) return reply.status(503).send({ status: 'unready', reason: problem ?? 'no model yet' });
    return { status: 'ok', modelVersion: current.version };
  });

  // Liveness: the process answers, database or not.
  app.get('/livez', async () => ({ status: 'alive' }));

  return app;
}

/** The JSON body of every error response: the status, its name and a one-line reason. */
export function errorBody(statusCode: number, message: string): { statusCode: number; error: string; message: string } {
  return { statusCode, error: statusNames[statusCode] ?? 'Error', message };
}

const statusNames: Record<number, string> = {
  400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed', 413: 'Payload Too Large',
  415: 'Unsupported Media Type', 500: 'Internal Server Error', 503: 'Service Unavailable',
};
