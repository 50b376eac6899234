import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as refresh } from '../functions/refresh';
import { dynamo } from '../shared/store/dynamodb';
import { settings } from '../shared/settings';
import { issueTokenPair } from '../shared/sessions/session-tokens';
import { requireUserByUsername, setActive, tokenClaimsFor, userKey } from '../shared/users/users';
import { invoke } from './support/invoke';
import { claimsFor, claimsOf, forge, now, tamper } from './support/tokens';
import { createTestUser, type TestUser } from './support/users';
import { AFTER_GRACE, later } from './support/clock';

const post = (token: unknown) => invoke(refresh, { path: '/api/token/refresh/', body: { refresh: token } });
const BLACKLISTED = { detail: 'Token is blacklisted', code: 'token_not_valid' };
const NO_ACCOUNT = { detail: 'No active account found for the given token.' };

describe('POST /api/token/refresh/', () => {
  let dave: TestUser;
  beforeAll(async () => {
    dave = await createTestUser({ email: 'dave@example.com', firstName: 'Dave', lastName: '', isStaff: true });
  });
  const pairFor = (user: TestUser) => issueTokenPair(tokenClaimsFor(user.user));

  it('rotates: a new access and refresh token carrying the refresh token\'s claims, and the old one blacklisted', async () => {
    const { refresh: original } = await pairFor(dave);
    const answer = await post(original);
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body).sort()).toEqual(['access', 'refresh']);
    const access = claimsOf(answer.body.access);
    const rotated = claimsOf(answer.body.refresh);
    const old = claimsOf(original);
    for (const claims of [access, rotated]) {
      expect(claims).toMatchObject({ user_id: dave.user.id, email: 'dave@example.com', is_staff: true, full_name: 'Dave' });
    }
    expect(access.token_type).toBe('access');
    expect(access.exp - access.iat).toBe(900);
    expect(rotated.token_type).toBe('refresh');
    expect(rotated.jti).not.toBe(old.jti);
    expect(access.jti).not.toBe(old.jti);

    // Within REFRESH_REUSE_GRACE the used token gets its one successor again; the successor refreshes as usual.
    expect(await post(original)).toMatchObject({ status: 200, body: { refresh: answer.body.refresh } });
    expect((await post(answer.body.refresh)).status).toBe(200);
    // After it, the used token is a replay.
    expect(await later(AFTER_GRACE, () => post(original))).toMatchObject({ status: 401, body: BLACKLISTED });
  });

  it("carries the user's claims as stored now, and copies the token's other claims", async () => {
    const custom = await forge(claimsFor('refresh', dave.user.id, { email: 'then@example.com', is_staff: false, full_name: 'Old Name', tenant: 'acme' }));
    const { body } = await post(custom);
    for (const token of [body.access, body.refresh]) {
      expect(claimsOf(token)).toMatchObject({ email: 'dave@example.com', is_staff: true, full_name: 'Dave', tenant: 'acme' });
    }
  });

  it('stores the blacklist entry by jti with a TTL at or after the token expiry', async () => {
    const { refresh: token } = await pairFor(dave);
    await post(token);
    const { jti, exp } = claimsOf(token);
    const { Item } = await dynamo().send(new GetCommand({ TableName: settings().tables.blacklist, Key: { jti } }));
    expect(Item).toMatchObject({ jti, userId: dave.user.id });
    expect(Item!.expiresAt).toBeGreaterThanOrEqual(exp);
    expect(JSON.stringify(Item)).not.toContain(token.split('.')[2]);
  });

  it('still refuses a blacklisted token re-encoded with whitespace or padding', async () => {
    const { refresh: token } = await pairFor(dave);
    expect((await post(token)).status).toBe(200);
    const [header, payload, signature] = token.split('.');
    for (const variant of [` ${token} `, `${token}\n`, `${header}.${payload}=.${signature}`, `${header}==.${payload}.${signature}`, `${token}=`]) {
      const answer = await later(AFTER_GRACE, () => post(variant));
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('token_not_valid');
    }
  });

  it('gives all concurrent refreshes of one token its one successor, which then refreshes, every time', async () => {
    for (let round = 0; round < 5; round++) {
      const { refresh: token } = await pairFor(dave);
      const answers = await Promise.all(Array.from({ length: 20 }, () => post(token)));
      expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
      const successors = new Set(answers.map((answer) => answer.body.refresh as string));
      expect(successors.size).toBe(1);
      const [successor] = successors;
      expect(new Set(answers.map((answer) => claimsOf(answer.body.access).sid)).size).toBe(1);
      expect((await post(successor)).status).toBe(200);
    }
  });

  it('with REFRESH_REUSE_GRACE=0, gives exactly one winner among concurrent refreshes of one token', async () => {
    vi.stubEnv('REFRESH_REUSE_GRACE', '0');
    vi.resetModules();
    try {
      const { handler: strictRefresh } = await import('../functions/refresh');
      for (let round = 0; round < 3; round++) {
        const { refresh: token } = await pairFor(dave);
        const answers = await Promise.all(Array.from({ length: 20 }, () => invoke(strictRefresh, { body: { refresh: token } })));
        expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
        expect(answers.filter((answer) => answer.status === 401 && answer.body.detail === 'Token is blacklisted')).toHaveLength(19);
      }
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });

  it('refuses an access token, garbage, a bad signature and an expired token with simplejwt\'s words', async () => {
    const { access, refresh: token } = await pairFor(dave);
    expect(await post(access)).toMatchObject({ status: 401, body: { detail: 'Token has wrong type', code: 'token_not_valid' } });
    expect(await post('garbage')).toMatchObject({ status: 401, body: { detail: 'Token is invalid', code: 'token_not_valid' } });
    expect(await post(tamper(token, { user_id: 'admin' }))).toMatchObject({ status: 401, body: { detail: 'Token is invalid' } });
    const expired = await forge(claimsFor('refresh', dave.user.id, { iat: now() - 9999, exp: now() - 5 }));
    expect(await post(expired)).toMatchObject({ status: 401, body: { detail: 'Token is expired', code: 'token_not_valid' } });
    const answer = await post('garbage');
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="api"');
  });

  it('refuses tokens of inactive, deleted and unnamed users without burning them', async () => {
    const erin = await createTestUser();
    const { refresh: token } = await pairFor(erin);
    // Inactive without its sessions ended (as an imported user can be): deactivation through the service ends them.
    const flag = (isActive: boolean) =>
      dynamo().send(new UpdateCommand({ TableName: settings().tables.users, Key: userKey(erin.user.id), UpdateExpression: 'SET isActive = :a', ExpressionAttributeValues: { ':a': isActive } }));
    await flag(false);
    expect(await post(token)).toMatchObject({ status: 401, body: NO_ACCOUNT });
    await flag(true);
    expect((await post(token)).status).toBe(200);

    expect(await post(await forge(claimsFor('refresh', 'no-such-user')))).toMatchObject({ status: 401, body: NO_ACCOUNT });
    expect(await post(await forge(claimsFor('refresh', '', { user_id: undefined })))).toMatchObject({ status: 401, body: NO_ACCOUNT });
  });

  it('reports "blacklisted" before "no active account", as simplejwt does', async () => {
    const frank = await createTestUser();
    const { refresh: token } = await pairFor(frank);
    expect((await post(token)).status).toBe(200);
    await setActive(await requireUserByUsername(frank.user.username), false);
    expect(await post(token)).toMatchObject({ status: 401, body: BLACKLISTED });
  });

  it('answers 400 for a missing or mistyped refresh field', async () => {
    expect(await invoke(refresh, { body: {} })).toMatchObject({ status: 400, body: { refresh: ['This field is required.'] } });
    expect(await invoke(refresh, { body: { refresh: ['x'] } })).toMatchObject({ status: 400, body: { refresh: ['Not a valid string.'] } });
  });
});

describe('refresh with rotation switched off', () => {
  it('answers only an access token and leaves the refresh token usable, unless it was logged out', async () => {
    vi.stubEnv('ROTATE_REFRESH_TOKENS', 'false');
    vi.resetModules();
    try {
      const { handler: plainRefresh } = await import('../functions/refresh');
      const { handler: logout } = await import('../functions/logout');
      const { issueTokenPair: issue } = await import('../shared/sessions/session-tokens');
      const user = await createTestUser();
      const { refresh: token } = await issue(tokenClaimsFor(user.user));
      for (let i = 0; i < 2; i++) {
        const answer = await invoke(plainRefresh, { body: { refresh: token } });
        expect(answer.status).toBe(200);
        expect(Object.keys(answer.body)).toEqual(['access']);
      }
      expect((await invoke(logout, { body: { refresh: token } })).status).toBe(200);
      expect(await invoke(plainRefresh, { body: { refresh: token } })).toMatchObject({ status: 401, body: BLACKLISTED });
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});
