import { beforeAll, describe, expect, it } from 'vitest';
import { handler as logout } from '../functions/logout';
import { handler as refresh } from '../functions/refresh';
import { issueTokenPair } from '../shared/sessions/session-tokens';
import { tokenClaimsFor } from '../shared/users/users';
import { invoke } from './support/invoke';
import { createTestUser, type TestUser } from './support/users';

const INVALID = { detail: 'Invalid token.' };

describe('POST /account/logout/', () => {
  let gina: TestUser;
  beforeAll(async () => {
    gina = await createTestUser();
  });

  it('blacklists the refresh token: logging out again and refreshing with it both fail', async () => {
    const { refresh: token } = await issueTokenPair(tokenClaimsFor(gina.user));
    expect(await invoke(logout, { path: '/account/logout/', body: { refresh: token } })).toMatchObject({
      status: 200,
      body: { detail: 'Successfully logged out.' },
    });
    expect(await invoke(logout, { body: { refresh: token } })).toMatchObject({ status: 400, body: INVALID });
    expect(await invoke(refresh, { body: { refresh: token } })).toMatchObject({
      status: 401,
      body: { detail: 'Token is blacklisted', code: 'token_not_valid' },
    });
  });

  it('answers "Invalid token." for an access token, garbage, {}, bad JSON or another media type', async () => {
    const { access } = await issueTokenPair(tokenClaimsFor(gina.user));
    const bodies = [
      { body: { refresh: access } },
      { body: { refresh: 'garbage' } },
      { body: {} },
      { body: { refresh: ['x'] } },
      { body: '{bad', headers: { 'content-type': 'application/json' } },
      { body: 'refresh=x', headers: { 'content-type': 'text/plain' } },
    ];
    for (const call of bodies) expect(await invoke(logout, call)).toMatchObject({ status: 400, body: INVALID });
  });

  it('treats an entry whose token has expired as absent, even before TTL deletion removes it', async () => {
    const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
    const { dynamo } = await import('../shared/store/dynamodb');
    const { settings } = await import('../shared/settings');
    const { forge, claimsFor, now } = await import('./support/tokens');
    const jti = `stale${Date.now()}`;
    await dynamo().send(new PutCommand({ TableName: settings().tables.blacklist, Item: { jti, tokenExp: now() - 100, expiresAt: now() - 50 } }));
    const token = await forge(claimsFor('refresh', gina.user.id, { jti }));
    expect((await invoke(logout, { body: { refresh: token } })).status).toBe(200);
    expect((await invoke(logout, { body: { refresh: token } })).status).toBe(400);
  });

  it('answers 405 to GET', async () => {
    expect(await invoke(logout, { method: 'GET' })).toMatchObject({ status: 405, body: { detail: 'Method "GET" not allowed.' } });
  });
});
