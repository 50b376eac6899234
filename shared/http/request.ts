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
  };
}
