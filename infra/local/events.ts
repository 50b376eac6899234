/**
 * Builds the event API Gateway's HTTP API sends a Lambda function (payload format 2.0), so the local
 * runner and the tests invoke the handlers exactly as the cloud does: lower-case header names, repeated
 * headers joined by commas, cookies in their own list, binary bodies base64-encoded.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';

export interface IncomingRequest {
  readonly method: string;
  /** Path and query, e.g. "/api/token/?x=1". */
  readonly url: string;
  readonly routePath?: string;
  /** The matched route key, e.g. "ANY /api/token/{proxy+}"; `ANY <routePath>` when only the path is given. */
  readonly routeKey?: string;
  /** The values of the route's `{name}` segments. */
  readonly pathParameters?: Readonly<Record<string, string>>;
  /** Raw header pairs; names in any case, a name may repeat. */
  readonly headers?: readonly (readonly [string, string])[];
  readonly body?: Buffer | string;
  readonly sourceIp?: string;
}

/**
 * Bodies API Gateway delivers as text; every other body, form-encoded ones and those without a Content-Type
 * included, arrives base64-encoded (observed against AWS in ministackorg/ministack#766; the AWS page above
 * says only that binary bodies are base64-encoded).
 */
const TEXT_TYPES = /^(text\/|application\/(json|[\w.+-]+\+json|xml|javascript))/i;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The path as the client sent it: no dot segments resolved, no percent-decoding. */
export function rawPathOf(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

export function httpApiEvent(request: IncomingRequest): APIGatewayProxyEventV2 {
  const url = new URL(request.url, 'http://localhost');
  const rawPath = rawPathOf(request.url);
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [rawName, value] of request.headers ?? []) {
    const name = rawName.toLowerCase();
    if (name === 'cookie') {
      cookies = [...(cookies ?? []), ...value.split(/;\s*/).filter(Boolean)];
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const method = request.method.toUpperCase();
  const routeKey = request.routeKey ?? (request.routePath ? `ANY ${request.routePath}` : '$default');
  const now = new Date();
  const bodyBytes = request.body === undefined ? undefined : Buffer.from(request.body);
  const { body, isBase64Encoded } = encodeBody(bodyBytes, headers['content-type']);
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: url.search.slice(1),
    ...(cookies ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(request.pathParameters ? { pathParameters: { ...request.pathParameters } } : {}),
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0]!,
      http: {
        method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded,
  };
}

/** What API Gateway sends a REQUEST authorizer (payload 2.0) for the request `event` describes. */
export function authorizerEvent(event: APIGatewayProxyEventV2): APIGatewayRequestAuthorizerEventV2 {
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:local:000000000000:${event.requestContext.apiId}/${event.requestContext.stage}/${event.requestContext.http.method}${event.rawPath}`,
    identitySource: [event.headers.authorization ?? ''],
    routeKey: event.routeKey,
    rawPath: event.rawPath,
    rawQueryString: event.rawQueryString,
    cookies: event.cookies ?? [],
    headers: event.headers,
    ...(event.queryStringParameters ? { queryStringParameters: event.queryStringParameters } : {}),
    requestContext: event.requestContext,
  };
}

function encodeBody(bytes: Buffer | undefined, contentType: string | undefined): { body?: string; isBase64Encoded: boolean } {
  if (bytes === undefined || bytes.byteLength === 0) return { isBase64Encoded: false };
  if (contentType !== undefined && TEXT_TYPES.test(contentType)) {
    try {
      return { body: utf8.decode(bytes), isBase64Encoded: false };
    } catch {
      // not UTF-8: delivered base64-encoded, as API Gateway does for binary payloads
    }
  }
  return { body: bytes.toString('base64'), isBase64Encoded: true };
}
