/** OpenAPI response and header objects, and the responses many operations share (components.responses). */
import { WWW_AUTHENTICATE, type JsonObject } from '../http/errors';
import { fieldErrors, ref, type Schema } from './schemas';

export type Response = JsonObject;

export const responseRef = (name: string): Response => ({ $ref: `#/components/responses/${name}` });
const headerRef = (name: string): JsonObject => ({ $ref: `#/components/headers/${name}` });

/** A JSON answer. */
export function json(description: string, schema: Schema, headers: Record<string, JsonObject> = {}, mediaType = 'application/json'): Response {
  return { description, content: { [mediaType]: { schema } }, ...(Object.keys(headers).length > 0 ? { headers } : {}) };
}

/** An answer without a body (204). */
export const noBody = (description: string): Response => ({ description });

/** DRF's 400: the serializer's field errors, or the parser's. */
export const badRequest = (fields: readonly string[]): Response =>
  json('Invalid input: per-field messages, or a body that could not be parsed.', { oneOf: [fieldErrors(fields), ref('ParseError')] });

const unauthorizedHeaders = { 'WWW-Authenticate': headerRef('WWW-Authenticate') };

/** A 401 with the WWW-Authenticate header every 401 of the service carries. */
export const unauthorized = (description: string, schema: Schema): Response => json(description, schema, unauthorizedHeaders);

const retryAfter = { 'Retry-After': headerRef('Retry-After') };

export const HEADERS: Record<string, JsonObject> = {
  'WWW-Authenticate': { description: 'The scheme and realm, on every 401 of the service.', required: true, schema: { type: 'string', const: WWW_AUTHENTICATE } },
  'Retry-After': { description: 'Seconds to wait before trying again.', required: true, schema: { type: 'string', pattern: '^\\d+$' } },
  Allow: { description: 'The methods the path serves.', required: true, schema: { type: 'string' } },
  'X-CSRFToken': {
    description: "Cookie mode: the CSRF token to send back in the X-CSRFToken request header (for an app on another site, which cannot read the csrftoken cookie).",
    schema: { type: 'string', pattern: '^[a-zA-Z0-9]{32}$' },
  },
  'Set-Cookie': { description: 'Cookie mode: the HttpOnly refresh cookie (set, or removed), and at login the csrftoken cookie.', schema: { type: 'string' } },
};

export const RESPONSES: Record<string, Response> = {
  Unauthorized: unauthorized('The bearer token is missing or refused.', ref('AuthenticationFailed')),
  NotFound: json('No such object (or more than the trailing slash after a path).', ref('NotFound')),
  MethodNotAllowed: json('A method the path does not serve (any path; not listed per operation).', ref('MethodNotAllowed'), { Allow: headerRef('Allow') }),
  PayloadTooLarge: json('The request body is too large.', ref('PayloadTooLarge')),
  UnsupportedMediaType: json('A body of a media type other than JSON, form-encoded or multipart.', ref('UnsupportedMediaType')),
  TooManyLoginAttempts: json('Too many wrong passwords for this username or from this client address.', ref('TooManyLoginAttempts'), retryAfter),
  Throttled: json('Too many requests for mails, or wrong link tokens, for this address or user.', ref('Throttled'), retryAfter),
  CsrfFailed: json("Cookie mode: the request's Origin is not trusted, or its CSRF proof is missing or wrong (Django's reasons).", ref('CsrfFailed')),
  ServiceUnavailable: json('DynamoDB, the secrets or the mail service is throttling, slow or unreachable: retryable, nothing was changed.', ref('ServiceUnavailable'), retryAfter),
  ServerError: json('A fault or a misconfiguration (logged).', ref('ServerError')),
};
