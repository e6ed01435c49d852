/**
 * Starts the API: reads the configuration from the environment, serves at once, loads the model
 * (and keeps retrying while there is none), and shuts down gracefully on SIGTERM or SIGINT.
 *
 * Environment: PORT (3000), METRICS_PORT (9464), HOST (0.0.0.0), MODEL_PATH
 * (/app/models/banknote.json), MODEL_RETRY_SECONDS (2), LOG_LEVEL (info).
 */
import { readFileSync } from 'node:fs';
import { createMetrics } from './metrics.ts';
import { loadModel } from './model.ts';
import { buildMetricsServer, buildServer, type ModelState } from './server.ts';

const port = Number(process.env.PORT ?? 3000);
const metricsPort = Number(process.env.METRICS_PORT ?? 9464);
const host = process.env.HOST ?? '0.0.0.0';
const modelPath = process.env.MODEL_PATH ?? '/app/models/banknote.json';
const retrySeconds = Number(process.env.MODEL_RETRY_SECONDS ?? 2);
const { version: apiVersion } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

let state: ModelState = { ready: false, reason: 'starting' };
const metrics = createMetrics();
const app = buildServer({ modelState: () => state, apiVersion, logLevel: process.env.LOG_LEVEL ?? 'info', metrics });
const metricsApp = buildMetricsServer(metrics);

// #region load-model
// Without a model the API serves anyway, but unready (/healthz answers 503), says why once, and
// retries: a crash loop would hide the reason, and the model may still be on its way (Swarm and
// Kubernetes start services in no particular order).
async function loadUntilReady(): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const { model, info } = await loadModel(modelPath);
      state = { ready: true, model, info };
      app.log.info({ modelPath, version: info.version, features: info.features }, 'model loaded, ready');
      return;
    } catch (err) {
      const reason = (err as Error).message;
      state = { ready: false, reason };
      if (attempt === 1) app.log.error(`no usable model: ${reason}; unready, retrying every ${retrySeconds} s`);
      await new Promise((resolve) => setTimeout(resolve, retrySeconds * 1000).unref());
    }
  }
}
// #endregion

// #region shutdown
// On SIGTERM (docker stop, a rolling update, a scale-down) stop accepting connections, let the
// requests in flight finish, then exit 0. Past the grace period, exit 1 rather than hang until
// the SIGKILL (5 s after the SIGTERM: stop_grace_period in compose.yaml and stack.yaml).
const gracePeriodMs = 1500;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    app.log.info(`${signal}: draining requests in flight, then exiting`);
    setTimeout(() => {
      app.log.error(`still busy after ${gracePeriodMs} ms; exiting anyway`);
      process.exit(1);
    }, gracePeriodMs).unref();
    Promise.all([app.close(), metricsApp.close()]).then(
      () => {
        app.log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        app.log.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  });
}
// #endregion

for (const [server, onPort] of [
  [app, port],
  [metricsApp, metricsPort],
] as const) {
  try {
    await server.listen({ port: onPort, host });
  } catch (err) {
    app.log.error(`cannot listen on ${host}:${onPort}: ${(err as Error).message}`);
    process.exit(1);
  }
}
void loadUntilReady();
