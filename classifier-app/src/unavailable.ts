/**
 * Tells a database that cannot be used (away, refusing the login) from a bad query: the first is
 * a 503 and an unready app, the second a bug or a constraint.
 */

// #region unavailable
/** Network failures, and the SQLSTATEs that mean "no usable connection" rather than a bad query. */
const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '3D000',
]);

/**
 * Why the database cannot be used, in one line, or null when the error is something else (a bug,
 * a constraint). Connection errors (SQLSTATE class 08), shutdowns (57P0x), refused logins (class
 * 28) and network errors mean the database is unavailable: the app answers 503, not 500.
 */
export function unavailableReason(err: unknown): string | null {
  const { code, message } = err as { code?: string; message?: string };
  const text = String(message ?? err);
  if (code === '28P01')
    return `the database refuses the password: ${text} (does the secret file hold the password the database was created with?)`;
  if (code?.startsWith('28')) return `the database refuses the login: ${text}`;
  if (
    (code && (unavailableCodes.has(code) || code.startsWith('08'))) ||
    /Connection terminated|timeout exceeded when trying to connect|Query read timeout/i.test(text)
  ) {
    return `cannot reach the database: ${code && !text.includes(code) ? `${code} ` : ''}${text}`;
  }
  return null;
}
// #endregion
