/**
 * The error contract: each error already knows the status, body and headers simplejwt / DRF would answer
 * with, so a handler only throws and the HTTP adapter only renders.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly body: JsonObject,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(typeof body.detail === 'string' ? body.detail : `HTTP ${status}`);
  }
}

/** Every 401 names the scheme and realm, as simplejwt's views and JWTAuthentication do. */
export const WWW_AUTHENTICATE = 'Bearer realm="api"';

export function unauthorized(body: JsonObject): HttpError {
  return new HttpError(401, body, { 'WWW-Authenticate': WWW_AUTHENTICATE });
}

/** DRF AuthenticationFailed as simplejwt raises it: `{"detail", "code"}`, the code only when given. */
export function authenticationFailed(detail: string, code?: string): HttpError {
  return unauthorized(code === undefined ? { detail } : { detail, code });
}

/** simplejwt InvalidToken raised by a view: `{"detail": <message>, "code": "token_not_valid"}`. */
export function tokenNotValid(message: string): HttpError {
  return authenticationFailed(message, 'token_not_valid');
}

export function notAuthenticated(): HttpError {
  return authenticationFailed('Authentication credentials were not provided.');
}

/** DRF ValidationError from a serializer: per-field lists of messages. */
export function validationFailed(errors: Record<string, string[]>): HttpError {
  return new HttpError(400, errors);
}

export function badRequest(detail: string): HttpError {
  return new HttpError(400, { detail });
}

export function notFound(): HttpError {
  return new HttpError(404, { detail: 'Not found.' });
}

export function methodNotAllowed(method: string): HttpError {
  return new HttpError(405, { detail: `Method "${method}" not allowed.` });
}

export function unsupportedMediaType(mediaType: string): HttpError {
  return new HttpError(415, { detail: `Unsupported media type "${mediaType}" in request.` });
}

export function payloadTooLarge(limitBytes: number): HttpError {
  return new HttpError(413, { detail: `Request body is larger than ${limitBytes} bytes.` });
}

/** A dependency (DynamoDB) is throttling, slow or unreachable: retryable, and nothing was changed. */
export function serviceUnavailable(retryAfterSeconds = 1): HttpError {
  return new HttpError(
    503,
    { detail: 'Service temporarily unavailable, try again later.', code: 'service_unavailable' },
    { 'Retry-After': String(retryAfterSeconds) },
  );
}
