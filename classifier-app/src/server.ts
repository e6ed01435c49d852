/**
 * The HTTP side of the app: the web page (static files) and the JSON API. It knows nothing about
 * environment variables, signals or connection pools (that is main.ts): it gets a {@link Store}
 * and the current model, so the unit tests build it in-process with fakes.
 */
import fastifyStatic from '@fastify/static';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { answerErrors, httpError } from './http-errors.ts';
import { acceptOnlyUtf8Json } from './utf8-json.ts';
import type { LabelledRow, ServedModel } from './model.ts';
import type { Classification, CreatedPrediction, ModelSummary, Sample, StatsReport, Store } from './types.ts';

/** The model in use: the shared module's model, and which stored version it is. */
export interface CurrentModel extends ModelSummary {
  model: ServedModel;
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

// #region timeouts
/** A client has this long to send a request's headers... */
export const HEADERS_TIMEOUT_MS = 5_000;
/** ...and this long for the whole request. */
export const REQUEST_TIMEOUT_MS = 10_000;
// #endregion

/** Builds the fastify app; call `listen` on it, or `inject` in tests. */
export function buildServer(options: AppOptions): FastifyInstance {
  const app = Fastify({
    logger: options.logLevel === false ? false : { level: options.logLevel ?? 'info' },
    // A log line per request would cost more than the prediction; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    // fastify's defaults coerce "1.5" into 1.5 and drop unknown fields; an API should reject both.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false } },
    // #region server-timeouts
    // A client that sends slowly holds a connection and memory: past these limits Node answers 408
    // and closes the connection (it looks every second). fastify's default is no limit at all.
    requestTimeout: REQUEST_TIMEOUT_MS,
    http: { headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: 1000 },
    // #endregion
  });
  app.removeContentTypeParser('text/plain');

  // JSON in UTF-8 only: anything else is a 415.
  acceptOnlyUtf8Json(app);

  answerErrors(app);

  // #region headers
  // The page runs only its own script and style files: no inline script, nothing from elsewhere.
  // Even if some markup slipped into the page, the browser would not run it.
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header(
      'content-security-policy',
      "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
    reply.header('x-content-type-options', 'nosniff');
    done(null, payload);
  });
  // #endregion

  void app.register(fastifyStatic, { root: options.publicDir, prefix: '/' });

  /** The model in use, or a 503 when there is none yet. */
  function modelInUse(): CurrentModel {
    const current = options.currentModel();
    if (!current)
      throw httpError(503, `no model yet: ${options.databaseProblem() ?? 'the trainer has not stored one'}`);
    return current;
  }

  // #region text
  /**
   * A note or a comment, judged alone, before it goes near a batch: Postgres cannot store the NUL
   * character, and a lone surrogate (half of a UTF-16 pair, "\ud800") is not Unicode at all.
   */
  function checkText(field: string, value: string): void {
    if (value.includes('\u0000'))
      throw httpError(400, `${field} contains the NUL character (\\u0000), which cannot be stored`);
    if (!value.isWellFormed()) throw httpError(400, `${field} is not valid Unicode (a lone surrogate such as \\ud800)`);
  }
  // #endregion

  /** Checks the features against the model, and predicts. */
  function classify(features: number[]): { current: CurrentModel; label: string; score: number } {
    const current = modelInUse();
    const expected = current.model.featureCount;
    if (features.length !== expected)
      throw httpError(400, `features has ${features.length} values; the model expects ${expected}`);
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
  app.post<{ Body: { features: number[]; note?: string } }>(
    '/api/predictions',
    { schema: { body: predictionBody } },
    async (request, reply) => {
      const { features: values, note = '' } = request.body;
      checkText('note', note);
      const { current, label, score } = classify(values);
      const { id, createdAt } = await options.store.insertPrediction({
        features: values,
        label,
        score,
        modelVersion: current.version,
        note,
      });
      const created: CreatedPrediction = {
        id,
        createdAt,
        features: values,
        label,
        score,
        modelVersion: current.version,
        note,
      };
      return reply.status(201).send(created);
    },
  );

  // Predict only, nothing stored: works even while the database is away.
  app.post<{ Body: { features: number[] } }>(
    '/api/predict',
    {
      schema: {
        body: { type: 'object', required: ['features'], properties: { features }, additionalProperties: false },
      },
    },
    async (request): Promise<Classification> => {
      const { current, label, score } = classify(request.body.features);
      return { label, score, modelVersion: current.version };
    },
  );

  app.post<{ Params: { id: string }; Body: { correct: boolean; comment?: string } }>(
    '/api/predictions/:id/feedback',
    {
      schema: { body: feedbackBody },
    },
    async (request) => {
      const id = request.params.id.toLowerCase();
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) {
        throw httpError(400, `prediction id must be a UUID, got ${JSON.stringify(request.params.id.slice(0, 40))}`);
      }
      const { correct, comment = '' } = request.body;
      checkText('comment', comment);
      const found = await options.store.saveFeedback(id, correct, comment);
      if (!found) throw httpError(404, `no prediction ${id}`);
      return { id, correct, comment };
    },
  );

  app.get<{ Querystring: { limit?: string } }>('/api/predictions', async (request) => {
    const { limit = '10' } = request.query;
    if (!/^\d{1,3}$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_RECENT) {
      throw httpError(
        400,
        `limit must be an integer from 1 to ${MAX_RECENT}, got ${JSON.stringify(String(limit).slice(0, 40))}`,
      );
    }
    return options.store.recentPredictions(Number(limit));
  });

  app.get('/api/stats', async (): Promise<StatsReport> => {
    const stats = await options.store.stats();
    const current = options.currentModel();
    const model: ModelSummary | null = current && {
      version: current.version,
      sha256: current.sha256,
      createdAt: current.createdAt,
      dataRows: current.dataRows,
      feedbackRows: current.feedbackRows,
      testAccuracy: current.testAccuracy,
      labels: current.labels,
    };
    return { ...stats, model };
  });

  // A random row of the data set, with its true class: the page's "Random row" button.
  app.get('/api/sample', async (): Promise<Sample> => {
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
