/**
 * CORS as this API's HTTP API configuration declares it: which headers and methods browsers may use, which
 * origins are allowed (CORS_ALLOWED_ORIGINS), and the answer to a preflight.
 *
 * API Gateway answers a preflight itself only when no route matches OPTIONS; an ANY route does, so the
 * preflight reaches the handler, and the authorizer first where the route has one (AWS's CORS page, on
 * routes that catch OPTIONS: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html;
 * aws/serverless-application-model#1603). A browser sends no Authorization header on a preflight, so every
 * handler answers one before it authenticates, and protected routes get an OPTIONS route without the
 * authorizer. API Gateway adds the configured CORS headers to what the integration answers and ignores the
 * integration's own (same page); the handler's are for any other caller.
 */
import { settings } from '../settings';
import type { Headers } from './request';

/** x-csrftoken: cookie mode's double submit (csrf.ts). */
export const CORS_ALLOWED_HEADERS = ['authorization', 'content-type', 'x-csrftoken'] as const;
/** Cookie mode hands an app on another site its CSRF token in this header (sessions/refresh-cookie.ts). */
export const CORS_EXPOSED_HEADERS = ['x-csrftoken'] as const;
export const CORS_ALLOWED_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export const CORS_MAX_AGE_SECONDS = 600;

/** A browser's preflight: OPTIONS with Origin and Access-Control-Request-Method (the Fetch standard's CORS-preflight request). */
export function isPreflight(method: string, headers: Headers): boolean {
  return method.toUpperCase() === 'OPTIONS' && Boolean(headers.origin) && Boolean(headers['access-control-request-method']);
}

export function isAllowedOrigin(origin: string | undefined, allowed: readonly string[] = settings().corsAllowedOrigins): boolean {
  return origin !== undefined && (allowed.includes('*') || allowed.includes(origin));
}

/** The CORS headers an answer to `origin` carries (none for an origin not allowed); a preflight's also name methods and headers. */
export function corsHeaders(origin: string | undefined, preflight: boolean, allowed: readonly string[] = settings().corsAllowedOrigins): Record<string, string> {
  if (!isAllowedOrigin(origin, allowed)) return {};
  // Cookie mode needs credentialed CORS (settings refuse "*" with it).
  const credentials = settings().authCookie !== undefined;
  return {
    'Access-Control-Allow-Origin': allowed.includes('*') ? '*' : origin!,
    Vary: 'Origin',
    ...(credentials ? { 'Access-Control-Allow-Credentials': 'true' } : {}),
    ...(credentials && !preflight ? { 'Access-Control-Expose-Headers': CORS_EXPOSED_HEADERS.join(',') } : {}),
    ...(preflight
      ? {
          'Access-Control-Allow-Methods': CORS_ALLOWED_METHODS.join(','),
          'Access-Control-Allow-Headers': CORS_ALLOWED_HEADERS.join(','),
          'Access-Control-Max-Age': String(CORS_MAX_AGE_SECONDS),
        }
      : {}),
  };
}
