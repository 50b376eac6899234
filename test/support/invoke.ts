/**
 * Calls a handler the way API Gateway would, and reads its answer like an HTTP client; every answer is
 * checked against the OpenAPI document (test/support/openapi-responses.ts).
 */
import type { LambdaHandler } from '../../shared/http/endpoint';
import { httpApiEvent } from '../../infra/local/events';
import { checkHandlerAnswer, routeOfHandler } from './checked-handlers';

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
  /** Set-Cookie values (payload 2.0's `cookies`). */
  readonly cookies: readonly string[];
}

export interface Call {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  /** An object is sent as JSON; a string or Buffer is sent as it is. */
  readonly body?: unknown;
  /** The client's address; by default each call comes from a different one (the tests are many clients, not one). */
  readonly sourceIp?: string;
  readonly pathParameters?: Record<string, string>;
}

const randomAddress = () => `198.51.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;

export async function invoke(handler: LambdaHandler, call: Call = {}): Promise<Answer> {
  const headers = { ...call.headers };
  let body: string | Buffer | undefined;
  if (typeof call.body === 'string' || Buffer.isBuffer(call.body)) body = call.body;
  else if (call.body !== undefined) {
    body = JSON.stringify(call.body);
    headers['content-type'] ??= 'application/json';
  }
  const event = httpApiEvent({
    method: call.method ?? 'POST',
    url: call.path ?? '/',
    headers: Object.entries(headers),
    ...(body === undefined ? {} : { body }),
    sourceIp: call.sourceIp ?? randomAddress(),
    ...(call.pathParameters ? { pathParameters: call.pathParameters } : {}),
  });
  const result = await handler(event);
  checkHandlerAnswer(event, result, await routeOfHandler(handler));
  const text = result.body ?? '';
  return {
    status: result.statusCode ?? 200,
    headers: Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)])),
    body: text === '' ? undefined : JSON.parse(text),
    cookies: result.cookies ?? [],
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
