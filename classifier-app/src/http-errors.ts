/**
 * How the app answers what goes wrong: every error as a JSON body with the status, its name and a
 * one-line reason; a database that is away as a 503; a known path with another method as a 405
 * that names the allowed ones.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { ErrorBody } from './types.ts';
import { unavailableReason } from './unavailable.ts';

/** An error with an HTTP status and a one-line reason, for the error handler to answer with. */
export function httpError(statusCode: number, message: string): Error & { statusCode: number } {
  return Object.assign(new Error(message), { statusCode });
}

/** The JSON body of every error response: the status, its name (from Node's STATUS_CODES) and a one-line reason. */
export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}

/**
 * Sets the app's error and not-found handlers. Call it before the routes are added: it notes each
 * route's path and methods, for the 405.
 */
export function answerErrors(app: FastifyInstance): void {
  // Every route's path and methods, for the 405 that names the allowed ones.
  const routes: { pattern: RegExp; methods: Set<string> }[] = [];
  app.addHook('onRoute', (route) => {
    if (route.url.includes('*')) return; // the page's files: an unknown file is a 404
    const pattern = new RegExp(`^${route.url.replace(/:[^/]+/g, '[^/]+')}$`);
    let entry = routes.find((r) => String(r.pattern) === String(pattern));
    if (!entry) routes.push((entry = { pattern, methods: new Set() }));
    for (const m of [route.method].flat()) entry.methods.add(m);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const unavailable = unavailableReason(error);
    let status =
      error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    let message = error.message;
    if (unavailable) {
      // main.ts logs outages once, when they start; a log line per failed request would flood.
      status = 503;
      message = `database unavailable: ${unavailable}`;
    } else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      message = `content-type ${request.headers['content-type'] ?? '(none)'} is not supported; send application/json`;
    } else if (status === 403) {
      // @fastify/static refuses a path that could leave the page's folder or fool the file system.
      message = `forbidden: ${request.url.split('?')[0]} could point outside the page's files (a .. or a NUL byte in it)`;
    } else if (status >= 500 && status !== 503) {
      request.log.error({ err: error }, 'request failed');
      message = 'internal error';
    }
    void reply.status(status).send(errorBody(status, message));
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    // A known path with another method: 405, and the methods it has in the Allow header.
    const known = routes.find((r) => r.pattern.test(path));
    if (known) {
      const allowed = [...known.methods].sort().join(', ');
      void reply
        .status(405)
        .header('allow', allowed)
        .send(errorBody(405, `${request.method} is not allowed on ${path}; allowed: ${allowed}`));
      return;
    }
    void reply.status(404).send(errorBody(404, `no route ${request.method} ${path}`));
  });
}
