/**
 * Cookie mode (AUTH_COOKIE): for browser apps, the refresh token lives in an HttpOnly cookie that page
 * script never reads (so an XSS cannot carry a session away), sent by the browser to refresh and logout only
 * (a cookie per path), and ending with the session. Because the browser sends that cookie on its own, a
 * request that uses it must prove it comes from the app (http/csrf.ts). A refresh token in the body still
 * works as in simplejwt, without the cookie or CSRF proof: it is what native clients send.
 */
import { setCookie, clearCookie, type CookieAttributes } from '../http/cookies';
import { checkDoubleSubmit, checkOrigin, newCsrfToken } from '../http/csrf';
import { HttpError, tokenNotValid, type JsonObject } from '../http/errors';
import type { HttpResponse } from '../http/endpoint';
import type { HttpRequest } from '../http/request';
import { stringFields, type RequestData } from '../http/request-body';
import { settings, type AuthCookieSettings } from '../settings';

/** The two endpoints that read the cookie (contract paths, under the API's base path). */
const COOKIE_PATHS = ['/api/token/refresh', '/account/logout'] as const;
/** Django's CSRF_COOKIE_AGE: one year. */
const CSRF_COOKIE_AGE = 31449600;
/** The response header that hands the CSRF token to an app on another site, which cannot read the cookie. */
export const CSRF_RESPONSE_HEADER = 'X-CSRFToken';

export interface PresentedRefreshToken {
  readonly token: string;
  readonly fromCookie: boolean;
}

const cookieMode = (): AuthCookieSettings | undefined => settings().authCookie;

/** The origins a cookie-mode request may come from: the API's own and the CORS-allowed ones. */
function trustedOrigins(): string[] {
  const { apiUrl, corsAllowedOrigins } = settings();
  return [...(apiUrl ? [new URL(apiUrl).origin] : []), ...corsAllowedOrigins];
}

/** In cookie mode, a login must come from a trusted origin too: another site must not log a browser in (login CSRF). */
export function checkLoginOrigin(request: HttpRequest): void {
  if (cookieMode()) checkOrigin(request, trustedOrigins());
}

/**
 * In cookie mode, when the body has no `refresh`: the cookie's token, once the request has passed the
 * Origin check and the double submit. Undefined otherwise (a body token is read as simplejwt reads it).
 */
export function refreshCookieToken(request: HttpRequest, data: RequestData): string | undefined {
  const mode = cookieMode();
  if (!mode || (data.refresh !== undefined && data.refresh !== '')) return undefined;
  const token = request.cookies[mode.name];
  if (token === undefined || token === '') return undefined;
  checkOrigin(request, trustedOrigins());
  checkDoubleSubmit(request, mode.csrfCookieName);
  return token;
}

/**
 * The refresh token a request must present: the cookie's (see refreshCookieToken) or the body's; without
 * either, in cookie mode dj-rest-auth's 401 (the app is not logged in), otherwise simplejwt's field errors.
 */
export function requiredRefreshToken(request: HttpRequest, data: RequestData): PresentedRefreshToken {
  const cookie = refreshCookieToken(request, data);
  if (cookie !== undefined) return { token: cookie, fromCookie: true };
  if (cookieMode() && (data.refresh === undefined || data.refresh === '')) throw tokenNotValid('No valid refresh token found.');
  return { token: stringFields(data, ['refresh']).refresh, fromCookie: false };
}

/**
 * The answer of a login or refresh with `body` (simplejwt's `access`, and `refresh` when one was issued).
 * In cookie mode the refresh token moves into the cookie (and out of the body unless AUTH_COOKIE_BODY);
 * a login also sets a new CSRF token (Django rotates it at login), and both hand the app its CSRF token.
 */
export function tokenPairResponse(request: HttpRequest, body: JsonObject, { login }: { login: boolean }): HttpResponse {
  const mode = cookieMode();
  if (!mode) return { status: 200, body };
  const { refresh, ...rest } = body;
  const cookies: string[] = [];
  if (typeof refresh === 'string') cookies.push(...refreshCookies(mode, refresh));
  const csrfToken = login ? newCsrfToken() : request.cookies[mode.csrfCookieName];
  if (login) cookies.push(setCookie(mode.csrfCookieName, csrfToken!, { ...csrfCookieAttributes(mode), maxAge: CSRF_COOKIE_AGE }));
  return {
    status: 200,
    body: mode.body && refresh !== undefined ? body : rest,
    cookies,
    ...(csrfToken ? { headers: { [CSRF_RESPONSE_HEADER]: csrfToken } } : {}),
  };
}

/** Set-Cookie values that remove the refresh cookie (none outside cookie mode). */
export function clearedRefreshCookies(): string[] {
  const mode = cookieMode();
  return mode ? cookiePaths().map((path) => clearCookie(mode.name, refreshCookieAttributes(mode, path))) : [];
}

/** An error answered with the refresh cookie removed: the token it held is of no more use. */
export function withCookieCleared(error: HttpError): HttpResponse {
  return { status: error.status, body: error.body, headers: error.headers, cookies: clearedRefreshCookies() };
}

function refreshCookies(mode: AuthCookieSettings, token: string): string[] {
  // The cookie ends when the token does: its exp already accounts for the session's end.
  const maxAge = expiryOf(token) - Date.now() / 1000;
  return cookiePaths().map((path) => setCookie(mode.name, token, { ...refreshCookieAttributes(mode, path), maxAge }));
}

function cookiePaths(): string[] {
  const { apiUrl } = settings();
  const base = apiUrl ? new URL(apiUrl).pathname.replace(/\/+$/, '') : '';
  return COOKIE_PATHS.map((path) => `${base}${path}`);
}

const refreshCookieAttributes = (mode: AuthCookieSettings, path: string): Omit<CookieAttributes, 'maxAge'> => ({
  path,
  sameSite: mode.sameSite,
  secure: mode.secure,
  httpOnly: true,
});

const csrfCookieAttributes = (mode: AuthCookieSettings): Omit<CookieAttributes, 'maxAge'> => ({
  path: '/',
  sameSite: mode.sameSite,
  secure: mode.secure,
  // The page's script reads it to send it back: that is the point of a double submit.
  httpOnly: false,
  domain: mode.csrfCookieDomain,
});

/** The `exp` of a token this service has just signed (read, not verified: it never left this process). */
function expiryOf(token: string): number {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
  if (typeof payload.exp !== 'number') throw new Error('a refresh token without exp');
  return payload.exp;
}
