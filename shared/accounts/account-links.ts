/**
 * The uid and token of the links mailed for activation and password reset, made as Django's
 * PasswordResetTokenGenerator makes them (djoser uses it for both), so no table holds them:
 *   uid   = base64url(user id), unpadded (djoser's encode_uid)
 *   token = <seconds since 2001-01-01, base36>-<every other hex digit of
 *           HMAC-SHA256(SHA-256("django.contrib.auth.tokens.PasswordResetTokenGenerator" + SECRET_KEY),
 *                       id + password hash + last login + timestamp + email)>
 * A token stops working once the password (so it serves once: a reset changes the password), the last
 * login, the email or (beyond Django) the active flag changes, or after PASSWORD_RESET_TIMEOUT. It is
 * compared in constant time.
 */
import { timingSafeEqual } from 'node:crypto';
import { nowSeconds } from '../clock';
import { djangoSaltedHmac } from '../secrets/secret-key';
import { settings } from '../settings';
import type { User } from '../users/users';

const KEY_SALT = 'django.contrib.auth.tokens.PasswordResetTokenGenerator';
/** 2001-01-01T00:00:00Z, Django's epoch for these tokens. */
const TOKEN_EPOCH = 978307200;

export const encodeUid = (userId: string): string => Buffer.from(userId, 'utf8').toString('base64url');

/** The user id a uid names, or undefined for anything that is not base64url (padded or not) of UTF-8. */
export function decodeUid(uid: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}={0,2}$/.test(uid) || uid.replace(/=+$/, '').length % 4 === 1) return undefined;
  const bytes = Buffer.from(uid.replace(/=+$/, ''), 'base64url');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes) || undefined;
  } catch {
    return undefined;
  }
}

/** Django's str(last_login.replace(microsecond=0, tzinfo=None)) of a UTC time: "2026-11-28 04:52:11"; "" if none. */
const loginStamp = (lastLogin: string) => (lastLogin === '' ? '' : new Date(lastLogin).toISOString().slice(0, 19).replace('T', ' '));

async function tokenAt(user: User, timestamp: number): Promise<string> {
  const value = `${user.id}${user.passwordHash}${loginStamp(user.lastLogin)}${timestamp}${user.email}${user.isActive ? '' : '!inactive'}`;
  const mac = await djangoSaltedHmac(KEY_SALT, value);
  return `${timestamp.toString(36)}-${[...mac].filter((_, i) => i % 2 === 0).join('')}`;
}

export const makeToken = (user: User): Promise<string> => tokenAt(user, nowSeconds() - TOKEN_EPOCH);

/** Whether `token` was made for the user in its present state, within the link lifetime. */
export async function checkToken(user: User, token: string): Promise<boolean> {
  const match = /^([0-9a-z]{1,13})-([0-9a-f]{32})$/.exec(token);
  if (!match) return false;
  const timestamp = Number.parseInt(match[1]!, 36);
  if (!Number.isSafeInteger(timestamp)) return false;
  const expected = Buffer.from(await tokenAt(user, timestamp));
  const given = Buffer.from(token);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
  return nowSeconds() - TOKEN_EPOCH - timestamp <= settings().accounts.linkLifetime;
}

/** The link a mail carries: FRONTEND_URL (else the API's URL) + "/" + the template with uid and token. */
export function linkFor(template: string, uid: string, token: string): string {
  const base = (settings().accounts.frontendUrl ?? settings().apiUrl ?? 'http://localhost').replace(/\/+$/, '');
  return `${base}/${template.replace('{uid}', uid).replace('{token}', token)}`;
}

/** The site's name in mails: SITE_NAME, else the frontend's host. */
export function siteName(): string {
  const { siteName: configured, frontendUrl } = settings().accounts;
  return configured ?? new URL(frontendUrl ?? settings().apiUrl ?? 'http://localhost').host;
}
