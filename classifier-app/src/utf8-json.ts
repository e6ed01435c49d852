/**
 * How the app reads a request body: JSON in UTF-8 only. A body in another charset (utf-16,
 * latin1) is a 415, and so are bytes that are not UTF-8 at all: decoded leniently, they would
 * turn into U+FFFD, and be stored changed.
 */
import type { FastifyInstance } from 'fastify';
import { httpError } from './http-errors.ts';

/** Replaces the app's JSON parser with one that accepts UTF-8 only, and answers 415 otherwise. */
export function acceptOnlyUtf8Json(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      done(httpError(415, `charset ${charset} is not supported; send JSON in UTF-8`), undefined);
      return;
    }
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(httpError(415, 'the body is not valid UTF-8; send JSON in UTF-8'), undefined);
      return;
    }
    // The default parser answers through done (its type allows a promise too, which it never returns).
    void parseJson(request, text, done);
  });
}
