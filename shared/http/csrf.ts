/**
 * Cross-site request forgery defence for the endpoints that act on a cookie the browser sends by itself
 * (cookie mode: refresh and logout), as Django's CsrfViewMiddleware does it, with its failure reasons in
 * DRF's 403 body ("CSRF Failed: ..."):
 * - the Origin check: a request that names an origin must come from the API's own or an allowed one;
 * - the double submit: the `csrftoken` cookie (readable by the page's script, never by another site's) must
 *   come back in the X-CSRFToken header, compared in constant time. Another site can make the browser send
 *   the cookie, but cannot read it to put it in a header, nor send that header without CORS allowing it.
 */
import { randomInt, timingSafeEqual } from 'node:crypto';
import { HttpError } from './errors';
import type { HttpRequest } from './request';

export const CSRF_HEADER = 'x-csrftoken';
const ALLOWED_CHARACTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** Django's CSRF_SECRET_LENGTH; a masked token (as Django's templates render one) is twice as long. */
const SECRET_LENGTH = 32;

const csrfFailed = (reason: string) => new HttpError(403, { detail: `CSRF Failed: ${reason}` });

/** A new token, as Django makes one: 32 characters of [a-zA-Z0-9]. */
export function newCsrfToken(): string {
  return Array.from({ length: SECRET_LENGTH }, () => ALLOWED_CHARACTERS[randomInt(ALLOWED_CHARACTERS.length)]).join('');
}

/** A request naming an origin must come from one of `trusted` (the API's own and the allowed ones). */
export function checkOrigin(request: HttpRequest, trusted: readonly string[]): void {
  const origin = request.headers.origin;
  if (origin !== undefined && !trusted.includes(origin)) throw csrfFailed(`Origin checking failed - ${origin} does not match any trusted origins.`);
}

/** The double submit: the header must carry the token of the cookie `cookieName`. */
export function checkDoubleSubmit(request: HttpRequest, cookieName: string): void {
  const cookie = request.cookies[cookieName];
  if (cookie === undefined) throw csrfFailed('CSRF cookie not set.');
  const cookieProblem = formatProblem(cookie, [SECRET_LENGTH]);
  if (cookieProblem) throw csrfFailed(`CSRF cookie ${cookieProblem}.`);
  const header = request.headers[CSRF_HEADER];
  if (header === undefined || header === '') throw csrfFailed('CSRF token missing.');
  const source = "the 'X-Csrftoken' HTTP header";
  const headerProblem = formatProblem(header, [SECRET_LENGTH, 2 * SECRET_LENGTH]);
  if (headerProblem) throw csrfFailed(`CSRF token from ${source} ${headerProblem}.`);
  const secret = header.length === SECRET_LENGTH ? header : unmask(header);
  if (!timingSafeEqual(Buffer.from(secret), Buffer.from(cookie))) throw csrfFailed(`CSRF token from ${source} incorrect.`);
}

function formatProblem(token: string, lengths: readonly number[]): string | undefined {
  if (!lengths.includes(token.length)) return 'has incorrect length';
  if (/[^a-zA-Z0-9]/.test(token)) return 'has invalid characters';
  return undefined;
}

/** Django's _unmask_cipher_token: a 32-character mask, then the secret shifted by it. */
function unmask(token: string): string {
  const mask = token.slice(0, SECRET_LENGTH);
  const cipher = token.slice(SECRET_LENGTH);
  const n = ALLOWED_CHARACTERS.length;
  return [...cipher].map((c, i) => ALLOWED_CHARACTERS[(ALLOWED_CHARACTERS.indexOf(c) - ALLOWED_CHARACTERS.indexOf(mask[i]!) + n) % n]).join('');
}
