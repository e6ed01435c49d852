/**
 * The container's healthcheck: exits 0 when the app's /healthz answers 200 (a model is loaded and
 * the database answers), 1 otherwise. Node's own node:http, because the image has no curl; not
 * fetch, which loads a whole HTTP client first: seconds on a slow or emulated processor.
 */
import { get } from 'node:http';

const port = process.env.PORT ?? '3000';
get(`http://127.0.0.1:${port}/healthz`, { timeout: 5000 }, (response) =>
  process.exit(response.statusCode === 200 ? 0 : 1),
)
  .on('timeout', () => process.exit(1))
  .on('error', () => process.exit(1));
