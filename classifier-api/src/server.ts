/**
 * The HTTP API: routes, request and response schemas, errors and metrics. It knows nothing about
 * files, environment variables or signals (that is main.ts), so the tests build it in-process.
 */
import { STATUS_CODES } from 'node:http';
import { hostname } from 'node:os';
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import { createMetrics, type Metrics } from './metrics.ts';
import type { ModelInfo } from './model.ts';

/** What the API needs from a model: the shared module's `Perceptron` satisfies it. */
export interface ServedModel {
  readonly featureCount: number;
  predict(rows: readonly (readonly number[])[]): { labels: string[]; scores: number[] };
}

/** The model the API serves, or why there is none yet (then the API is unready). */
export type ModelState = { ready: true; model: ServedModel; info: ModelInfo } | { ready: false; reason: string };

/** Options for {@link buildServer}. */
export interface ServerOptions {
  /** Returns the current model state; called on every request, so a model can arrive later. */
  modelState: () => ModelState;
  /** The API's own version, reported by `GET /model`. */
  apiVersion: string;
  /** pino log level, or false for no logs (tests). */
  logLevel?: string | false;
  /** The largest batch `POST /predict` accepts, in rows. */
  maxBatchRows?: number;
  /** The largest request body accepted, in bytes; larger bodies get 413. */
  bodyLimitBytes?: number;
  /** Where to count requests; {@link buildMetricsServer} serves them on a port of its own. */
  metrics?: Metrics;
}

// #region limits
/** At most this many rows per request: bounds the work one request can ask for. */
export const MAX_BATCH_ROWS = 10_000;
/** At most this many bytes per body (10,000 rows of 4 numbers fit easily); more gets 413. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
/** A client has this long to send a request's headers, and this long for the whole request. */
export const HEADERS_TIMEOUT_MS = 5_000;
export const REQUEST_TIMEOUT_MS = 10_000;
// #endregion

/** Builds the fastify app; call `listen` on it, or `inject` in tests. */
export function buildServer(options: ServerOptions): FastifyInstance {
  const maxBatchRows = options.maxBatchRows ?? MAX_BATCH_ROWS;
  const instance = hostname(); // the container id in Docker: shows which replica answered
  const app = Fastify({
    logger: options.logLevel === false ? false : { level: options.logLevel ?? 'info' },
    // One log line per request would cost more than the prediction itself at 20k requests per
    // second; /metrics counts requests instead, and errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes ?? BODY_LIMIT_BYTES,
    ajv: {
      // fastify's defaults coerce "1.5" into 1.5 and silently drop unknown fields; an API should
      // reject both, so the caller learns about the mistake.
      customOptions: { coerceTypes: false, removeAdditional: false },
    },
    // A client that sends slowly holds a connection: past these limits Node answers 408 and closes
    // it (checked every second). fastify's default is no limit on the whole request.
    requestTimeout: REQUEST_TIMEOUT_MS,
    http: { headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: 1000 },
  });
  const metrics = options.metrics ?? createMetrics();
  // Every route's path and methods, for the 405 that names the allowed ones.
  const routes = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    const methods = routes.get(route.url) ?? new Set<string>();
    for (const m of [route.method].flat()) methods.add(m);
    routes.set(route.url, methods);
  });
  // fastify also parses text/plain by default; this API speaks JSON only, so anything else is 415.
  app.removeContentTypeParser('text/plain');

  // Once close() is called, answers end their keep-alive connections: without that, a client that
  // got its response while the server drained would hold the connection open, and close() wait.
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  // Callback-style hooks: on this hot path they are measurably cheaper than async ones.
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('x-served-by', instance);
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    // The route pattern, not the URL, so that unknown URLs cannot blow up the label set.
    metrics.observe(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status =
      error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    let message = status >= 500 ? 'internal error' : error.message;
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      message = `content-type ${request.headers['content-type'] ?? '(none)'} is not supported; send application/json`;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ status, code: error.code, reason: message }, 'request rejected');
    void reply.status(status).send(errorBody(status, message));
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    // A known path with another method: 405, and the methods it has in the Allow header.
    const known = routes.get(path);
    if (known) {
      const allowed = [...known].sort().join(', ');
      void reply
        .status(405)
        .header('allow', allowed)
        .send(errorBody(405, `${request.method} is not allowed on ${path}; allowed: ${allowed}`));
      return;
    }
    void reply.status(404).send(errorBody(404, `no route ${request.method} ${path}`));
  });

  const row = { type: 'array', items: { type: 'number' }, minItems: 1, maxItems: 1000 } as const;
  // #region predict-schema
  const predictBody = {
    type: 'object',
    description: 'one row {"row": [...]} or a batch {"rows": [[...], ...]} of raw attribute values',
    properties: {
      row,
      rows: { type: 'array', items: row, minItems: 1, maxItems: maxBatchRows },
    },
    additionalProperties: false,
  } as const;
  // #endregion
  const predictReply = {
    type: 'object',
    properties: {
      label: { type: 'string' },
      score: { type: 'number' },
      labels: { type: 'array', items: { type: 'string' } },
      scores: { type: 'array', items: { type: 'number' } },
    },
  } as const;

  app.post<{ Body: { row?: number[]; rows?: number[][] } }>(
    '/predict',
    {
      schema: { body: predictBody, response: { 200: predictReply } },
    },
    async (request, reply) => {
      const state = options.modelState();
      if (!state.ready) return reply.status(503).send(errorBody(503, `no model loaded: ${state.reason}`));
      const { row: one, rows: batch } = request.body;
      if ((one === undefined) === (batch === undefined)) {
        return reply.status(400).send(errorBody(400, 'send either {"row": [...]} or {"rows": [[...], ...]}'));
      }
      const rows = batch ?? [one!];
      const expected = state.model.featureCount;
      const names = state.info.features ? ` (${state.info.features.join(', ')})` : '';
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        const where = batch ? `rows[${i}]` : 'row';
        if (r.length !== expected) {
          return reply
            .status(400)
            .send(errorBody(400, `${where} has ${r.length} values; the model expects ${expected}${names}`));
        }
      }
      const { labels, scores } = state.model.predict(rows);
      metrics.predictedRows.inc(rows.length);
      return batch
        ? ({ labels, scores } satisfies Predictions)
        : ({ label: labels[0]!, score: scores[0]! } satisfies Prediction);
    },
  );

  app.get('/model', async (_request, reply) => {
    const state = options.modelState();
    if (!state.ready) return reply.status(503).send(errorBody(503, `no model loaded: ${state.reason}`));
    return { ...state.info, apiVersion: options.apiVersion };
  });

  // Readiness: 200 only with a model, so load balancers and orchestrators send traffic only here.
  app.get('/healthz', async (_request, reply) => {
    const state = options.modelState();
    if (!state.ready)
      return reply.status(503).send({ status: 'unready', reason: state.reason, instance } satisfies Health);
    return { status: 'ok', model: state.info.version, instance } satisfies Health;
  });

  // Liveness: the process answers. Kept apart from readiness so that a missing model makes a pod
  // unready instead of getting it restarted in a loop.
  app.get('/livez', async () => ({ status: 'alive' }));

  return app;
}

/**
 * The metrics, on a server of their own: main.ts listens with it on another port (9464), which
 * nginx does not forward, so that only what runs beside the replicas (a Prometheus server on
 * their network) can read them; the public port has no /metrics.
 */
export function buildMetricsServer(metrics: Metrics): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/metrics', async (_request, reply) => {
    void reply.type(metrics.contentType);
    return metrics.text();
  });
  return app;
}

/** The JSON body of every error response: the status, its name and a one-line reason. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

/** The answers of POST /predict to one row and to a batch, and of GET /healthz. */
export interface Prediction {
  label: string;
  score: number;
}
export interface Predictions {
  labels: string[];
  scores: number[];
}
export interface Health {
  status: 'ok' | 'unready';
  model?: string;
  reason?: string;
  instance: string;
}

/** The error response for a status and a one-line reason. */
export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}
