/**
 * The HTTP adapter: an API Gateway HTTP API (payload format 2.0) event in, a structured result out.
 * Method dispatch, the body size limit and the rendering of every error live here, so that a handler
 * only says what its endpoint does.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describeError, log } from '../log';
import { SettingsError } from '../settings';
import { corsHeaders, isPreflight } from './cors';
import { HttpError, methodNotAllowed, notFound, type Json } from './errors';
import { lowerCaseHeaders, toRequest, type HttpRequest } from './request';
import { PARSED_MEDIA_TYPES } from './request-body';

export interface HttpResponse {
  readonly status: number;
  /** No body at all for a 204. */
  readonly body?: Json;
  readonly headers?: Readonly<Record<string, string>>;
  /** Set-Cookie values (payload 2.0's `cookies`: API Gateway sends one Set-Cookie header each). */
  readonly cookies?: readonly string[];
}

export type LambdaHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export function ok(body: Json): HttpResponse {
  return { status: 200, body };
}

export function noContent(): HttpResponse {
  return { status: 204 };
}

interface EndpointOptions<Auth> {
  /** The view's name in DRF's OPTIONS metadata, e.g. "Token Refresh". */
  readonly name: string;
  /** The methods the endpoint serves; GET implies HEAD, and OPTIONS is always answered. */
  readonly methods: readonly ('GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE')[];
  /**
   * Runs before the method check, as DRF authenticates before dispatching (an unauthenticated POST to a
   * GET-only protected view is a 401, not a 405).
   */
  readonly authenticate?: (request: HttpRequest) => Promise<Auth>;
  readonly handle: (request: HttpRequest, auth: Auth) => Promise<HttpResponse>;
}

export function endpoint<Auth = undefined>(options: EndpointOptions<Auth>): LambdaHandler {
  const served = new Set<string>(options.methods);
  if (served.has('GET')) served.add('HEAD');
  const allow = [...served, 'OPTIONS'].join(', ');
  // What DRF's SimpleMetadata answers to OPTIONS (without the per-field "actions").
  const metadata = { name: options.name, description: '', renders: ['application/json'], parses: [...PARSED_MEDIA_TYPES] };

  return async (event) => {
    const early = answerBeforeHandler(event);
    if (early) return early;
    const method = event.requestContext.http.method.toUpperCase();
    let response: HttpResponse;
    try {
      const request = toRequest(event);
      const auth = options.authenticate ? await options.authenticate(request) : (undefined as Auth);
      if (method === 'OPTIONS') response = ok(metadata);
      else if (!served.has(method)) throw methodNotAllowed(method);
      else response = await options.handle(request, auth);
    } catch (error) {
      response = errorResponse(error, event);
    }
    return render(response, allow);
  };
}

/**
 * What every handler answers before its own work, including those not built with endpoint():
 * - a browser's CORS preflight, before authentication (a browser sends no credentials with it), 204;
 * - a request that reached a route's `{proxy+}` twin (the route that catches the trailing-slash spelling,
 *   see infra/routes.ts) with more than a trailing slash after the route's path: the JSON 404.
 */
export function answerBeforeHandler(event: APIGatewayProxyEventV2): APIGatewayProxyStructuredResultV2 | undefined {
  try {
    const headers = lowerCaseHeaders(event.headers);
    if (isPreflight(event.requestContext.http.method, headers)) return render({ status: 204, headers: corsHeaders(headers.origin, true) });
    if (event.pathParameters?.proxy) throw notFound();
    return undefined;
  } catch (error) {
    return renderError(error, event);
  }
}

/**
 * An error answered as every endpoint answers it (status, body, headers, and a logged 500 for anything
 * unexpected), for handlers that are not built with endpoint().
 */
export function renderError(error: unknown, event: APIGatewayProxyEventV2): APIGatewayProxyStructuredResultV2 {
  return render(errorResponse(error, event));
}

function errorResponse(error: unknown, event: APIGatewayProxyEventV2): HttpResponse {
  if (error instanceof HttpError) return { status: error.status, body: error.body, headers: error.headers };
  const requestId = event.requestContext?.requestId;
  if (error instanceof SettingsError) {
    // Settings messages name the variable, never its value.
    log.error(`misconfigured: ${error.message}`, { requestId });
  } else {
    log.error('unhandled error', { requestId, ...describeError(error) });
  }
  return { status: 500, body: { detail: 'A server error occurred.' } };
}

function render(response: HttpResponse, allow?: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: response.status,
    headers: {
      'Content-Type': 'application/json',
      ...(allow === undefined ? {} : { Allow: allow }),
      // Token responses must not be cached (RFC 6749 section 5.1); nothing here is cacheable.
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...response.headers,
    },
    ...(response.cookies?.length ? { cookies: [...response.cookies] } : {}),
    ...(response.body === undefined ? {} : { body: JSON.stringify(response.body) }),
  };
}
