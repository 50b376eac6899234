import { beforeAll, describe, expect, it } from 'vitest';
import { handler as logoutAll } from '../functions/logout-all';
import { handler as logout } from '../functions/logout';
import { handler as refresh } from '../functions/refresh';
import { handler as verify } from '../functions/verify';
import { requireUserByUsername, setActive } from '../shared/users/users';
import { AFTER_GRACE, later } from './support/clock';
import { countDynamoCalls } from './support/dynamo-calls';
import { bearer, invoke } from './support/invoke';
import { claimsFor, forge, now, tamper } from './support/tokens';
import { createTestUser, sessionTokens, type TestUser } from './support/users';

const BLACKLISTED = { non_field_errors: ['Token is blacklisted'] };
const check = (token: string) => invoke(verify, { body: { token } });

describe('POST /api/token/verify/', () => {
  let sam: TestUser;
  let pair: { access: string; refresh: string };
  beforeAll(async () => {
    sam = await createTestUser();
    pair = await sessionTokens(sam.user);
  });

  it('answers {} for a valid access token without a DynamoDB call, and for a usable refresh token after one read', async () => {
    const access = await countDynamoCalls(() => check(pair.access));
    expect(access).toMatchObject({ result: { status: 200, body: {} }, calls: [] });
    const refreshToken = await countDynamoCalls(() => check(pair.refresh));
    expect(refreshToken).toMatchObject({ result: { status: 200, body: {} }, calls: ['BatchGetItemCommand'] });
    expect(await check(`  ${pair.access}  `)).toMatchObject({ status: 200, body: {} });
  });

  it('answers 401 token_not_valid for garbage, a bad signature and an expired token', async () => {
    for (const token of ['garbage', tamper(pair.access, { user_id: 'admin' }), '123']) {
      const answer = await check(token);
      expect(answer).toMatchObject({ status: 401, body: { detail: 'Token is invalid', code: 'token_not_valid' } });
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="api"');
    }
    const expired = await forge(claimsFor('access', 'u', { iat: now() - 2000, exp: now() - 1000 }));
    expect(await check(expired)).toMatchObject({ status: 401, body: { detail: 'Token is expired', code: 'token_not_valid' } });
  });

  it("answers simplejwt's 400 \"Token is blacklisted\" for a refresh token logged out or rotated", async () => {
    const loggedOut = await sessionTokens(sam.user);
    expect((await invoke(logout, { body: { refresh: loggedOut.refresh } })).status).toBe(200);
    expect(await check(loggedOut.refresh)).toMatchObject({ status: 400, body: BLACKLISTED });

    const rotated = await sessionTokens(sam.user);
    const { body: next } = await invoke(refresh, { body: { refresh: rotated.refresh } });
    expect(await check(rotated.refresh)).toMatchObject({ status: 400, body: BLACKLISTED });
    expect(await check(next.refresh)).toMatchObject({ status: 200, body: {} });
  });

  it('answers 400 for the refresh tokens of a session revoked by a replay, and of sessions ended by logout-all or deactivation', async () => {
    const stolen = await sessionTokens(sam.user);
    const { body: next } = await invoke(refresh, { body: { refresh: stolen.refresh } });
    expect((await later(AFTER_GRACE, () => invoke(refresh, { body: { refresh: stolen.refresh } }))).status).toBe(401);
    expect(await check(next.refresh)).toMatchObject({ status: 400, body: BLACKLISTED });

    const tess = await createTestUser();
    const [a, b] = [await sessionTokens(tess.user), await sessionTokens(tess.user)];
    expect((await invoke(logoutAll, { headers: bearer(a.access) })).status).toBe(200);
    expect(await check(b.refresh)).toMatchObject({ status: 400, body: BLACKLISTED });

    const uma = await createTestUser();
    const session = await sessionTokens(uma.user);
    await setActive(await requireUserByUsername(uma.user.username), false);
    expect(await check(session.refresh)).toMatchObject({ status: 400, body: BLACKLISTED });
    // Access tokens stay a signature check: verify says nothing about sessions there, as simplejwt.
    expect(await check(session.access)).toMatchObject({ status: 200, body: {} });
  });

  it('answers 400 for a missing token field', async () => {
    expect(await invoke(verify, { body: {} })).toMatchObject({ status: 400, body: { token: ['This field is required.'] } });
  });
});
