// @ts-check
/** How the page calls the app's JSON API. */

/** @import { ErrorBody } from '../src/types.ts' */

/**
 * Calls the JSON API; throws an Error with the server's one-line reason on a non-2xx answer.
 * Returns the answer's JSON, for the caller to give the type the API documents for it.
 * @param {string} method
 * @param {string} url
 * @param {unknown} [body]
 * @returns {Promise<unknown>}
 */
export async function api(method, url, body) {
  /** @type {RequestInit} */
  const init = { method };
  if (body !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const data = /** @type {unknown} */ (await response.json().catch(() => null));
  if (!response.ok) {
    const reason = /** @type {Partial<ErrorBody> | null} */ (data)?.message;
    throw new Error(reason ?? `${response.status} ${response.statusText}`);
  }
  return data;
}
