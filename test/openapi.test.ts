/**
 * The OpenAPI document (shared/openapi/): valid OpenAPI 3.1 for every kind of deployment, every route and
 * method of infra/routes.ts in it, served at GET /api/schema/ and written by `npm run openapi`; and the
 * response checker every test's answers go through (support/openapi-responses.ts) refuses a wrong answer.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { handler as schema } from '../functions/schema';
import { ROUTES } from '../infra/routes';
import type { JsonObject } from '../shared/http/errors';
import { API_VERSION, documentPath, OPENAPI_MEDIA_TYPE, openApiDocument } from '../shared/openapi/document';
import { loadSettings, settings } from '../shared/settings';
import { servesRoute } from './support/checked-handlers';
import { invoke } from './support/invoke';
import { checkExchange, OpenApiMismatch, type Exchange } from './support/openapi-responses';
import { PROJECT_ROOT } from './support/processes';

/** Deployments whose documents differ: the defaults, cookie mode (with and without the body), djoser's options. */
const DEPLOYMENTS: Record<string, Record<string, string>> = {
  default: { API_URL: 'https://auth.example.com' },
  'cookie mode': { API_URL: 'https://auth.example.com', AUTH_COOKIE: 'true', CORS_ALLOWED_ORIGINS: 'https://app.example.com' },
  'cookie mode with the body': { AUTH_COOKIE: 'true', AUTH_COOKIE_BODY: 'true' },
  'djoser options, no rotation': {
    REGISTRATION: 'open',
    USER_CREATE_PASSWORD_RETYPE: 'true',
    SET_PASSWORD_RETYPE: 'true',
    PASSWORD_RESET_CONFIRM_RETYPE: 'true',
    ROTATE_REFRESH_TOKENS: 'false',
  },
};
const documentFor = (env: Record<string, string>) => openApiDocument(loadSettings(env));
type Operation = { security?: Record<string, string[]>[]; responses: Record<string, unknown> };
const pathsOf = (document: JsonObject) => document.paths as Record<string, Record<string, Operation>>;

describe('the document', () => {
  it.each(Object.entries(DEPLOYMENTS))('is valid OpenAPI 3.1, every reference resolving (%s)', async (_name, env) => {
    const validator = new Validator();
    const result = await validator.validate(documentFor(env));
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it.each(Object.entries(DEPLOYMENTS))('holds only schemas ajv compiles strictly, JSON Schema 2020-12 (%s)', (_name, env) => {
    const document = documentFor(env);
    const ajv = new Ajv2020({ strict: true });
    addFormats(ajv);
    ajv.addVocabulary(['openapi', 'info', 'servers', 'paths', 'components', 'security', 'tags']);
    ajv.addSchema({ ...document, $id: 'https://openapi.test/strict' });
    const pointers = [
      ...Object.keys((document.components as { schemas: object }).schemas).map((name) => `#/components/schemas/${name}`),
      ...Object.entries(pathsOf(document)).flatMap(([path, item]) =>
        Object.entries(item).flatMap(([method, operation]) =>
          Object.entries(operation.responses).flatMap(([status, response]) =>
            Object.keys((response as { content?: object }).content ?? {}).map(
              (mediaType) => `#/paths/${path.replaceAll('/', '~1')}/${method}/responses/${status}/content/${mediaType.replaceAll('/', '~1')}/schema`,
            ),
          ),
        ),
      ),
    ];
    expect(pointers.length).toBeGreaterThan(60);
    for (const pointer of pointers) expect(ajv.getSchema(`https://openapi.test/strict${pointer}`), pointer).toBeTypeOf('function');
  });

  it('has every route of infra/routes.ts with exactly its methods, paths as clients call them', () => {
    const paths = pathsOf(documentFor({}));
    expect(Object.keys(paths).sort()).toEqual(ROUTES.map((route) => documentPath(route.path)).sort());
    for (const route of ROUTES) expect(Object.keys(paths[documentPath(route.path)]!).sort(), route.name).toEqual(route.methods.map((method) => method.toLowerCase()).sort());
    expect(paths).toHaveProperty(['/api/token/']);
    expect(paths).toHaveProperty(['/account/sessions/{id}/']);
    expect(paths).toHaveProperty(['/.well-known/jwks.json']);
  });

  it("declares the bearer scheme as drf-spectacular does, on the routes that need a bearer token", () => {
    const document = documentFor({});
    expect((document.components as { securitySchemes: object }).securitySchemes).toEqual({ jwtAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } });
    const bearerOnly = Object.entries(pathsOf(document)).flatMap(([path, item]) =>
      Object.entries(item).flatMap(([method, operation]) => (JSON.stringify(operation.security) === JSON.stringify([{ jwtAuth: [] }]) ? [`${method} ${path}`] : [])),
    );
    expect(bearerOnly.sort()).toEqual(
      [
        'get /account/profile/',
        'post /account/password/',
        'post /account/logout-all/',
        'get /account/sessions/',
        'delete /account/sessions/{id}/',
        'get /auth/users/me/',
        'put /auth/users/me/',
        'patch /auth/users/me/',
        'delete /auth/users/me/',
        'post /auth/users/set_password/',
        'get /account/whoami/',
        // Sign-up is for staff unless REGISTRATION=open.
        'post /auth/users/',
      ].sort(),
    );
    expect(pathsOf(documentFor({ REGISTRATION: 'open' }))['/auth/users/']!.post!.security).toEqual([{}, { jwtAuth: [] }]);
  });

  it('names the API_URL as its server, and the version of package.json', () => {
    expect(documentFor({ API_URL: 'https://auth.example.com/' }).servers).toEqual([{ url: 'https://auth.example.com' }]);
    expect(documentFor({})).not.toHaveProperty('servers');
    expect(API_VERSION).toBe((JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });
});

describe('GET /api/schema/', () => {
  it("answers the document of the deployment's settings, as drf-spectacular's JSON renderer", async () => {
    const answer = await invoke(schema, { method: 'GET', path: '/api/schema/' });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe(OPENAPI_MEDIA_TYPE);
    expect(answer.body).toEqual(openApiDocument(settings()));
    expect(answer.body.servers).toEqual([{ url: 'https://auth.test.example' }]);
    expect((await invoke(schema, { method: 'POST' })).status).toBe(405);
  });

  it('is written by npm run openapi, to a file or standard output', () => {
    const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
    try {
      const run = (args: string[]) =>
        spawnSync(process.execPath, ['--import', 'tsx', 'infra/openapi.ts', ...args], { cwd: PROJECT_ROOT, env: { ...process.env, API_URL: 'https://auth.example.com' }, encoding: 'utf8' });
      const file = join(dir, 'openapi.json');
      expect(run([file])).toMatchObject({ status: 0, stderr: '' });
      const expected = documentFor({ API_URL: 'https://auth.example.com' });
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(expected);
      expect(JSON.parse(run([]).stdout)).toEqual(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the response checker', () => {
  const profile = ROUTES.find((route) => route.name === 'profile')!;
  const answer = (changes: Partial<Exchange>): Exchange => ({
    via: 'handler',
    method: 'GET',
    path: '/account/profile/',
    requestHeaders: {},
    route: profile,
    proxy: undefined,
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'u1', username: 'ann', email: '' }),
    ...changes,
  });

  it('passes a right answer', () => {
    expect(() => checkExchange(answer({}))).not.toThrow();
    const unauthorized = { status: 401, headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="api"' }, body: '{"detail":"Authentication credentials were not provided."}' };
    expect(() => checkExchange(answer(unauthorized))).not.toThrow();
  });

  it.each<[string, Partial<Exchange>, RegExp]>([
    ['a body of the wrong shape', { body: JSON.stringify({ id: 'u1', username: 'ann' }) }, /must have required property 'email'/],
    ['a property the schema does not have', { body: JSON.stringify({ id: 'u1', username: 'ann', email: '', is_staff: true }) }, /must NOT have additional properties/],
    ['an error text that is not the contract\'s', { status: 401, headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="api"' }, body: '{"detail":"Unauthorised."}' }, /must match exactly one schema in oneOf/],
    ['a status the operation does not declare', { status: 404, body: '{"detail":"Not found."}' }, /declares .* not 404/],
    ['a 401 without WWW-Authenticate', { status: 401, body: '{"detail":"Authentication credentials were not provided."}' }, /no WWW-Authenticate header/],
    ['another content type', { headers: { 'content-type': 'text/html' } }, /content-type "text\/html"/],
    ['a 405 without Allow', { method: 'POST', status: 405, body: '{"detail":"Method \\"POST\\" not allowed."}' }, /no Allow header/],
    ['a 204 with a body', { method: 'DELETE', path: '/account/sessions/x/', route: ROUTES.find((route) => route.name === 'end-session')!, status: 204, body: '{}' }, /a body, where .* declares none/],
  ])('refuses %s', (_name, changes, message) => {
    expect(() => checkExchange(answer(changes))).toThrow(OpenApiMismatch);
    expect(() => checkExchange(answer(changes))).toThrow(message);
  });

  it('fails the test whose handler answers wrongly through invoke()', async () => {
    const wrong = servesRoute(async () => ({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{"access":1}' }), 'obtain');
    await expect(invoke(wrong, { body: { username: 'a', password: 'b' } })).rejects.toThrow(/OpenAPI mismatch: POST \/ \(handler\) answered 200: .*body\/access must be string/);
  });

  it('refuses an answer from a handler that serves no route', async () => {
    await expect(invoke(async () => ({ statusCode: 200, body: '{}' }))).rejects.toThrow(/serves no route of infra\/routes.ts/);
  });
});
