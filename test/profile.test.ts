import { beforeAll, describe, expect, it } from 'vitest';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { handler as profile } from '../functions/profile';
import { dynamo } from '../shared/store/dynamodb';
import { settings } from '../shared/settings';
import { issueTokenPair } from '../shared/sessions/session-tokens';
import { tokenClaimsFor, userKey } from '../shared/users/users';
import { bearer, invoke } from './support/invoke';
import { claimsFor, forge, now, tamper, unsigned } from './support/tokens';
import { createTestUser, type TestUser } from './support/users';

const get = (headers: Record<string, string> = {}, method = 'GET') => invoke(profile, { method, path: '/account/profile', headers });

const invalid = (message: string) => ({
  detail: 'Given token not valid for any token type',
  code: 'token_not_valid',
  messages: [{ token_class: 'AccessToken', token_type: 'access', message }],
});

describe('GET /account/profile', () => {
  let carol: TestUser;
  let tokens: { access: string; refresh: string };
  beforeAll(async () => {
    carol = await createTestUser({ email: 'carol@example.com' });
    tokens = await issueTokenPair(tokenClaimsFor(carol.user));
  });

  it("answers the bearer's id, username and email", async () => {
    const answer = await get(bearer(tokens.access));
    expect(answer).toMatchObject({ status: 200, body: { id: carol.user.id, username: carol.user.username, email: 'carol@example.com' } });
    expect(Object.keys(answer.body).sort()).toEqual(['email', 'id', 'username']);
  });

  it('answers HEAD like GET, and 405 to other methods once authenticated', async () => {
    expect((await get(bearer(tokens.access), 'HEAD')).status).toBe(200);
    const post = await get(bearer(tokens.access), 'POST');
    expect(post).toMatchObject({ status: 405, body: { detail: 'Method "POST" not allowed.' } });
    expect(post.headers.allow).toBe('GET, HEAD, OPTIONS');
    expect(await get({}, 'POST')).toMatchObject({ status: 401, body: { detail: 'Authentication credentials were not provided.' } });
  });

  it('answers "not provided" without a header or with another scheme', async () => {
    for (const headers of [{} as Record<string, string>, { authorization: '' }, { authorization: `Token ${tokens.access}` }, { authorization: `bearer ${tokens.access}` }]) {
      const answer = await get(headers);
      expect(answer).toMatchObject({ status: 401, body: { detail: 'Authentication credentials were not provided.' } });
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="api"');
    }
  });

  it('answers bad_authorization_header for one part or three', async () => {
    for (const authorization of ['Bearer', `Bearer ${tokens.access} extra`]) {
      expect(await get({ authorization })).toMatchObject({
        status: 401,
        body: { detail: 'Authorization header must contain two space-delimited values', code: 'bad_authorization_header' },
      });
    }
    expect((await get({ authorization: `Bearer   ${tokens.access}` })).status).toBe(200);
  });

  it('lists why the token failed: invalid, expired, wrong type', async () => {
    for (const token of ['garbage', tamper(tokens.access, { user_id: 'admin' }), unsigned(claimsFor('access', carol.user.id))]) {
      expect(await get(bearer(token))).toMatchObject({ status: 401, body: invalid('Token is invalid') });
    }
    const expired = await forge(claimsFor('access', carol.user.id, { iat: now() - 2000, exp: now() - 1000 }));
    expect(await get(bearer(expired))).toMatchObject({ status: 401, body: invalid('Token is expired') });
    expect(await get(bearer(tokens.refresh))).toMatchObject({ status: 401, body: invalid('Token has wrong type') });
  });

  it('refuses a token without a user id', async () => {
    const anonymous = await forge(claimsFor('access', '', { user_id: undefined }));
    expect(await get(bearer(anonymous))).toMatchObject({
      status: 401,
      body: { detail: 'Token contained no recognizable user identification', code: 'token_not_valid' },
    });
  });

  it('refuses the tokens of inactive and deleted users', async () => {
    const inactive = await createTestUser({ isActive: false });
    const inactiveAccess = (await issueTokenPair(tokenClaimsFor(inactive.user))).access;
    expect(await get(bearer(inactiveAccess))).toMatchObject({ status: 401, body: { detail: 'User is inactive', code: 'user_inactive' } });

    const doomed = await createTestUser();
    const doomedAccess = (await issueTokenPair(tokenClaimsFor(doomed.user))).access;
    await dynamo().send(new DeleteCommand({ TableName: settings().tables.users, Key: userKey(doomed.user.id) }));
    expect(await get(bearer(doomedAccess))).toMatchObject({ status: 401, body: { detail: 'User not found', code: 'user_not_found' } });
  });
});
