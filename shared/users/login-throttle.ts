/**
 * Slows password guessing, by username (one account guessed) and by client address (one client spraying
 * passwords across accounts). Each scope holds, for a window counted from its first failure, the set of
 * distinct wrong passwords tried there; once it holds its limit, a password not already in it gets 429
 * until the window ends, whether the username exists or not, so the answer reveals nothing about accounts.
 *
 * - Counted before the hash: each attempt's password joins every scope's set in one conditional update
 *   before it is checked, so parallel guesses cannot slip past: at most LIMIT distinct passwords are
 *   checked per scope per window, however many requests arrive at once.
 * - Failures, not successes: the right password leaves the sets again, so any number of simultaneous right
 *   logins succeed and leave the sets as they found them; a wrong password repeated (a saved password, a
 *   retrying script) counts once; and a retried update cannot count twice (adding a member twice is a no-op).
 * - A window that has ended, but that TTL has not yet removed, is replaced conditionally on the window seen:
 *   of a burst arriving just after, one attempt starts the new window and the others count against it.
 *
 * Keys and passwords are stored as HMACs under SECRET_KEY (secrets/secret-key.ts), which does not change
 * when signing keys rotate: fixed size, and never what people typed (they type passwords into username
 * fields). A password's fingerprint is also cut to 32 bits: distinct passwords still do not collide among a
 * few dozen, and the table holds less of each.
 */
import { HttpError } from '../http/errors';
import { keyedHash } from '../secrets/secret-key';
import { settings } from '../settings';
import { addressPrefix, clearScope, countInScopes, forgetInScopes, scopeKey, type Scope } from './throttle';
import { normalizeUsername } from './users';

export interface Attempt {
  readonly fingerprint: string;
  readonly scopes: readonly Scope[];
}

export function tooManyAttempts(retryAfterSeconds: number): HttpError {
  return new HttpError(
    429,
    { detail: `Too many failed login attempts. Try again in ${retryAfterSeconds} seconds.`, code: 'too_many_attempts' },
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

/** The throttle item of one username, or of one client address (IPv6 by its /64). */
export function throttleKey(kind: 'username' | 'address', value: string): Promise<Record<string, string>> {
  return scopeKey(kind, kind === 'username' ? normalizeUsername(value) : addressPrefix(value));
}

async function scopesFor(username: string, address: string | undefined): Promise<Scope[]> {
  const { loginFailureLimit, loginFailureWindow, loginAddressFailureLimit, loginAddressFailureWindow } = settings();
  return Promise.all([
    ...(loginFailureLimit > 0 ? [throttleKey('username', username).then((key) => ({ key, limit: loginFailureLimit, window: loginFailureWindow }))] : []),
    ...(address && loginAddressFailureLimit > 0
      ? [throttleKey('address', address).then((key) => ({ key, limit: loginAddressFailureLimit, window: loginAddressFailureWindow }))]
      : []),
  ]);
}

/** Counts the password against the username and the client address before it is checked; 429 when either is locked. One round trip. */
export async function beginLoginAttempt(username: string, password: string, address: string | undefined): Promise<Attempt> {
  const [fingerprint, scopes] = await Promise.all([
    keyedHash('login-password', `${normalizeUsername(username)}\0${password}`).then((mac) => mac.slice(0, 8)),
    scopesFor(username, address),
  ]);
  await countInScopes(scopes, fingerprint, tooManyAttempts);
  return { fingerprint, scopes };
}

/** After the right password: it was no failure. */
export async function endLoginAttemptWithSuccess(attempt: Attempt): Promise<void> {
  await forgetInScopes(attempt.scopes, attempt.fingerprint);
}

/** Forgets a username's failures (manage unlock, a password change, reactivation). */
export async function clearLoginFailures(username: string): Promise<void> {
  await clearScope(await throttleKey('username', username));
}
