/** GET /account/sessions and DELETE /account/sessions/{id}: a user's own sessions, listed and ended. */
import { describe, expect, it } from 'vitest';
import { handler as endSession } from '../functions/end-session';
import { handler as logoutAll } from '../functions/logout-all';
import { handler as logout } from '../functions/logout';
import { handler as obtain } from '../functions/obtain';
import { handler as profile } from '../functions/profile';
import { handler as refresh } from '../functions/refresh';
import { handler as sessions } from '../functions/sessions';
import { bearer, invoke } from './support/invoke';
import { claimsOf } from './support/tokens';
import { createTestUser, type TestUser } from './support/users';

const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148';
const LAPTOP = `Mozilla/5.0 (X11; Linux x86_64) ${'x'.repeat(300)}`;

const login = async (user: TestUser, userAgent: string) => {
  const answer = await invoke(obtain, { body: { username: user.user.username, password: user.password }, headers: { 'user-agent': userAgent } });
  expect(answer.status).toBe(200);
  return answer.body as { access: string; refresh: string };
};
const list = (access: string) => invoke(sessions, { method: 'GET', headers: bearer(access) });
const end = (access: string, id: string) => invoke(endSession, { method: 'DELETE', headers: bearer(access), pathParameters: { id } });
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

describe('GET /account/sessions', () => {
  it("lists the user's live sessions, newest first, with the caller's marked", async () => {
    const ada = await createTestUser();
    const phone = await login(ada, PHONE);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a later login second
    const laptop = await login(ada, LAPTOP);
    await invoke(refresh, { body: { refresh: phone.refresh } });
    const answer = await list(laptop.access);
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.body).toEqual([
      { id: claimsOf(laptop.access).sid, logged_in_at: expect.stringMatching(ISO), last_refreshed_at: null, expires_at: expect.stringMatching(ISO), client: LAPTOP.slice(0, 160), current: true },
      { id: claimsOf(phone.access).sid, logged_in_at: expect.stringMatching(ISO), last_refreshed_at: expect.stringMatching(ISO), expires_at: expect.stringMatching(ISO), client: PHONE, current: false },
    ]);
    const [newest] = answer.body;
    expect(Date.parse(newest.expires_at) - Date.parse(newest.logged_in_at)).toBe(7 * 86400 * 1000);
  });

  it('leaves out sessions that were logged out or ended, and needs a bearer', async () => {
    const bo = await createTestUser();
    const gone = await login(bo, 'gone');
    const kept = await login(bo, 'kept');
    expect((await invoke(logout, { body: { refresh: gone.refresh } })).status).toBe(200);
    expect((await list(kept.access)).body.map((session: { client: string }) => session.client)).toEqual(['kept']);
    expect((await invoke(logoutAll, { headers: bearer(kept.access) })).status).toBe(200);
    const fresh = await login(bo, 'fresh');
    expect((await list(fresh.access)).body.map((session: { client: string }) => session.client)).toEqual(['fresh']);
    expect(await invoke(sessions, { method: 'GET' })).toMatchObject({ status: 401, body: { detail: 'Authentication credentials were not provided.' } });
    expect(await invoke(sessions, { method: 'POST', headers: bearer(fresh.access) })).toMatchObject({ status: 405 });
  });
});

describe('DELETE /account/sessions/{id}', () => {
  it('ends that one session: its refresh token and access tokens stop working, the caller stays in', async () => {
    const cy = await createTestUser();
    const lost = await login(cy, 'lost phone');
    const here = await login(cy, 'laptop');
    const answer = await end(here.access, claimsOf(lost.access).sid as string);
    expect(answer).toMatchObject({ status: 204, body: undefined });
    expect(await invoke(refresh, { body: { refresh: lost.refresh } })).toMatchObject({ status: 401, body: { detail: 'Token is blacklisted' } });
    expect((await invoke(profile, { method: 'GET', headers: bearer(lost.access) })).status).toBe(401);
    expect((await invoke(profile, { method: 'GET', headers: bearer(here.access) })).status).toBe(200);
    expect((await list(here.access)).body.map((session: { client: string }) => session.client)).toEqual(['laptop']);
    // Ending it again, or a session that is not the caller's, or no session at all: 404.
    expect(await end(here.access, claimsOf(lost.access).sid as string)).toMatchObject({ status: 404, body: { detail: 'Not found.' } });
    const other = await login(await createTestUser(), 'someone else');
    expect(await end(here.access, claimsOf(other.access).sid as string)).toMatchObject({ status: 404 });
    expect((await invoke(profile, { method: 'GET', headers: bearer(other.access) })).status).toBe(200);
    for (const id of ['f'.repeat(32), 'not-a-session-id', '']) expect((await end(here.access, id)).status).toBe(404);
  });

  it('can end the caller\'s own session', async () => {
    const di = await createTestUser();
    const own = await login(di, 'own');
    expect((await end(own.access, claimsOf(own.access).sid as string)).status).toBe(204);
    expect((await invoke(profile, { method: 'GET', headers: bearer(own.access) })).status).toBe(401);
  });
});
