/**
 * A bounded load test for the e2e tests: POSTs the same prediction to a URL, a few requests at a
 * time, while something happens to the service (a replica killed, a rolling update, a node
 * drained), and records when each request started and whether it got the right answer.
 *
 * It always stops by itself: after `maxRequests`, after `maxMs`, or when `until` settles.
 */

/** One request: when it started (ms since the epoch), how long it took, and whether it got the expected answer. */
export interface Sample {
  at: number;
  ms: number;
  ok: boolean;
}

/** Options for {@link loadTest}. */
export interface LoadOptions {
  /** Where to POST, e.g. http://127.0.0.1:8080/predict. */
  url: string;
  /** The JSON body of every request. */
  body: string;
  /** Whether a response is the expected answer; by default, status 200. Must consume the body. */
  check?: (res: Response) => Promise<boolean>;
  /** Requests in flight at once. */
  concurrency: number;
  /** Stop after this many requests. */
  maxRequests: number;
  /** Stop after this many milliseconds. */
  maxMs: number;
  /** Stop early, once this settles (e.g. the command that updates the service). */
  until?: Promise<unknown>;
  /** Run `action` once, when the `request`-th request is sent; the load test waits for it before returning. */
  at?: { request: number; action: () => Promise<unknown> };
  /** A request that takes longer than this fails (default 30 s). */
  requestTimeoutMs?: number;
}

/** What a load test saw. */
export interface LoadResult {
  samples: Sample[];
  sent: number;
  failed: number;
}

/** Sends the load described by `options` and resolves when it has stopped. */
export async function loadTest(options: LoadOptions): Promise<LoadResult> {
  const check =
    options.check ??
    (async (res: Response) => {
      await res.arrayBuffer();
      return res.status === 200;
    });
  const deadline = Date.now() + options.maxMs;
  const samples: Sample[] = [];
  let stopped = false;
  void options.until
    ?.finally(() => {
      stopped = true;
    })
    .catch(() => {});
  let action: Promise<unknown> | undefined;
  const worker = async (): Promise<void> => {
    while (!stopped && samples.length < options.maxRequests && Date.now() < deadline) {
      const sample: Sample = { at: Date.now(), ms: 0, ok: false };
      samples.push(sample);
      if (options.at && samples.length === options.at.request) action = options.at.action();
      try {
        const res = await fetch(options.url, {
          method: 'POST',
          body: options.body,
          headers: { 'content-type': 'application/json' },
          signal: AbortSignal.timeout(options.requestTimeoutMs ?? 30_000),
        });
        sample.ok = await check(res);
      } catch {
        sample.ok = false;
      }
      sample.ms = Date.now() - sample.at;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  await action;
  await options.until;
  return { samples, sent: samples.length, failed: samples.filter((s) => !s.ok).length };
}

/** The samples of requests that started in [from, to). */
export function between(samples: readonly Sample[], from: number, to = Infinity): Sample[] {
  return samples.filter((s) => s.at >= from && s.at < to);
}

/**
 * The distinct names in the `x-served-by` header of `n` answers to GET `url`: the replicas behind
 * a load balancer that answer it ("(none)" for an answer without the header).
 */
export async function servedBy(url: string, n: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const res = await fetch(url);
    await res.arrayBuffer();
    seen.add(res.headers.get('x-served-by') ?? '(none)');
  }
  return seen;
}
