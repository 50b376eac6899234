/**
 * In-process answers checked against the OpenAPI document: which route a handler serves (tests call many
 * handlers with the default path '/', so the route comes from the handler, not the path), and handlers
 * wrapped so that every answer they give is checked.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ROUTES, type Route } from '../../infra/routes';
import type { LambdaHandler } from '../../shared/http/endpoint';
import { lowerCaseHeaders } from '../../shared/http/request';
import { checkExchange } from './openapi-responses';

const routeOf = new WeakMap<LambdaHandler, Route>();

const routeNamed = (name: Route['name']) => ROUTES.find((route) => route.name === name)!;

/** Says which route a handler that is not a module's own export serves (a test's wrapper around one). */
export function servesRoute<Handler extends LambdaHandler>(handler: Handler, name: Route['name']): Handler {
  routeOf.set(handler, routeNamed(name));
  return handler;
}

/**
 * The route of a functions/<name>.ts handler. Tests reload the handlers after vi.resetModules(), so each
 * module graph has its own: on a miss, the handlers of the graph loaded now are looked at too.
 */
export async function routeOfHandler(handler: LambdaHandler): Promise<Route | undefined> {
  if (!routeOf.has(handler)) {
    await Promise.all(
      ROUTES.map(async (route) => routeOf.set(((await import(`../../functions/${route.name}.ts`)) as { handler: LambdaHandler }).handler, route)),
    );
  }
  return routeOf.get(handler);
}

/** Checks what a handler answered to `event` against the document (throws on a mismatch). */
export function checkHandlerAnswer(event: APIGatewayProxyEventV2, result: APIGatewayProxyStructuredResultV2, route: Route | undefined): void {
  const body = result.body === undefined ? '' : result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body;
  checkExchange({
    via: 'handler',
    method: event.requestContext.http.method,
    path: event.rawPath,
    requestHeaders: lowerCaseHeaders(event.headers),
    route,
    proxy: event.pathParameters?.proxy,
    status: result.statusCode ?? 200,
    headers: Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)])),
    body,
  });
}

/** The handler of route `name`, every answer of which is checked against the document. */
export function checkedHandler(handler: LambdaHandler, name: Route['name']): LambdaHandler {
  return async (event: APIGatewayProxyEventV2) => {
    const result = await handler(event);
    checkHandlerAnswer(event, result, routeNamed(name));
    return result;
  };
}
