/** Token families: theft detection, logout, absolute lifetime, and ending every session of a user. */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as logoutAll } from '../functions/logout-all';
import { handler as logout } from '../functions/logout';
import { handler as obtain } from '../functions/obtain';
import { handler as password } from '../functions/password';
import { handler as profile } from '../functions/profile';
import { handler as refresh } from '../functions/refresh';
import { requireUserByUsername, setActive } from '../shared/users/users';
import { bearer, invoke } from './support/invoke';
import { claimsFor, claimsOf, forge, now } from './support/tokens';
import { AFTER_GRACE, later } from './support/clock';
import { createTestUser, recordSession, type TestUser } from './support/users';

const BLACKLISTED = { detail: 'Token is blacklisted', code: 'token_not_valid' };
const PROFILE_BLACKLISTED = {
  detail: 'Given token not valid for any token type',
  code: 'token_not_valid',
  messages: [{ token_class: 'AccessToken', token_type: 'access', message: 'Token is blacklisted' }],
};

const login = async (user: TestUser, pw = user.password) => {
  const answer = await invoke(obtain, { body: { username: user.user.username, password: pw } });
  expect(answer.status).toBe(200);
  return answer.body as { access: string; refresh: string };
};
const rotate = (token: string) => invoke(refresh, { body: { refresh: token } });
const profileWith = (access: string) => invoke(profile, { method: 'GET', headers: bearer(access) });

describe('sessions', () => {
  let kim: TestUser;
  beforeAll(async () => {
    kim = await createTestUser();
  });

  it('every login starts a session whose id, start and generation both tokens carry, and refresh keeps', async () => {
    const first = await login(kim);
    const second = await login(kim);
    const claims = claimsOf(first.refresh);
    expect(claims.sid).toMatch(/^[0-9a-f]{32}$/);
    expect(claimsOf(first.access)).toMatchObject({ sid: claims.sid, auth_time: claims.auth_time, gen: 0 });
    expect(claimsOf(second.refresh).sid).not.toBe(claims.sid);
    const rotated = (await rotate(first.refresh)).body;
    expect(claimsOf(rotated.refresh)).toMatchObject({ sid: claims.sid, auth_time: claims.auth_time, gen: 0 });
    expect(claimsOf(rotated.access)).toMatchObject({ sid: claims.sid });
  });

  it('a replayed refresh token revokes its whole session: the newest refresh token and every access token fail', async () => {
    const original = await login(kim);
    const bystander = await login(kim);
    const { body: newest } = await rotate(original.refresh);
    expect((await profileWith(newest.access)).status).toBe(200);

    // Past REFRESH_REUSE_GRACE, presenting the used token again is a replay.
    expect(await later(AFTER_GRACE, () => rotate(original.refresh))).toMatchObject({ status: 401, body: BLACKLISTED });

    expect(await rotate(newest.refresh)).toMatchObject({ status: 401, body: BLACKLISTED });
    expect(await profileWith(newest.access)).toMatchObject({ status: 401, body: PROFILE_BLACKLISTED });
    expect(await profileWith(original.access)).toMatchObject({ status: 401, body: PROFILE_BLACKLISTED });
    // Other sessions of the same user are untouched.
    expect((await profileWith(bystander.access)).status).toBe(200);
    expect((await rotate(bystander.refresh)).status).toBe(200);
  });

  it("logout ends the session: its access tokens stop working at the profile, other sessions don't", async () => {
    const session = await login(kim);
    const other = await login(kim);
    expect((await invoke(logout, { body: { refresh: session.refresh } })).status).toBe(200);
    expect(await profileWith(session.access)).toMatchObject({ status: 401, body: PROFILE_BLACKLISTED });
    expect((await profileWith(other.access)).status).toBe(200);
  });

  it('rotation never extends a session past its absolute lifetime', async () => {
    const authTime = now() - 3 * 86400;
    const session = { sid: 'a'.repeat(32), auth_time: authTime, gen: 0 };
    await recordSession(kim.user.id, session);
    const old = await forge(claimsFor('refresh', kim.user.id, session));
    const { status, body } = await rotate(old);
    expect(status).toBe(200);
    // simplejwt would give now + 7 days; the session started 3 days ago, so it ends in 4.
    expect(claimsOf(body.refresh).exp).toBe(authTime + 7 * 86400);
    expect(claimsOf(body.access).exp).toBeLessThanOrEqual(authTime + 7 * 86400);
  });

  it('SESSION_LIFETIME caps every token of the session', async () => {
    vi.stubEnv('SESSION_LIFETIME', '20m');
    vi.resetModules();
    try {
      const { handler: shortObtain } = await import('../functions/obtain');
      const { handler: shortRefresh } = await import('../functions/refresh');
      const { body } = await invoke(shortObtain, { body: { username: kim.user.username, password: kim.password } });
      const claims = claimsOf(body.refresh);
      const end = (claims.auth_time as number) + 1200;
      expect(claims.exp).toBe(end);
      // Refreshed near the end, the access token (15 minutes) is cut at the session's end too.
      await later(1000, async () => {
        const refreshed = await invoke(shortRefresh, { body: { refresh: body.refresh } });
        expect(refreshed.status).toBe(200);
        expect(claimsOf(refreshed.body.access).exp).toBe(end);
        expect(claimsOf(refreshed.body.refresh).exp).toBe(end);
      });
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});

describe('sessions across setting changes and old tokens', () => {
  it('a session past SESSION_LIFETIME is over even if its token says otherwise (the lifetime was shortened)', async () => {
    const oscar = await createTestUser();
    const old = now() - 8 * 86400;
    const claims = { sid: 'c'.repeat(32), auth_time: old, gen: 0 };
    const expired = { detail: 'Token is expired', code: 'token_not_valid' };
    expect(await rotate(await forge(claimsFor('refresh', oscar.user.id, claims)))).toMatchObject({ status: 401, body: expired });
    const { handler: verify } = await import('../functions/verify');
    expect(await invoke(verify, { body: { token: await forge(claimsFor('access', oscar.user.id, claims)) } })).toMatchObject({ status: 401, body: expired });
    expect((await profileWith(await forge(claimsFor('access', oscar.user.id, claims)))).body.messages[0].message).toBe('Token is expired');
  });

  it('a refresh token from before sessions (or from Django) starts a session at its refresh', async () => {
    const pat = await createTestUser();
    const legacy = await forge(claimsFor('refresh', pat.user.id));
    const { status, body } = await rotate(legacy);
    expect(status).toBe(200);
    const claims = claimsOf(body.refresh);
    expect(claims.sid).toMatch(/^[0-9a-f]{32}$/);
    expect(Math.abs((claims.auth_time as number) - now())).toBeLessThanOrEqual(2);
    expect(claimsOf(body.access).sid).toBe(claims.sid);
    // A retry gets the same session and successor; a replay after the grace revokes that session.
    expect((await rotate(legacy)).body.refresh).toBe(body.refresh);
    expect(await later(AFTER_GRACE, () => rotate(legacy))).toMatchObject({ status: 401, body: BLACKLISTED });
    expect(await rotate(body.refresh)).toMatchObject({ status: 401, body: BLACKLISTED });
  });

  it('within REFRESH_REUSE_GRACE a used token gets its same successor again, and the session survives', async () => {
    const quinn = await createTestUser();
    const first = await login(quinn);
    const { body: second } = await rotate(first.refresh);
    await later(AFTER_GRACE - 2, async () => {
      const again = await rotate(first.refresh);
      expect(again).toMatchObject({ status: 200, body: { refresh: second.refresh } });
      expect(claimsOf(again.body.access)).toMatchObject({ sid: claimsOf(first.refresh).sid });
      expect((await profileWith(again.body.access)).status).toBe(200);
    });
    expect((await rotate(second.refresh)).status).toBe(200);
  });

  it('a logout with a token rotated within the grace ends the session (its holder may never have seen the successor)', async () => {
    const vera = await createTestUser();
    const first = await login(vera);
    const { body: second } = await rotate(first.refresh);
    expect(await invoke(logout, { body: { refresh: first.refresh } })).toMatchObject({ status: 200, body: { detail: 'Successfully logged out.' } });
    expect(await rotate(second.refresh)).toMatchObject({ status: 401, body: BLACKLISTED });
    expect(await profileWith(second.access)).toMatchObject({ status: 401, body: PROFILE_BLACKLISTED });
    // After the grace such a logout is refused as simplejwt refuses a used token, and the session still ends.
    const third = await login(vera);
    const { body: fourth } = await rotate(third.refresh);
    expect(await later(AFTER_GRACE, () => invoke(logout, { body: { refresh: third.refresh } }))).toMatchObject({ status: 400, body: { detail: 'Invalid token.' } });
    expect(await rotate(fourth.refresh)).toMatchObject({ status: 401, body: BLACKLISTED });
  });

  it('with REFRESH_REUSE_GRACE=0 every replay revokes the session, even at once', async () => {
    vi.stubEnv('REFRESH_REUSE_GRACE', '0');
    vi.resetModules();
    try {
      const { handler: strictRefresh } = await import('../functions/refresh');
      const rex = await createTestUser();
      const first = await login(rex);
      const { body: second } = await invoke(strictRefresh, { body: { refresh: first.refresh } });
      expect(await invoke(strictRefresh, { body: { refresh: first.refresh } })).toMatchObject({ status: 401, body: BLACKLISTED });
      expect(await invoke(strictRefresh, { body: { refresh: second.refresh } })).toMatchObject({ status: 401, body: BLACKLISTED });
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});

describe('ending every session of a user', () => {
  it('POST /account/logout-all/ ends every session, this one included; a new login works', async () => {
    const lee = await createTestUser();
    const [a, b] = [await login(lee), await login(lee)];
    expect(await invoke(logoutAll, { headers: bearer(a.access) })).toMatchObject({ status: 200, body: { detail: 'Logged out of every session.' } });
    for (const session of [a, b]) {
      expect(await rotate(session.refresh)).toMatchObject({ status: 401, body: BLACKLISTED });
      expect(await profileWith(session.access)).toMatchObject({ status: 401, body: PROFILE_BLACKLISTED });
    }
    const fresh = await login(lee);
    expect(claimsOf(fresh.access).gen).toBe(1);
    expect((await profileWith(fresh.access)).status).toBe(200);
    expect(await invoke(logoutAll, {})).toMatchObject({ status: 401, body: { detail: 'Authentication credentials were not provided.' } });
  });

  it('POST /account/password/ checks the old password and the new one, then ends every session', async () => {
    const max = await createTestUser();
    const session = await login(max);
    const change = (body: unknown) => invoke(password, { headers: bearer(session.access), body });
    expect(await change({ old_password: 'wrong', new_password: 'a-new-long-password' })).toMatchObject({
      status: 400,
      body: { old_password: ['Your old password was entered incorrectly. Please enter it again.'] },
    });
    expect(await change({ old_password: max.password, new_password: '1234' })).toMatchObject({
      status: 400,
      body: { new_password: ['This password is too short. It must contain at least 8 characters.', 'This password is entirely numeric.'] },
    });
    expect(await change({ old_password: max.password })).toMatchObject({ status: 400, body: { new_password: ['This field is required.'] } });
    expect(await change({ old_password: max.password, new_password: 'a-new-long-password' })).toMatchObject({ status: 200 });

    expect(await rotate(session.refresh)).toMatchObject({ status: 401, body: BLACKLISTED });
    expect(await profileWith(session.access)).toMatchObject({ status: 401, body: PROFILE_BLACKLISTED });
    expect((await invoke(obtain, { body: { username: max.user.username, password: max.password } })).status).toBe(401);
    await login(max, 'a-new-long-password');
  });

  it('deactivation ends every session, and reactivation does not bring them back', async () => {
    const ned = await createTestUser();
    const session = await login(ned);
    await setActive(await requireUserByUsername(ned.user.username), false);
    expect(await rotate(session.refresh)).toMatchObject({ status: 401, body: { detail: 'No active account found for the given token.' } });
    await setActive(await requireUserByUsername(ned.user.username), true);
    expect(await rotate(session.refresh)).toMatchObject({ status: 401, body: BLACKLISTED });
    expect(await profileWith(session.access)).toMatchObject({ status: 401, body: PROFILE_BLACKLISTED });
  });
});
