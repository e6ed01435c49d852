/**
 * A client that sends a request slowly, a byte at a time, as a slowloris attack does: to show that
 * a server gives up on it after its timeout, instead of holding the connection for as long as the
 * client likes.
 */
import net from 'node:net';

/** What happened to a slow request: when the server closed the connection, and what it answered. */
export interface SlowResult {
  /** Milliseconds from the first byte sent to the server's closing of the connection. */
  closedAfterMs: number;
  /** The HTTP status of the answer, or null when the server closed without one. */
  status: number | null;
  /** Everything the server sent. */
  response: string;
  /** The bytes of `slow` sent before the server closed. */
  bytesSent: number;
}

/**
 * Sends `fast` to 127.0.0.1:`port` at once, then `slow` one byte every `intervalMs`, until the
 * server closes the connection or `giveUpMs` have passed (then it closes it itself, and reports so
 * with `closedAfterMs` = Infinity).
 */
export function slowRequest(
  port: number,
  fast: string,
  slow: string,
  intervalMs: number,
  giveUpMs: number,
): Promise<SlowResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      if (fast) socket.write(fast);
    });
    const started = Date.now();
    let response = '';
    let sent = 0;
    let done = false;
    const finish = (closedAfterMs: number): void => {
      if (done) return;
      done = true;
      clearInterval(ticker);
      clearTimeout(limit);
      socket.destroy();
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(response)?.[1];
      resolve({ closedAfterMs, status: status ? Number(status) : null, response, bytesSent: sent });
    };
    const ticker = setInterval(() => {
      if (sent < slow.length && socket.writable) socket.write(slow[sent++]!);
    }, intervalMs);
    const limit = setTimeout(() => finish(Infinity), giveUpMs);
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      response += d;
    });
    socket.on('close', () => finish(Date.now() - started));
    socket.on('error', () => finish(Date.now() - started));
  });
}
