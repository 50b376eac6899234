/**
 * fetch() for the tests that call the API over HTTP (the local runner): every answer is checked against
 * the OpenAPI document that server serves at GET /api/schema/ (built from its own settings).
 */
import { findRoute } from '../../infra/routes';
import type { JsonObject } from '../../shared/http/errors';
import { lowerCaseHeaders } from '../../shared/http/request';
import { checkExchange, OpenApiMismatch, type Exchange } from './openapi-responses';

const documents = new Map<string, Promise<JsonObject>>();

/** The document the server at `origin` serves; itself checked against itself. */
function documentOf(origin: string): Promise<JsonObject> {
  let document = documents.get(origin);
  if (!document) {
    document = (async () => {
      const response = await fetch(`${origin}/api/schema/`);
      const text = await response.text();
      if (response.status !== 200) throw new OpenApiMismatch(`OpenAPI: GET ${origin}/api/schema/ answered ${response.status}: ${text.slice(0, 300)}`);
      const served = JSON.parse(text) as JsonObject;
      checkExchange(httpExchange('GET', '/api/schema/', {}, response.status, Object.fromEntries(response.headers), text), served);
      return served;
    })();
    documents.set(origin, document);
    document.catch(() => documents.delete(origin));
  }
  return document;
}

function httpExchange(method: string, path: string, requestHeaders: Record<string, string | undefined>, status: number, headers: Record<string, string>, body: string): Exchange {
  const upper = method.toUpperCase();
  const match = findRoute(path, upper);
  return { via: 'http', method: upper, path, requestHeaders: lowerCaseHeaders(requestHeaders), route: match?.route, proxy: match?.pathParameters?.proxy, status, headers, body };
}

/** Checks an answer received over HTTP from the server at `origin` (for clients other than fetch). */
export async function checkHttpAnswer(
  origin: string,
  request: { method: string; path: string; headers?: Record<string, string> },
  answer: { status: number; headers: Record<string, string>; body: string },
): Promise<void> {
  checkExchange(httpExchange(request.method, request.path, request.headers ?? {}, answer.status, answer.headers, answer.body), await documentOf(origin));
}

/** fetch(), with the answer checked; its body can still be read. */
export async function apiFetch(url: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(url, init);
  const { origin, pathname } = new URL(url);
  await checkHttpAnswer(
    origin,
    { method: init.method ?? 'GET', path: pathname, headers: Object.fromEntries(new Headers(init.headers)) },
    { status: response.status, headers: Object.fromEntries(response.headers), body: await response.clone().text() },
  );
  return response;
}
