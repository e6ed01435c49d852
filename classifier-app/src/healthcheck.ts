/**
 * The container's healthcheck: exits 0 when the app's /healthz answers 200 (a model is loaded and
 * the database answers), 1 otherwise. Node's own fetch, because the image has no curl.
 */
const port = process.env.PORT ?? '3000';
try {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
