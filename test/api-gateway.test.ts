/**
 * What only API Gateway would show, emulated from its documentation: the events it sends (checked against
 * samples AWS and Powertools publish, kept in test/fixtures/apigw/), the route key it selects (the
 * {proxy+} twins that take the trailing slash), and browsers' CORS preflights, through the local runner
 * and by the rules of the synthesized template.
 *
 * Fixture sources: api-gateway-developer-guide-sample.json, the payload 2.0 sample of
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html;
 * lambda-developer-guide-event-v2.json, sample-apps/nodejs-apig/event-v2.json of the AWS Lambda Developer
 * Guide (awsdocs/aws-lambda-developer-guide), a captured event; powertools-no-auth.json,
 * packages/parser/tests/events/apigw-http/no-auth.json of aws-powertools/powertools-lambda-typescript, a
 * capture from eu-west-1.
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuthStack } from '../infra/cdk/stack';
import { cdkApp } from './support/cdk';
import { httpApiEvent } from '../infra/local/events';
import { createLocalServer } from '../infra/local/server';
import { ROUTES, selectRouteKey, type Route } from '../infra/routes';
import { CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS } from '../shared/http/cors';
import type { LambdaHandler } from '../shared/http/endpoint';
import { OPENAPI_MEDIA_TYPE } from '../shared/openapi/document';
import { apiFetch } from './support/api-fetch';
import { checkedHandler } from './support/checked-handlers';
import { createTestUser } from './support/users';

const FIXTURES = join(import.meta.dirname, 'fixtures/apigw');
const sample = (name: string) => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as APIGatewayProxyEventV2;
const ORIGIN = 'https://app.example.com';
/** A route's handler, every answer of which is checked against the OpenAPI document. */
const handlerOf = async (name: Route['name']) => checkedHandler(((await import(`../functions/${name}.ts`)) as { handler: LambdaHandler }).handler, name);
const concretePath = (path: string) => path.replace('{id}', 'a'.repeat(32));

describe('events as API Gateway sends them', () => {
  const keysOf = (value: object) => Object.keys(value).sort();

  it('the local runner builds the fields of the captured samples, the same way', () => {
    const captured = sample('powertools-no-auth.json');
    const built = httpApiEvent({
      method: 'POST',
      url: '/lambda',
      routeKey: 'POST /lambda',
      headers: Object.entries(captured.headers) as [string, string][],
      sourceIp: captured.requestContext.http.sourceIp,
    });
    // Every field the capture has (but for the authorizer's, which only an authorized route sets).
    expect(keysOf(built)).toEqual(keysOf(captured));
    const { authorizer: _authorizer, ...capturedContext } = captured.requestContext as typeof captured.requestContext & { authorizer?: unknown };
    expect(keysOf(built.requestContext)).toEqual(keysOf(capturedContext));
    expect(keysOf(built.requestContext.http)).toEqual(keysOf(captured.requestContext.http));
    expect(built).toMatchObject({ routeKey: 'POST /lambda', rawPath: '/lambda', rawQueryString: '', headers: captured.headers, isBase64Encoded: false });
  });

  it('joins repeated headers and query values with commas, puts cookies in their own list, as the guide sample shows', () => {
    const guide = sample('api-gateway-developer-guide-sample.json');
    const built = httpApiEvent({
      method: 'POST',
      url: `/my/path?${guide.rawQueryString}`,
      headers: [
        ['Header1', 'value1'],
        ['Header2', 'value1'],
        ['Header2', 'value2'],
        ['Cookie', 'cookie1; cookie2'],
      ],
      body: 'Hello from Lambda',
    });
    expect(built.headers).toEqual(guide.headers);
    expect(built.cookies).toEqual(guide.cookies);
    expect(built.queryStringParameters).toEqual(guide.queryStringParameters);
    expect(built.rawQueryString).toBe(guide.rawQueryString);
  });

  it('sends a form-encoded or type-less body base64-encoded (as AWS does), and the handlers read it', async () => {
    const form = httpApiEvent({ method: 'POST', url: '/api/token/', headers: [['content-type', 'application/x-www-form-urlencoded']], body: 'username=a&password=b' });
    expect(form.isBase64Encoded).toBe(true);
    expect(Buffer.from(form.body!, 'base64').toString()).toBe('username=a&password=b');
    expect(httpApiEvent({ method: 'POST', url: '/', headers: [['content-type', 'application/json']], body: '{}' }).isBase64Encoded).toBe(false);
    const { user, password } = await createTestUser();
    const obtain = await handlerOf('obtain');
    const login = httpApiEvent({
      method: 'POST',
      url: '/api/token/',
      headers: [['content-type', 'application/x-www-form-urlencoded']],
      body: `username=${encodeURIComponent(user.username)}&password=${encodeURIComponent(password)}`,
    });
    expect((await obtain(login)).statusCode).toBe(200);
  });

  it('drives every handler with the captured events, reshaped to its route: JSON answers, never a 5xx', async () => {
    for (const name of ['powertools-no-auth.json', 'lambda-developer-guide-event-v2.json', 'api-gateway-developer-guide-sample.json']) {
      const captured = sample(name);
      for (const route of ROUTES) {
        const path = concretePath(route.path);
        const event = { ...captured, rawPath: path, routeKey: `ANY ${route.path}`, pathParameters: route.path.includes('{id}') ? { id: 'a'.repeat(32) } : undefined };
        event.requestContext = { ...captured.requestContext, routeKey: event.routeKey, http: { ...captured.requestContext.http, path } };
        const result = await (await handlerOf(route.name))(event);
        expect(result.statusCode, `${name} ${route.name}`).toBeLessThan(500);
        // (Which of the two, the OpenAPI document says, and the checked handler checks.)
        expect(['application/json', ...(route.name === 'schema' ? [OPENAPI_MEDIA_TYPE] : [])]).toContain(result.headers?.['Content-Type']);
      }
    }
  });
});

describe('browser preflights', () => {
  const preflight = { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' };
  let server: Server;
  let base: string;
  beforeAll(async () => {
    vi.stubEnv('CORS_ALLOWED_ORIGINS', ORIGIN);
    vi.resetModules();
    server = createLocalServer({ allowedOrigins: [ORIGIN] });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('succeed for every route, with and without the trailing slash, through the local runner', async () => {
    for (const route of ROUTES) {
      for (const path of [concretePath(route.path), `${concretePath(route.path)}/`]) {
        const answer = await apiFetch(`${base}${path}`, { method: 'OPTIONS', headers: preflight });
        expect(answer.status, path).toBe(204);
        expect(answer.headers.get('access-control-allow-origin'), path).toBe(ORIGIN);
        expect(answer.headers.get('access-control-allow-headers'), path).toContain('authorization');
        expect(answer.headers.get('access-control-allow-methods'), path).toContain('POST');
      }
    }
    // An origin that is not allowed gets no CORS headers, so the browser refuses.
    const other = await apiFetch(`${base}/account/profile`, { method: 'OPTIONS', headers: { ...preflight, origin: 'https://evil.example.com' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('succeed by the rules of the synthesized template: every OPTIONS reaches a route without authorizer, whose handler answers it', async () => {
    const app = cdkApp({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new AuthStack(app, 'CorsProbe', { auth: { corsAllowedOrigins: [ORIGIN] } });
    const json = Template.fromStack(stack).toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const api = Object.values(json.Resources).find((resource) => resource.Type === 'AWS::ApiGatewayV2::Api')!;
    expect(api.Properties.CorsConfiguration).toMatchObject({ AllowOrigins: [ORIGIN], AllowHeaders: [...CORS_ALLOWED_HEADERS], AllowMethods: [...CORS_ALLOWED_METHODS] });
    const keys = Object.values(json.Resources)
      .filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route')
      .map((resource) => {
        const [method, path] = String(resource.Properties.RouteKey).split(' ') as [string, string];
        return { method, path, authorized: resource.Properties.AuthorizationType !== 'NONE', target: resource.Properties.Target };
      });
    const functionOf = Object.fromEntries(ROUTES.map((route) => [stack.getLogicalId(stack.auth.functions[route.name].node.defaultChild as never), route.name]));
    const integrationTarget = (target: unknown) => JSON.stringify(target);
    const integrations = Object.entries(json.Resources).filter(([, resource]) => resource.Type === 'AWS::ApiGatewayV2::Integration');
    for (const route of ROUTES) {
      for (const path of [concretePath(route.path), `${concretePath(route.path)}/`]) {
        const selected = selectRouteKey(keys, path, 'OPTIONS');
        expect(selected, path).toBeDefined();
        expect(selected!.key.authorized, path).toBe(false);
        // The integration it reaches calls this route's function, which answers the preflight.
        const [, integration] = integrations.find(([id]) => integrationTarget(selected!.key.target).includes(id))!;
        const uri = JSON.stringify(integration.Properties.IntegrationUri);
        const name = Object.entries(functionOf).find(([id]) => uri.includes(id))![1];
        expect(name).toBe(route.name);
        const answer = await (await handlerOf(name))(
          httpApiEvent({ method: 'OPTIONS', url: path, routeKey: `${selected!.key.method} ${selected!.key.path}`, headers: Object.entries(preflight), ...(selected!.pathParameters ? { pathParameters: selected!.pathParameters } : {}) }),
        );
        expect(answer.statusCode, path).toBe(204);
        expect(answer.headers?.['Access-Control-Allow-Origin']).toBe(ORIGIN);
      }
    }
  });
});

describe('the trailing slash', () => {
  it("reaches every route through its {proxy+} twin; anything more after the route's path is the JSON 404", async () => {
    for (const route of ROUTES) {
      const handler = await handlerOf(route.name);
      const twin = `ANY ${route.path}/{proxy+}`;
      const path = concretePath(route.path);
      const parameters: Record<string, string> = route.path.includes('{id}') ? { id: 'a'.repeat(32) } : {};
      const withSlash = await handler(httpApiEvent({ method: 'GET', url: `${path}/`, routeKey: twin, pathParameters: { ...parameters, proxy: '' } }));
      const plain = await handler(httpApiEvent({ method: 'GET', url: path, routeKey: `ANY ${route.path}`, ...(route.path.includes('{id}') ? { pathParameters: parameters } : {}) }));
      expect(withSlash.statusCode, route.name).toBe(plain.statusCode);
      const deeper = await handler(httpApiEvent({ method: 'GET', url: `${path}/extra`, routeKey: twin, pathParameters: { ...parameters, proxy: 'extra' } }));
      expect(deeper.statusCode, route.name).toBe(404);
      expect(JSON.parse(deeper.body!)).toEqual({ detail: 'Not found.' });
    }
  });
});

describe('the route table', () => {
  it("names the methods each handler serves (its Allow header), as the banner and the CDK routes say", async () => {
    for (const route of ROUTES.filter((candidate) => candidate.name !== 'whoami')) {
      const answer = await (await handlerOf(route.name))(httpApiEvent({ method: 'OPTIONS', url: concretePath(route.path), headers: [['authorization', 'Bearer x']] }));
      // In DRF's order (View.http_method_names): get, post, put, patch, delete, head, options.
      const served = [...route.methods, ...(route.methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'];
      expect(String(answer.headers?.Allow), route.name).toBe(served.join(', '));
    }
  });
});
