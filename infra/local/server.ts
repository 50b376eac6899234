/**
 * The local stand-in for API Gateway: an HTTP server that turns each request into a payload-2.0 event,
 * invokes the very handler function Lambda would run, and writes its result back. Around the handlers it
 * does what the HTTP API the CDK construct declares does: it selects route keys as API Gateway does
 * (infra/routes.ts: the `{proxy+}` twins take the trailing slash), runs the authorizer for protected routes,
 * sends preflights that a route takes to its handler and answers the others itself, adds the configured
 * CORS headers to every answer and drops the handler's own, enforces the 10 MB payload limit, and answers an
 * unknown path with its 404. Beyond API Gateway, it serves the example web app at `GET /` (local/example-app.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { LambdaHandler } from '../../shared/http/endpoint';
import { corsHeaders, isPreflight } from '../../shared/http/cors';
import { findRoute, type Route } from '../routes';
import { authorizerEvent, httpApiEvent, rawPathOf } from './events';
import { serveExampleApp } from './example-app';

/** API Gateway's own payload limit for HTTP APIs. */
const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface CorsOptions {
  /** Origins allowed to call the API from a browser; "*" allows any. Empty: no CORS headers at all. */
  readonly allowedOrigins: readonly string[];
  readonly maxAgeSeconds?: number;
}

export type HandlerLoader = (route: Route) => Promise<LambdaHandler>;

/** Imports functions/<name>.ts, the same module Lambda runs. */
export const importHandler: HandlerLoader = async (route) =>
  ((await import(`../../functions/${route.name}.ts`)) as { handler: LambdaHandler }).handler;

export function createLocalServer(cors: CorsOptions, loadHandler: HandlerLoader = importHandler): Server {
  const handlers = new Map<string, Promise<LambdaHandler>>();
  const handlerFor = (route: Route) => {
    if (!handlers.has(route.name)) handlers.set(route.name, loadHandler(route));
    return handlers.get(route.name)!;
  };

  return createServer((request, response) => {
    const started = process.hrtime.bigint();
    serve(request, response, cors, handlerFor)
      .catch(() => write(response, 500, { 'Content-Type': 'application/json' }, { message: 'Internal Server Error' }))
      .finally(() => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        // Method, path and status only: never a header or a body.
        console.log(`${request.method} ${rawPathOf(request.url ?? '/')} ${response.statusCode} ${ms.toFixed(1)}ms`);
      });
  });
}

async function serve(
  request: IncomingMessage,
  response: ServerResponse,
  cors: CorsOptions,
  handlerFor: (route: Route) => Promise<LambdaHandler>,
): Promise<void> {
  const method = (request.method ?? 'GET').toUpperCase();
  const origin = request.headers.origin;
  const preflight = isPreflight(method, { origin, 'access-control-request-method': request.headers['access-control-request-method'] });
  // With CORS configured, API Gateway adds the configured headers to every answer and ignores the handler's own.
  const withCors = (headers: Record<string, string> = {}) => ({
    ...Object.fromEntries(Object.entries(headers).filter(([name]) => !/^access-control-/i.test(name))),
    ...(cors.allowedOrigins.length > 0 ? corsHeaders(origin, preflight, cors.allowedOrigins) : {}),
  });

  // npm start's extra, which API Gateway does not have: GET / and the example app's own files.
  if (await serveExampleApp(method, rawPathOf(request.url ?? '/'), response)) return;

  const match = findRoute(rawPathOf(request.url ?? '/'), method);
  if (!match) {
    // No route takes the request: API Gateway answers a preflight itself, and anything else with its 404
    // (the body AWS's own emulator gives for HTTP APIs: aws/aws-lambda-dotnet#1909).
    if (preflight && cors.allowedOrigins.length > 0) return write(response, 204, withCors());
    return write(response, 404, withCors({ 'Content-Type': 'application/json' }), { message: 'Not Found' });
  }
  const { key, route } = match;

  const body = await readBody(request);
  if (body === undefined) {
    response.setHeader('Connection', 'close');
    return write(response, 413, withCors({ 'Content-Type': 'application/json' }), { message: 'Request Entity Too Large' });
  }

  const event = httpApiEvent({
    method,
    url: request.url ?? '/',
    routeKey: `${key.method} ${key.path}`,
    ...(match.pathParameters ? { pathParameters: match.pathParameters } : {}),
    headers: pairs(request.rawHeaders),
    body,
    sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
  });
  if (key.authorized) {
    // What API Gateway does for a route behind the Lambda authorizer (identity source: Authorization).
    if (!event.headers.authorization) return write(response, 401, withCors({ 'Content-Type': 'application/json' }), { message: 'Unauthorized' });
    const decision = await (await authorizer())(authorizerEvent(event));
    if (!decision.isAuthorized) return write(response, 403, withCors({ 'Content-Type': 'application/json' }), { message: 'Forbidden' });
    (event.requestContext as typeof event.requestContext & { authorizer: unknown }).authorizer = { lambda: decision.context };
  }
  const result = await (await handlerFor(route))(event);
  writeResult(response, result, withCors);
}

let authorizerModule: Promise<typeof import('../../functions/authorizer')> | undefined;
const authorizer = async () => (await (authorizerModule ??= import('../../functions/authorizer'))).handler;

function pairs(raw: string[]): [string, string][] {
  const result: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) result.push([raw[i]!, raw[i + 1]!]);
  return result;
}

/** The whole body, or undefined once it passes the gateway's limit. */
function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > GATEWAY_MAX_BODY_BYTES) {
        request.pause();
        resolve(undefined);
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function writeResult(response: ServerResponse, result: APIGatewayProxyStructuredResultV2, withCors: (headers: Record<string, string>) => Record<string, string>): void {
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]));
  for (const [name, value] of Object.entries(withCors(headers))) response.setHeader(name, value);
  if (result.cookies?.length) response.setHeader('Set-Cookie', result.cookies);
  const body = result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  response.writeHead(result.statusCode ?? 200).end(body);
}

function write(response: ServerResponse, status: number, headers: Record<string, string>, body?: object): void {
  if (response.headersSent) return void response.end();
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.writeHead(status).end(body === undefined ? undefined : JSON.stringify(body));
}
