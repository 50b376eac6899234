/**
 * One typed settings object, read from the environment once per cold start. Defaults are the values of the
 * simplejwt tutorial this service follows (access 15 min, refresh 7 days, rotation and blacklist on).
 * The signing keys are not here: see tokens/signing-keys.ts.
 */
import { TABLE_IDS, TABLES, type TableId } from './tables';

/** The algorithms a signing key may have (see tokens/signing-keys.ts). */
export const ALGORITHMS = ['HS256', 'RS256', 'ES256', 'EdDSA'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export interface Settings {
  /** Seconds an access token lives (simplejwt ACCESS_TOKEN_LIFETIME). */
  readonly accessTokenLifetime: number;
  /** Seconds a refresh token lives (simplejwt REFRESH_TOKEN_LIFETIME). */
  readonly refreshTokenLifetime: number;
  /** Refresh answers a new refresh token too (simplejwt ROTATE_REFRESH_TOKENS). */
  readonly rotateRefreshTokens: boolean;
  /** A refresh token used for rotation is blacklisted (simplejwt BLACKLIST_AFTER_ROTATION). */
  readonly blacklistAfterRotation: boolean;
  /** When set, every token carries this `iss` and verification requires it (simplejwt ISSUER). */
  readonly issuer: string | undefined;
  /** When set, every token carries this `aud` and verification requires it (simplejwt AUDIENCE). */
  readonly audience: string | undefined;
  /** The algorithm of keys generated from now on (the key set's first key signs): HS256, RS256, ES256, EdDSA. */
  readonly algorithm: Algorithm;
  /** Seconds of clock skew tolerated when checking exp and nbf (simplejwt LEEWAY). */
  readonly leeway: number;
  /**
   * Seconds a session lasts from login, however often it is refreshed: no token of it outlives this
   * (simplejwt slides the refresh lifetime forever). Defaults to the refresh token lifetime.
   */
  readonly sessionLifetime: number;
  /**
   * Seconds after a refresh token was rotated during which presenting it again answers its same successor
   * (a client that retried after losing the answer, or two tabs refreshing at once); after that a replay
   * revokes the session. 0: every replay revokes it, as RFC 9700 recommends.
   */
  readonly refreshReuseGrace: number;
  /** Distinct wrong passwords for one username within `loginFailureWindow` before further attempts get 429; 0: no limit. */
  readonly loginFailureLimit: number;
  readonly loginFailureWindow: number;
  /** The same per client address, across usernames (password spraying); 0: no limit. */
  readonly loginAddressFailureLimit: number;
  readonly loginAddressFailureWindow: number;
  /** The name of each table, from its environment variable (see tables.ts). */
  readonly tables: Readonly<Record<TableId, string>>;
  /** Set for DynamoDB Local or another non-AWS endpoint; unset on Lambda. */
  readonly dynamodbEndpoint: string | undefined;
  /**
   * The API's public base URL (the stack passes its own; npm start its address): the issuer the discovery
   * document names when ISSUER is unset. Never taken from a request's headers.
   */
  readonly apiUrl: string | undefined;
  /** Browser origins allowed to call the API (`*` for any), each exactly as a browser sends `Origin`. */
  readonly corsAllowedOrigins: readonly string[];
  /** Accounts by email (djoser's endpoints under /auth/users/): see accounts/. */
  readonly accounts: AccountSettings;
  /** Cookie mode (AUTH_COOKIE): the refresh token in an HttpOnly cookie, for browser apps; unset when off. */
  readonly authCookie: AuthCookieSettings | undefined;
}

/** Names and defaults of dj-rest-auth (JWT_AUTH_*) and Django (CSRF_*) where they have one. */
export interface AuthCookieSettings {
  /** The refresh token's cookie (dj-rest-auth's JWT_AUTH_REFRESH_COOKIE). */
  readonly name: string;
  /** JWT_AUTH_SAMESITE: Lax (default), Strict, or None for a frontend on another site. */
  readonly sameSite: 'Lax' | 'Strict' | 'None';
  /** JWT_AUTH_SECURE: on unless the API is plain-HTTP localhost (npm start). */
  readonly secure: boolean;
  /** AUTH_COOKIE_BODY: the refresh token stays in response bodies too, for native clients. */
  readonly body: boolean;
  /** Django's CSRF_COOKIE_NAME: the double-submit token, readable by the page's script. */
  readonly csrfCookieName: string;
  /** Django's CSRF_COOKIE_DOMAIN: set it (".example.com") when the app and the API are sibling hosts. */
  readonly csrfCookieDomain: string | undefined;
}

export interface AccountSettings {
  /** `open`: anyone may sign up; `closed` (default): only staff may create users, as djoser with IsAdminUser. */
  readonly registration: 'open' | 'closed';
  /** A new user (or one who changed email) is inactive until the link mailed to them is followed (djoser's SEND_ACTIVATION_EMAIL). */
  readonly sendActivationEmail: boolean;
  /** Seconds an activation or password-reset link stays valid (Django's PASSWORD_RESET_TIMEOUT). */
  readonly linkLifetime: number;
  /** djoser's ACTIVATION_URL and PASSWORD_RESET_CONFIRM_URL: paths under FRONTEND_URL with {uid} and {token}. */
  readonly activationUrl: string;
  readonly passwordResetConfirmUrl: string;
  /** Where the links point: the app that shows the activation and new-password pages. */
  readonly frontendUrl: string | undefined;
  /** The name mails give the site (djoser's site_name); the frontend's host by default. */
  readonly siteName: string | undefined;
  /** The sender of every mail (Django's DEFAULT_FROM_EMAIL). */
  readonly mailFrom: string;
  /** djoser's USER_CREATE_PASSWORD_RETYPE, SET_PASSWORD_RETYPE, PASSWORD_RESET_CONFIRM_RETYPE. */
  readonly userCreatePasswordRetype: boolean;
  readonly setPasswordRetype: boolean;
  readonly passwordResetConfirmRetype: boolean;
  /** Mails asked for (activation again, password reset) per email address, and per client address, within the window. */
  readonly mailRequestLimit: number;
  readonly mailRequestAddressLimit: number;
  readonly mailRequestWindow: number;
  /** Local: write each mail to this folder (and the console), as Django's file backend; unset on Lambda (SES). */
  readonly mailDir: string | undefined;
}

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

type Env = Readonly<Record<string, string | undefined>>;

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "900", "900s", "15m", "12h", "7d" -> seconds. */
export function parseDuration(name: string, raw: string): number {
  const match = /^\s*(\d{1,9})\s*([smhd]?)\s*$/i.exec(raw);
  const seconds = match ? Number(match[1]) * (DURATION_UNITS[(match[2] || 's').toLowerCase()] ?? 1) : NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new SettingsError(`${name} must be a positive duration such as 900, 15m, 12h or 7d`);
  }
  return seconds;
}

export function parseBoolean(name: string, raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new SettingsError(`${name} must be true or false`);
}

function nonNegativeSeconds(name: string, raw: string): number {
  if (!/^\s*\d{1,6}\s*$/.test(raw)) throw new SettingsError(`${name} must be a whole number of seconds`);
  return Number(raw);
}

function nonNegativeInteger(name: string, raw: string): number {
  if (!/^\s*\d{1,6}\s*$/.test(raw)) throw new SettingsError(`${name} must be a whole number`);
  return Number(raw);
}

function tableName(name: string, raw: string): string {
  // DynamoDB table names: 3-255 characters of [a-zA-Z0-9_.-].
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(raw)) throw new SettingsError(`${name} is not a valid DynamoDB table name`);
  return raw;
}

function httpUrl(name: string, raw: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw new SettingsError(`${name} must be an http or https URL`);
  return raw.replace(/\/+$/, '');
}

/**
 * A browser's `Origin` is scheme, host and port, nothing more ("https://app.example.com"): a value with a
 * path, a trailing slash or no scheme would never match one, so it is refused here rather than ignored later.
 */
export function parseOrigins(name: string, raw: string): readonly string[] {
  const origins = raw.split(',').map((origin) => origin.trim()).filter(Boolean);
  for (const origin of origins) {
    if (origin === '*') continue;
    let parsed: string | undefined;
    try {
      parsed = new URL(origin).origin;
    } catch {
      parsed = undefined;
    }
    if (parsed !== origin) throw new SettingsError(`${name} must list origins such as https://app.example.com (scheme and host, no path or trailing slash), or *`);
  }
  return origins;
}

function linkTemplate(name: string, raw: string): string {
  if (!raw.includes('{uid}') || !raw.includes('{token}')) throw new SettingsError(`${name} must hold {uid} and {token}`);
  return raw;
}

function read<T>(env: Env, name: string, fallback: T, parse: (name: string, raw: string) => T): T {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? fallback : parse(name, raw.trim());
}

export function loadSettings(env: Env = process.env): Settings {
  const refreshTokenLifetime = read(env, 'REFRESH_TOKEN_LIFETIME', 7 * 86400, parseDuration);
  return consistent({
    accessTokenLifetime: read(env, 'ACCESS_TOKEN_LIFETIME', 15 * 60, parseDuration),
    refreshTokenLifetime,
    sessionLifetime: read(env, 'SESSION_LIFETIME', refreshTokenLifetime, parseDuration),
    refreshReuseGrace: read(env, 'REFRESH_REUSE_GRACE', 30, nonNegativeSeconds),
    loginFailureLimit: read(env, 'LOGIN_FAILURE_LIMIT', 5, nonNegativeInteger),
    loginFailureWindow: read(env, 'LOGIN_FAILURE_WINDOW', 15 * 60, parseDuration),
    loginAddressFailureLimit: read(env, 'LOGIN_ADDRESS_FAILURE_LIMIT', 30, nonNegativeInteger),
    loginAddressFailureWindow: read(env, 'LOGIN_ADDRESS_FAILURE_WINDOW', 15 * 60, parseDuration),
    rotateRefreshTokens: read(env, 'ROTATE_REFRESH_TOKENS', true, parseBoolean),
    blacklistAfterRotation: read(env, 'BLACKLIST_AFTER_ROTATION', true, parseBoolean),
    leeway: read(env, 'LEEWAY', 0, nonNegativeSeconds),
    issuer: read<string | undefined>(env, 'ISSUER', undefined, (_, raw) => raw),
    audience: read<string | undefined>(env, 'AUDIENCE', undefined, (_, raw) => raw),
    algorithm: read<Algorithm>(env, 'ALGORITHM', 'HS256', (name, raw) => {
      const algorithm = ALGORITHMS.find((candidate) => candidate.toLowerCase() === raw.toLowerCase());
      if (!algorithm) throw new SettingsError(`${name} must be one of ${ALGORITHMS.join(', ')}`);
      return algorithm;
    }),
    tables: Object.fromEntries(
      TABLE_IDS.map((id) => [id, read(env, TABLES[id].env, TABLES[id].defaultName, tableName)]),
    ) as Record<TableId, string>,
    dynamodbEndpoint: read<string | undefined>(env, 'DYNAMODB_ENDPOINT', undefined, (_, raw) => raw),
    apiUrl: read<string | undefined>(env, 'API_URL', undefined, httpUrl),
    corsAllowedOrigins: read<readonly string[]>(env, 'CORS_ALLOWED_ORIGINS', [], parseOrigins),
    accounts: {
      registration: read<'open' | 'closed'>(env, 'REGISTRATION', 'closed', (name, raw) => {
        if (raw !== 'open' && raw !== 'closed') throw new SettingsError(`${name} must be open or closed`);
        return raw;
      }),
      sendActivationEmail: read(env, 'SEND_ACTIVATION_EMAIL', true, parseBoolean),
      linkLifetime: read(env, 'PASSWORD_RESET_TIMEOUT', 86400, parseDuration),
      activationUrl: read(env, 'ACTIVATION_URL', '#/activate/{uid}/{token}', linkTemplate),
      passwordResetConfirmUrl: read(env, 'PASSWORD_RESET_CONFIRM_URL', '#/password/reset/confirm/{uid}/{token}', linkTemplate),
      frontendUrl: read<string | undefined>(env, 'FRONTEND_URL', undefined, httpUrl),
      siteName: read<string | undefined>(env, 'SITE_NAME', undefined, (_, raw) => raw),
      mailFrom: read(env, 'MAIL_FROM', 'webmaster@localhost', (name, raw) => {
        if (!/^[^\s@<>]+@[^\s@<>]+$/.test(raw) && !/^[^<>]*<[^\s@<>]+@[^\s@<>]+>$/.test(raw)) throw new SettingsError(`${name} must be an email address`);
        return raw;
      }),
      userCreatePasswordRetype: read(env, 'USER_CREATE_PASSWORD_RETYPE', false, parseBoolean),
      setPasswordRetype: read(env, 'SET_PASSWORD_RETYPE', false, parseBoolean),
      passwordResetConfirmRetype: read(env, 'PASSWORD_RESET_CONFIRM_RETYPE', false, parseBoolean),
      mailRequestLimit: read(env, 'MAIL_REQUEST_LIMIT', 3, nonNegativeInteger),
      mailRequestAddressLimit: read(env, 'MAIL_REQUEST_ADDRESS_LIMIT', 20, nonNegativeInteger),
      mailRequestWindow: read(env, 'MAIL_REQUEST_WINDOW', 3600, parseDuration),
      mailDir: read<string | undefined>(env, 'MAIL_DIR', undefined, (_, raw) => raw),
    },
    authCookie: read(env, 'AUTH_COOKIE', false, parseBoolean) ? authCookieSettings(env) : undefined,
  });
}

function authCookieSettings(env: Env): AuthCookieSettings {
  const apiUrl = read<string | undefined>(env, 'API_URL', undefined, httpUrl);
  const plainLocalhost = apiUrl !== undefined && /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/.test(apiUrl);
  return {
    name: read(env, 'JWT_AUTH_REFRESH_COOKIE', 'refresh_token', cookieName),
    sameSite: read<'Lax' | 'Strict' | 'None'>(env, 'JWT_AUTH_SAMESITE', 'Lax', (name, raw) => {
      const value = (['Lax', 'Strict', 'None'] as const).find((candidate) => candidate.toLowerCase() === raw.toLowerCase());
      if (!value) throw new SettingsError(`${name} must be Lax, Strict or None`);
      return value;
    }),
    secure: read(env, 'JWT_AUTH_SECURE', !plainLocalhost, parseBoolean),
    body: read(env, 'AUTH_COOKIE_BODY', false, parseBoolean),
    csrfCookieName: read(env, 'CSRF_COOKIE_NAME', 'csrftoken', cookieName),
    csrfCookieDomain: read<string | undefined>(env, 'CSRF_COOKIE_DOMAIN', undefined, (name, raw) => {
      if (!/^\.?[a-z0-9-]+(\.[a-z0-9-]+)*$/i.test(raw)) throw new SettingsError(`${name} must be a domain such as .example.com`);
      return raw;
    }),
  };
}

/** RFC 6265's cookie-name token: no separators, spaces or controls. */
function cookieName(name: string, raw: string): string {
  // RFC 7230's tchar, with the quote and the backtick written as escapes.
  if (!/^[!#$%&\x27*+\-.^_\x60|~0-9A-Za-z]+$/.test(raw)) throw new SettingsError(`${name} must be a cookie name (letters, digits and !#$%&*+-.^_|~)`);
  return raw;
}

/**
 * Values that are fine alone but not together. (A SESSION_LIFETIME longer than the refresh token's is fine:
 * the refresh lifetime is then how long a session may sit unused, the session lifetime how long it lasts.)
 */
function consistent(settings: Settings): Settings {
  if (settings.accessTokenLifetime > settings.refreshTokenLifetime) {
    throw new SettingsError('ACCESS_TOKEN_LIFETIME must not be longer than REFRESH_TOKEN_LIFETIME');
  }
  if (settings.accessTokenLifetime > settings.sessionLifetime) throw new SettingsError('ACCESS_TOKEN_LIFETIME must not be longer than SESSION_LIFETIME');
  const cookie = settings.authCookie;
  if (cookie) {
    // Browsers refuse SameSite=None without Secure; and credentialed CORS cannot answer "*".
    if (cookie.sameSite === 'None' && !cookie.secure) throw new SettingsError('JWT_AUTH_SAMESITE=None needs JWT_AUTH_SECURE on');
    if (settings.corsAllowedOrigins.includes('*')) throw new SettingsError('CORS_ALLOWED_ORIGINS must name the origins, not *, when AUTH_COOKIE is on (cookies need credentialed CORS)');
    if (cookie.name === cookie.csrfCookieName) throw new SettingsError('JWT_AUTH_REFRESH_COOKIE and CSRF_COOKIE_NAME must differ');
  }
  return settings;
}

let cached: Settings | undefined;

/** The settings of this process, read on first use. */
export function settings(): Settings {
  cached ??= loadSettings();
  return cached;
}
