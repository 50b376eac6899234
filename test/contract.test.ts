/**
 * CONTRACT.md, row by row, over HTTP against `npm start` (and `npm run manage` for the user),
 * the way a frontend written for simplejwt would call it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../infra/local/dynamodb-local';
import { TABLE_IDS, TABLES } from '../shared/tables';
import { apiFetch, checkHttpAnswer } from './support/api-fetch';
import { runNpm, startServer, type Server } from './support/processes';
import { claimsFor, claimsOf, forge, now, unsigned } from './support/tokens';

let server: Server;
let dataDir: string;
let serverEnv: NodeJS.ProcessEnv;

/** `npm run manage` on the server's data, while it runs. */
const manage = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => runNpm('manage', args, { env: { ...serverEnv, ...extraEnv } });

interface Reply {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

async function http(method: string, path: string, options: { json?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined = options.raw;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await apiFetch(`${server.url}${path}`, { method, headers, body, redirect: 'manual' });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

const login = async () => (await http('POST', '/api/token/', { json: { username: 'admin', password: 'admin' } })).body as { access: string; refresh: string };
const unauthorizedEverywhere = (reply: Reply) => expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="api"');

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'contract-'));
  const suffix = randomUUID().slice(0, 8);
  // Fresh table names: npm start must create them itself, with the cloud's key schema and TTL.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(await freePort()),
    ...Object.fromEntries(TABLE_IDS.map((id) => [TABLES[id].env, `contract-${suffix}-${id}`])),
    SIGNING_KEY: randomBytes(48).toString('base64url'),
    // A short reuse grace (default 30 s), so the "same refresh token again" row can be seen after it.
    REFRESH_REUSE_GRACE: '2',
  };
  process.env.SIGNING_KEY = env.SIGNING_KEY; // so forged tokens below are signed with the server's key
  // The server's own DynamoDB Local: the endpoint the tests use is not passed on.
  delete env.DYNAMODB_ENDPOINT;
  serverEnv = env;
  server = await startServer(env);
  const created = await manage(['createsuperuser', '--noinput', '--username', 'admin', '--email', 'admin@example.com'], {
    SUPERUSER_PASSWORD: 'admin',
  });
  expect(created.stderr).toBe('');
  expect(created.stdout.trim()).toBe('Superuser created successfully.');
});

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('POST /api/token/ (obtain)', () => {
  it('200 with an access and a refresh token', async () => {
    const reply = await http('POST', '/api/token/', { json: { username: 'admin', password: 'admin' } });
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.body).sort()).toEqual(['access', 'refresh']);
    expect(claimsOf(reply.body.access)).toMatchObject({ token_type: 'access', email: 'admin@example.com', is_staff: true, full_name: '' });
  });

  it('401 for a wrong password, an unknown user or an inactive user', async () => {
    expect((await manage(['createuser', '--noinput', '--username', 'sleepy'], { USER_PASSWORD: 'sleepy-password' })).code).toBe(0);
    expect((await manage(['deactivate', 'sleepy'])).code).toBe(0);
    for (const json of [
      { username: 'admin', password: 'wrong' },
      { username: 'ghost', password: 'admin' },
      { username: 'sleepy', password: 'sleepy-password' },
    ]) {
      const reply = await http('POST', '/api/token/', { json });
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual({ detail: 'No active account found with the given credentials' });
      unauthorizedEverywhere(reply);
    }
  });

  it('400 with per-field errors, and for malformed JSON', async () => {
    expect(await http('POST', '/api/token/', { json: { username: 'admin' } })).toMatchObject({ status: 400, body: { password: ['This field is required.'] } });
    expect(await http('POST', '/api/token/', { raw: '' })).toMatchObject({
      status: 400,
      body: { username: ['This field is required.'], password: ['This field is required.'] },
    });
    expect(await http('POST', '/api/token/', { json: { username: 'admin', password: ['x'] } })).toMatchObject({
      status: 400,
      body: { password: ['Not a valid string.'] },
    });
    const bad = await http('POST', '/api/token/', { raw: '{bad', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/^JSON parse error - .+/);
  });

  it('405 for GET', async () => {
    expect(await http('GET', '/api/token/')).toMatchObject({ status: 405, body: { detail: 'Method "GET" not allowed.' } });
  });
});

describe('GET /account/profile', () => {
  it('200 with id, username and email', async () => {
    const { access } = await login();
    const reply = await http('GET', '/account/profile', { headers: { authorization: `Bearer ${access}` } });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ id: claimsOf(access).user_id, username: 'admin', email: 'admin@example.com' });
  });

  it('401 rows: no header, another scheme, wrong part count, bad tokens, expired, refresh token', async () => {
    const { access, refresh } = await login();
    const userId = String(claimsOf(access).user_id);
    const notProvided = { detail: 'Authentication credentials were not provided.' };
    const invalid = (message: string) => ({
      detail: 'Given token not valid for any token type',
      code: 'token_not_valid',
      messages: [{ token_class: 'AccessToken', token_type: 'access', message }],
    });
    const rows: [Record<string, string>, unknown][] = [
      [{}, notProvided],
      [{ authorization: `Token ${access}` }, notProvided],
      [{ authorization: 'Bearer' }, { detail: 'Authorization header must contain two space-delimited values', code: 'bad_authorization_header' }],
      [{ authorization: `Bearer ${access} x` }, { detail: 'Authorization header must contain two space-delimited values', code: 'bad_authorization_header' }],
      [{ authorization: `Bearer ${access.slice(0, -2)}xx` }, invalid('Token is invalid')],
      [{ authorization: 'Bearer garbage' }, invalid('Token is invalid')],
      [{ authorization: `Bearer ${unsigned(claimsFor('access', userId))}` }, invalid('Token is invalid')],
      [{ authorization: `Bearer ${await forge(claimsFor('access', userId, { iat: now() - 999, exp: now() - 9 }))}` }, invalid('Token is expired')],
      [{ authorization: `Bearer ${refresh}` }, invalid('Token has wrong type')],
      [{ authorization: `Bearer ${await forge(claimsFor('access', 'deleted-user-id'))}` }, { detail: 'User not found', code: 'user_not_found' }],
    ];
    for (const [headers, body] of rows) {
      const reply = await http('GET', '/account/profile', { headers });
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual(body);
      unauthorizedEverywhere(reply);
    }
  });

  it('401 user_inactive for the token of an inactive user', async () => {
    expect((await manage(['createuser', '--noinput', '--username', 'leaver'], { USER_PASSWORD: 'leaver-password' })).code).toBe(0);
    const { access } = (await http('POST', '/api/token/', { json: { username: 'leaver', password: 'leaver-password' } })).body;
    expect((await manage(['deactivate', 'leaver'])).code).toBe(0);
    const reply = await http('GET', '/account/profile', { headers: { authorization: `Bearer ${access}` } });
    expect(reply).toMatchObject({ status: 401, body: { detail: 'User is inactive', code: 'user_inactive' } });
  });
});

describe('POST /api/token/refresh/', () => {
  it('200 with a rotated pair; within REFRESH_REUSE_GRACE the same successor again, after it 401 blacklisted', async () => {
    const { refresh } = await login();
    const first = await http('POST', '/api/token/refresh/', { json: { refresh } });
    expect(first.status).toBe(200);
    expect(Object.keys(first.body).sort()).toEqual(['access', 'refresh']);
    expect(await http('POST', '/api/token/refresh/', { json: { refresh } })).toMatchObject({ status: 200, body: { refresh: first.body.refresh } });
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const again = await http('POST', '/api/token/refresh/', { json: { refresh } });
    expect(again).toMatchObject({ status: 401, body: { detail: 'Token is blacklisted', code: 'token_not_valid' } });
  });

  it('401 for an access token, garbage, an expired token; 400 for {}', async () => {
    const { access } = await login();
    const userId = String(claimsOf(access).user_id);
    expect(await http('POST', '/api/token/refresh/', { json: { refresh: access } })).toMatchObject({
      status: 401,
      body: { detail: 'Token has wrong type', code: 'token_not_valid' },
    });
    expect(await http('POST', '/api/token/refresh/', { json: { refresh: 'garbage' } })).toMatchObject({
      status: 401,
      body: { detail: 'Token is invalid', code: 'token_not_valid' },
    });
    const expired = await forge(claimsFor('refresh', userId, { iat: now() - 999, exp: now() - 9 }));
    expect(await http('POST', '/api/token/refresh/', { json: { refresh: expired } })).toMatchObject({
      status: 401,
      body: { detail: 'Token is expired', code: 'token_not_valid' },
    });
    const deleted = await forge(claimsFor('refresh', 'deleted-user-id'));
    expect(await http('POST', '/api/token/refresh/', { json: { refresh: deleted } })).toMatchObject({
      status: 401,
      body: { detail: 'No active account found for the given token.' },
    });
    expect(await http('POST', '/api/token/refresh/', { json: {} })).toMatchObject({ status: 400, body: { refresh: ['This field is required.'] } });
  });
});

describe('POST /api/token/verify/', () => {
  it('200 {} for access and refresh tokens; 400 for a blacklisted refresh token; 401 for garbage and expired; 400 for {}', async () => {
    const { access, refresh } = await login();
    expect(await http('POST', '/api/token/verify/', { json: { token: access } })).toMatchObject({ status: 200, body: {} });
    expect(await http('POST', '/api/token/verify/', { json: { token: refresh } })).toMatchObject({ status: 200, body: {} });
    expect((await http('POST', '/account/logout/', { json: { refresh } })).status).toBe(200);
    expect(await http('POST', '/api/token/verify/', { json: { token: refresh } })).toMatchObject({ status: 400, body: { non_field_errors: ['Token is blacklisted'] } });
    expect(await http('POST', '/api/token/verify/', { json: { token: 'garbage' } })).toMatchObject({
      status: 401,
      body: { detail: 'Token is invalid', code: 'token_not_valid' },
    });
    const expired = await forge(claimsFor('access', 'x', { iat: now() - 999, exp: now() - 9 }));
    expect(await http('POST', '/api/token/verify/', { json: { token: expired } })).toMatchObject({
      status: 401,
      body: { detail: 'Token is expired', code: 'token_not_valid' },
    });
    expect(await http('POST', '/api/token/verify/', { json: {} })).toMatchObject({ status: 400, body: { token: ['This field is required.'] } });
  });
});

describe('POST /account/logout/', () => {
  it('200, then 400 for the same token, then refresh with it is blacklisted', async () => {
    const { access, refresh } = await login();
    expect(await http('POST', '/account/logout/', { json: { refresh } })).toMatchObject({ status: 200, body: { detail: 'Successfully logged out.' } });
    for (const json of [{ refresh }, { refresh: access }, { refresh: 'garbage' }, {}]) {
      expect(await http('POST', '/account/logout/', { json })).toMatchObject({ status: 400, body: { detail: 'Invalid token.' } });
    }
    expect(await http('POST', '/api/token/refresh/', { json: { refresh } })).toMatchObject({
      status: 401,
      body: { detail: 'Token is blacklisted', code: 'token_not_valid' },
    });
  });
});

describe('GET /account/sessions and DELETE /account/sessions/{id} (beyond simplejwt)', () => {
  it('lists the caller\'s sessions and ends one, with and without the trailing slash', async () => {
    const phone = await login();
    const laptop = await login();
    const auth = (access: string) => ({ authorization: `Bearer ${access}` });
    const listed = await http('GET', '/account/sessions/', { headers: auth(laptop.access) });
    expect(listed.status).toBe(200);
    const phoneSid = claimsOf(phone.access).sid as string;
    expect(listed.body.map((session: { id: string }) => session.id)).toEqual(expect.arrayContaining([phoneSid, claimsOf(laptop.access).sid]));
    expect(await http('DELETE', `/account/sessions/${phoneSid}/`, { headers: auth(laptop.access) })).toMatchObject({ status: 204, body: undefined });
    expect(await http('DELETE', `/account/sessions/${phoneSid}`, { headers: auth(laptop.access) })).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
    expect((await http('GET', '/account/profile', { headers: auth(phone.access) })).status).toBe(401);
    expect((await http('GET', '/account/sessions', { headers: auth(laptop.access) })).status).toBe(200);
  });
});

describe('everywhere', () => {
  it('answers each path with and without the trailing slash, never redirecting', async () => {
    for (const path of ['/api/token', '/api/token/refresh', '/api/token/verify', '/account/logout']) {
      for (const variant of [path, `${path}/`]) {
        const reply = await http('POST', variant, { json: {} });
        expect(reply.status).toBe(400);
      }
    }
    const { access } = await login();
    for (const variant of ['/account/profile', '/account/profile/']) {
      expect((await http('GET', variant, { headers: { authorization: `Bearer ${access}` } })).status).toBe(200);
    }
  });

  it('405 with the method named, and a JSON 404 for an unknown path', async () => {
    expect(await http('PUT', '/api/token/refresh/')).toMatchObject({ status: 405, body: { detail: 'Method "PUT" not allowed.' } });
    expect(await http('DELETE', '/account/logout')).toMatchObject({ status: 405, body: { detail: 'Method "DELETE" not allowed.' } });
    const missing = await http('GET', '/no/such/path');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/json');
    // API Gateway's own 404 for a path no route takes (aws/aws-lambda-dotnet#1909), as the local runner emulates it.
    expect(missing.body).toEqual({ message: 'Not Found' });
  });
});

describe('paths as sent', () => {
  it('does not resolve dot segments into another route', async () => {
    // fetch() would resolve them before sending; node:http sends the path as written.
    const { request } = await import('node:http');
    const statusOf = (path: string) =>
      new Promise<number>((resolve, reject) => {
        const outgoing = request(`${server.url}/`, { method: 'POST', path, headers: { 'content-type': 'application/json' } }, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const answer = { status: response.statusCode!, headers: response.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8') };
            checkHttpAnswer(server.url, { method: 'POST', path, headers: { 'content-type': 'application/json' } }, answer).then(() => resolve(answer.status), reject);
          });
        });
        outgoing.on('error', reject);
        outgoing.end('{}');
      });
    expect(await statusOf('/api/token/verify/')).toBe(400);
    for (const path of ['/api/token/refresh/../verify/', '/api/token/.', '/account/logout/..']) {
      expect(await statusOf(path)).toBe(404);
    }
  });
});
