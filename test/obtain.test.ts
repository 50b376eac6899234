import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as obtain } from '../functions/obtain';
import { invoke } from './support/invoke';
import { createTestUser, type TestUser } from './support/users';

const NO_ACCOUNT = { detail: 'No active account found with the given credentials' };

describe('POST /api/token/ (obtain)', () => {
  let alice: TestUser;
  let inactive: TestUser;
  beforeAll(async () => {
    [alice, inactive] = await Promise.all([
      createTestUser({ email: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell', isStaff: true }),
      createTestUser({ isActive: false }),
    ]);
  });

  it('answers an access + refresh pair carrying the contract claims', async () => {
    const answer = await invoke(obtain, { path: '/api/token/', body: { username: alice.user.username, password: alice.password } });
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body).sort()).toEqual(['access', 'refresh']);
    for (const [type, lifetime] of [['access', 900], ['refresh', 604800]] as const) {
      const token = answer.body[type];
      expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
      const claims = decodeJwt(token);
      expect(claims).toMatchObject({
        token_type: type,
        user_id: alice.user.id,
        email: 'alice@example.com',
        is_staff: true,
        full_name: 'Alice Liddell',
      });
      expect(claims.jti).toMatch(/^[0-9a-f]{32}$/);
      expect(Number.isInteger(claims.iat)).toBe(true);
      expect(claims.exp! - claims.iat!).toBe(lifetime);
    }
  });

  it('refuses a wrong password, an unknown user and an inactive user with one answer', async () => {
    const answers = await Promise.all([
      invoke(obtain, { body: { username: alice.user.username, password: 'wrong' } }),
      invoke(obtain, { body: { username: 'nobody-at-all', password: 'whatever' } }),
      invoke(obtain, { body: { username: inactive.user.username, password: inactive.password } }),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(NO_ACCOUNT);
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="api"');
    }
  });
});

describe('POST /api/token/ input handling', () => {
  let bob: TestUser;
  beforeAll(async () => {
    bob = await createTestUser();
  });

  it('reports each missing or wrongly typed field, as DRF does', async () => {
    expect(await invoke(obtain, { body: { username: 'admin' } })).toMatchObject({ status: 400, body: { password: ['This field is required.'] } });
    expect(await invoke(obtain, {})).toMatchObject({
      status: 400,
      body: { username: ['This field is required.'], password: ['This field is required.'] },
    });
    expect(await invoke(obtain, { body: { username: 'admin', password: ['x'] } })).toMatchObject({ status: 400, body: { password: ['Not a valid string.'] } });
    expect(await invoke(obtain, { body: { username: '', password: '   ' } })).toMatchObject({
      status: 400,
      body: { username: ['This field may not be blank.'], password: ['This field may not be blank.'] },
    });
  });

  it('answers malformed JSON with a parse error and a wrong method with 405', async () => {
    const parse = await invoke(obtain, { body: '{bad', headers: { 'content-type': 'application/json' } });
    expect(parse.status).toBe(400);
    expect(parse.body.detail).toMatch(/^JSON parse error - /);
    const get = await invoke(obtain, { method: 'GET' });
    expect(get).toMatchObject({ status: 405, body: { detail: 'Method "GET" not allowed.' } });
    expect(get.headers.allow).toBe('POST, OPTIONS');
    expect(await invoke(obtain, { method: 'DELETE' })).toMatchObject({ status: 405, body: { detail: 'Method "DELETE" not allowed.' } });
  });

  it('logs in with a form-encoded body and with whitespace around the fields, as simplejwt does', async () => {
    const form = await invoke(obtain, {
      body: new URLSearchParams({ username: bob.user.username, password: bob.password }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(200);
    const padded = await invoke(obtain, { body: { username: ` ${bob.user.username} `, password: ` ${bob.password}\n` } });
    expect(padded.status).toBe(200);
  });

  it('answers 415 for a body of another media type, and 413 for a huge body', async () => {
    expect(await invoke(obtain, { body: '{}', headers: { 'content-type': 'text/plain' } })).toMatchObject({
      status: 415,
      body: { detail: 'Unsupported media type "text/plain" in request.' },
    });
    const huge = await invoke(obtain, { body: { username: 'x', password: 'y'.repeat(100_000) } });
    expect(huge.status).toBe(413);
    expect(huge.body.detail).toMatch(/larger than/);
  });

  it('answers an absurdly long username like any unknown one, not with a DynamoDB key error', async () => {
    expect(await invoke(obtain, { body: { username: 'a'.repeat(3000), password: 'x' } })).toMatchObject({ status: 401, body: NO_ACCOUNT });
    expect(await invoke(obtain, { body: { username: '\ufdfa'.repeat(150), password: 'x' } })).toMatchObject({ status: 401, body: NO_ACCOUNT });
  });

  it('matches usernames exactly (case-sensitive, like Django)', async () => {
    const answer = await invoke(obtain, { body: { username: bob.user.username.toUpperCase(), password: bob.password } });
    expect(answer.status).toBe(401);
  });

  it('never caches a token response', async () => {
    const answer = await invoke(obtain, { body: { username: bob.user.username, password: bob.password } });
    expect(answer.headers['cache-control']).toBe('no-store');
  });
});

describe('POST /api/token/ and characters a password hash must not see', () => {
  it('refuses a NUL character instead of letting "secret\\0" log in as "secret"', async () => {
    const user = await createTestUser();
    const answer = await invoke(obtain, { body: { username: user.user.username, password: `${user.password}\u0000` } });
    expect(answer).toMatchObject({ status: 400, body: { password: ['Null characters are not allowed.'] } });
  });
});

describe('OPTIONS /api/token/', () => {
  it("answers DRF's metadata with the Allow header", async () => {
    const answer = await invoke(obtain, { method: 'OPTIONS' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ name: 'Custom Token Obtain Pair', renders: ['application/json'] });
    expect(answer.headers.allow).toBe('POST, OPTIONS');
  });
});
