/**
 * The request a handler sees: an API Gateway HTTP API (payload format 2.0) event reduced to method, path,
 * lower-cased headers and the decoded body, with the body size limit applied before any decoding.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { payloadTooLarge } from './errors';

export type Headers = Readonly<Record<string, string | undefined>>;

export interface HttpRequest {
  /** Upper-case method, e.g. "POST". */
  readonly method: string;
  readonly path: string;
  /** Header names in lower case. */
  readonly headers: Headers;
  readonly body: Buffer;
  /** The client's address as API Gateway saw it (requestContext.http.sourceIp). */
  readonly sourceIp: string | undefined;
  /** Values of the route's `{name}` path segments. */
  readonly pathParameters: Readonly<Record<string, string | undefined>>;
  /** The request's cookies by name (payload 2.0 hands them on in `cookies`, one "name=value" each). */
  readonly cookies: Readonly<Record<string, string>>;
}

/** Far above any credential or token body; API Gateway itself would accept 10 MB. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Header names in lower case. API Gateway's payload 2.0 already delivers them so, but a handler invoked
 * another way (a test, a user's own wiring) may not.
 */
export function lowerCaseHeaders(headers: Readonly<Record<string, string | undefined>> | undefined): Headers {
  const lowered: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) lowered[name.toLowerCase()] = value;
  return lowered;
}

export function toRequest(event: APIGatewayProxyEventV2): HttpRequest {
  const raw = event.body ?? '';
  // Check the size before decoding, so a huge body costs no copy.
  const approximateBytes = event.isBase64Encoded ? Math.floor((raw.length * 3) / 4) : raw.length;
  if (approximateBytes > MAX_BODY_BYTES) throw payloadTooLarge(MAX_BODY_BYTES);
  const body = Buffer.from(raw, event.isBase64Encoded ? 'base64' : 'utf8');
  if (body.byteLength > MAX_BODY_BYTES) throw payloadTooLarge(MAX_BODY_BYTES);
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath,
    headers: lowerCaseHeaders(event.headers),
    body,
    sourceIp: event.requestContext.http.sourceIp || undefined,
    pathParameters: event.pathParameters ?? {},
    cookies: cookiesOf(event),
  };
}

/**
 * Payload 2.0 moves the Cookie header into `cookies`, one entry per cookie, and turns each entry of a
 * response's `cookies` into a Set-Cookie header
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
 * The first value of each name wins: a browser sends the cookie of the most specific path first (RFC 6265, 5.4).
 */
function cookiesOf(event: APIGatewayProxyEventV2): Record<string, string> {
  const cookies: Record<string, string> = {};
  // A handler invoked another way (a test, a user's own wiring) may have only the Cookie header.
  const pairs = event.cookies ?? (event.headers?.cookie ?? event.headers?.Cookie ?? '').split(';');
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const name = pair.slice(0, at).trim();
    if (!(name in cookies)) cookies[name] = pair.slice(at + 1).trim();
  }
  return cookies;
}
