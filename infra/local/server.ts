/**
 * The local stand-in for API Gateway: an HTTP server that turns each request into a payload-2.0 event,
 * invokes the very handler function Lambda would run, and writes its result back. It also does what the
 * cloud API does around the handlers: both trailing-slash forms of every route, a JSON 404 for unknown
 * paths, the 10 MB payload limit, and CORS for the configured origins.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { LambdaHandler } from '../../shared/http/endpoint';
import { CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, findRoute, type Route } from '../routes';
import { authorizerEvent, httpApiEvent, rawPathOf } from './events';

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
      .catch(() => writeJson(response, 500, { message: 'Internal Server Error' }))
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
  const origin = request.headers.origin;
  const allowedOrigin = origin !== undefined && isAllowedOrigin(origin, cors) ? origin : undefined;
  if (allowedOrigin) {
    response.setHeader('Access-Control-Allow-Origin', cors.allowedOrigins.includes('*') ? '*' : allowedOrigin);
    response.setHeader('Vary', 'Origin');
  }
  // With CORS configured, API Gateway answers preflight requests itself, before any route.
  if (cors.allowedOrigins.length > 0 && request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
    if (allowedOrigin) {
      response.setHeader('Access-Control-Allow-Methods', CORS_ALLOWED_METHODS.join(','));
      response.setHeader('Access-Control-Allow-Headers', CORS_ALLOWED_HEADERS.join(','));
      response.setHeader('Access-Control-Max-Age', String(cors.maxAgeSeconds ?? 600));
    }
    response.writeHead(204).end();
    return;
  }

  const match = findRoute(rawPathOf(request.url ?? '/'));
  if (!match) return writeJson(response, 404, { detail: 'Not found.' });
  const { route } = match;

  const body = await readBody(request);
  if (body === undefined) {
    response.setHeader('Connection', 'close');
    return writeJson(response, 413, { message: 'Request Entity Too Large' });
  }

  const event = httpApiEvent({
    method: request.method ?? 'GET',
    url: request.url ?? '/',
    routePath: route.path,
    ...(match.pathParameters ? { pathParameters: match.pathParameters } : {}),
    headers: pairs(request.rawHeaders),
    body,
    sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
  });
  if (route.protected) {
    // What API Gateway does for a route behind the Lambda authorizer (identity source: Authorization).
    if (!event.headers.authorization) return writeJson(response, 401, { message: 'Unauthorized' });
    const decision = await (await authorizer())(authorizerEvent(event));
    if (!decision.isAuthorized) return writeJson(response, 403, { message: 'Forbidden' });
    (event.requestContext as typeof event.requestContext & { authorizer: unknown }).authorizer = { lambda: decision.context };
  }
  const result = await (await handlerFor(route))(event);
  writeResult(response, result);
}

let authorizerModule: Promise<typeof import('../../functions/authorizer')> | undefined;
const authorizer = async () => (await (authorizerModule ??= import('../../functions/authorizer'))).handler;

export function isAllowedOrigin(origin: string, cors: CorsOptions): boolean {
  return cors.allowedOrigins.includes('*') || cors.allowedOrigins.includes(origin);
}

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

function writeResult(response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  for (const [name, value] of Object.entries(result.headers ?? {})) response.setHeader(name, String(value));
  if (result.cookies?.length) response.setHeader('Set-Cookie', result.cookies);
  const body = result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  response.writeHead(result.statusCode ?? 200).end(body);
}

function writeJson(response: ServerResponse, status: number, body: object): void {
  if (response.headersSent) return void response.end();
  response.setHeader('Content-Type', 'application/json');
  response.writeHead(status).end(JSON.stringify(body));
}
