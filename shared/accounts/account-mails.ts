/**
 * The mails of the account flows, and the rules around asking for one: a request for a mail (activation
 * again, password reset) is throttled per email address and per client address (429, as DRF's throttles
 * answer), and answers no sooner than a fixed floor whatever was found, so neither status, body nor time
 * tells whether an address has an account.
 */
import { randomUUID } from 'node:crypto';
import { HttpError } from '../http/errors';
import { sendMail } from '../mail/mail';
import { activationMail, passwordResetMail } from '../mail/templates';
import { settings } from '../settings';
import { addressPrefix, countInScopes, scopeKey } from '../users/throttle';
import type { User } from '../users/users';
import { encodeUid, linkFor, makeToken, siteName } from './account-links';

/** Longer than a lookup and a mail take: every request for a mail answers after this, found or not. */
export const MAIL_REQUEST_FLOOR_MS = 1500;

/** DRF's throttled answer. */
export function throttled(retryAfterSeconds: number): HttpError {
  return new HttpError(429, { detail: `Request was throttled. Expected available in ${retryAfterSeconds} seconds.` }, { 'Retry-After': String(retryAfterSeconds) });
}

/** Counts a request for a mail to `email` from `address`; 429 past MAIL_REQUEST_LIMIT / MAIL_REQUEST_ADDRESS_LIMIT in the window. */
export async function countMailRequest(email: string, address: string | undefined): Promise<void> {
  const { mailRequestLimit, mailRequestAddressLimit, mailRequestWindow } = settings().accounts;
  const scopes = await Promise.all([
    ...(mailRequestLimit > 0 ? [scopeKey('mail-email', email).then((key) => ({ key, limit: mailRequestLimit, window: mailRequestWindow }))] : []),
    ...(address && mailRequestAddressLimit > 0 ? [scopeKey('mail-address', addressPrefix(address)).then((key) => ({ key, limit: mailRequestAddressLimit, window: mailRequestWindow }))] : []),
  ]);
  // Every request is its own entry: the count is of requests, not of distinct ones.
  await countInScopes(scopes, randomUUID(), throttled);
}

/** Waits until `floorMs` after `started` (performance.now()), so every answer takes the same time. */
export async function answerNoSoonerThan(started: number, floorMs = MAIL_REQUEST_FLOOR_MS): Promise<void> {
  // Node counts a timer from the event loop's cached clock, which lags by the synchronous work just done
  // (writing a mail file, say): the timer can fire that much early, so what is left is waited for again.
  for (let left = started + floorMs - performance.now(); left > 0; left = started + floorMs - performance.now()) {
    await new Promise((resolve) => setTimeout(resolve, left));
  }
}

export async function mailActivation(user: User): Promise<void> {
  const link = linkFor(settings().accounts.activationUrl, encodeUid(user.id), await makeToken(user));
  await sendMail(activationMail({ to: user.email, siteName: siteName(), link, username: user.username }));
}

export async function mailPasswordReset(user: User): Promise<void> {
  const link = linkFor(settings().accounts.passwordResetConfirmUrl, encodeUid(user.id), await makeToken(user));
  await sendMail(passwordResetMail({ to: user.email, siteName: siteName(), link, username: user.username }));
}
