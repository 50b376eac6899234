/**
 * Accounts by email on djoser's contract (CONTRACT.md's last table, and djoser 2.x's behaviour recorded from
 * the reference project): sign-up, activation, password reset, the bearer's own account. Mails are read from
 * MAIL_DIR, where the file backend writes them.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LambdaHandler } from '../shared/http/endpoint';
import { later } from './support/clock';
import { bearer, invoke, type Answer } from './support/invoke';
import { lastLink, mailsTo } from './support/mail';
import { createTestUser } from './support/users';

let h: Record<'create' | 'activation' | 'resend' | 'reset' | 'confirm' | 'me' | 'setPassword' | 'obtain' | 'refresh' | 'profile', LambdaHandler>;
beforeAll(async () => {
  vi.stubEnv('REGISTRATION', 'open');
  vi.resetModules();
  const load = async (name: string) => ((await import(`../functions/${name}.ts`)) as { handler: LambdaHandler }).handler;
  h = {
    create: await load('users-create'),
    activation: await load('activation'),
    resend: await load('resend-activation'),
    reset: await load('reset-password'),
    confirm: await load('reset-password-confirm'),
    me: await load('me'),
    setPassword: await load('set-password'),
    obtain: await load('obtain'),
    refresh: await load('refresh'),
    profile: await load('profile'),
  };
});
afterAll(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

const unique = () => `u${Math.random().toString(36).slice(2, 10)}`;
const login = (username: string, password: string) => invoke(h.obtain, { body: { username, password } });
const WEAK = ['This password is too short. It must contain at least 8 characters.', 'This password is entirely numeric.'];

async function signUp(): Promise<{ username: string; email: string; password: string; answer: Answer }> {
  const username = unique();
  const email = `${username}@example.com`;
  const password = 'S3cure-pass-123';
  return { username, email, password, answer: await invoke(h.create, { body: { username, email, password } }) };
}

describe('POST /auth/users/ and activation', () => {
  it('signs up an inactive user, mails the link, activates once, then logs in', async () => {
    const { username, email, password, answer } = await signUp();
    expect(answer).toMatchObject({ status: 201, body: { email, username, id: expect.any(String) } });
    expect(Object.keys(answer.body).sort()).toEqual(['email', 'id', 'username']);
    expect(await login(username, password)).toMatchObject({ status: 401, body: { detail: 'No active account found with the given credentials' } });
    const mail = mailsTo(email).at(-1)!;
    expect(mail.subject).toBe('Account activation on auth.test.example');
    expect(mail.text).toContain("You're receiving this email because you need to finish activation process on auth.test.example.");
    const link = lastLink(email);
    expect(link.url).toBe(`https://auth.test.example/#/activate/${link.uid}/${link.token}`);
    expect(await invoke(h.activation, { body: { uid: link.uid, token: link.token.replace(/.$/, (c) => (c === '0' ? '1' : '0')) } })).toMatchObject({
      status: 400,
      body: { token: ['Invalid token for given user.'] },
    });
    expect(await invoke(h.activation, { body: link })).toMatchObject({ status: 204, body: undefined });
    expect(await invoke(h.activation, { body: link })).toMatchObject({ status: 403, body: { detail: 'Stale token for given user.' } });
    expect((await login(username, password)).status).toBe(200);
  });

  it("answers djoser's field errors: all at once, uniqueness among them, validators after, uid before token", async () => {
    expect(await invoke(h.create, { body: {} })).toMatchObject({ status: 400, body: { username: ['This field is required.'], password: ['This field is required.'] } });
    const taken = await createTestUser();
    expect(await invoke(h.create, { body: { username: taken.user.username, password: '1234' } })).toMatchObject({
      status: 400,
      body: { username: ['A user with that username already exists.'] },
    });
    expect(await invoke(h.create, { body: { username: unique(), password: '1234' } })).toMatchObject({ status: 400, body: { password: WEAK } });
    expect(await invoke(h.create, { body: { username: 'bob smith!', password: 'S3cure-pass-123' } })).toMatchObject({
      status: 400,
      body: { username: ['Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.'] },
    });
    expect(await invoke(h.create, { body: { username: unique(), email: 'not-an-email', password: 'S3cure-pass-123' } })).toMatchObject({
      status: 400,
      body: { email: ['Enter a valid email address.'] },
    });
    expect(await invoke(h.activation, { body: {} })).toMatchObject({ status: 400, body: { uid: ['This field is required.'], token: ['This field is required.'] } });
    for (const uid of ['OTk5', '!!!', 'abc']) {
      expect(await invoke(h.activation, { body: { uid, token: 'garbage' } })).toMatchObject({ status: 400, body: { uid: ["Invalid user id or user doesn't exist."] } });
    }
  });

  it('is closed unless REGISTRATION=open: anonymous 401, a user 403, staff may', async () => {
    vi.stubEnv('REGISTRATION', 'closed');
    vi.resetModules();
    try {
      const closed = ((await import('../functions/users-create')) as { handler: LambdaHandler }).handler;
      const body = { username: unique(), password: 'S3cure-pass-123' };
      expect(await invoke(closed, { body })).toMatchObject({ status: 401, body: { detail: 'Authentication credentials were not provided.' } });
      const plain = await createTestUser();
      const plainAccess = (await login(plain.user.username, plain.password)).body.access;
      expect(await invoke(closed, { body, headers: bearer(plainAccess) })).toMatchObject({ status: 403, body: { detail: 'You do not have permission to perform this action.' } });
      const staff = await createTestUser({ isStaff: true });
      const staffAccess = (await login(staff.user.username, staff.password)).body.access;
      expect((await invoke(closed, { body, headers: bearer(staffAccess) })).status).toBe(201);
    } finally {
      vi.stubEnv('REGISTRATION', 'open');
      vi.resetModules();
    }
  });

  it('resend_activation answers 204 for any email after the same time, and mails only an inactive account', async () => {
    const { email } = await signUp();
    const before = mailsTo(email).length;
    const known = performance.now();
    expect(await invoke(h.resend, { body: { email } })).toMatchObject({ status: 204 });
    const knownMs = performance.now() - known;
    expect(mailsTo(email).length).toBe(before + 1);
    const unknown = performance.now();
    expect(await invoke(h.resend, { body: { email: `${unique()}@example.com` } })).toMatchObject({ status: 204 });
    const unknownMs = performance.now() - unknown;
    expect(Math.abs(knownMs - unknownMs)).toBeLessThan(400);
    expect(await invoke(h.resend, { body: { email: 'bad' } })).toMatchObject({ status: 400, body: { email: ['Enter a valid email address.'] } });
  });
});

describe('password reset', () => {
  async function activeUser() {
    const created = await signUp();
    await invoke(h.activation, { body: lastLink(created.email) });
    return created;
  }

  it('mails a link that sets a new password once, ends every session, and the old password stops working', async () => {
    const { username, email, password } = await activeUser();
    const session = (await login(username, password)).body;
    expect(await invoke(h.reset, { body: { email } })).toMatchObject({ status: 204 });
    const mail = mailsTo(email).at(-1)!;
    expect(mail.subject).toBe('Password reset on auth.test.example');
    expect(mail.text).toContain(`Your username, in case you've forgotten: ${username}`);
    const link = lastLink(email);
    expect(link.url).toContain('/#/password/reset/confirm/');
    expect(await invoke(h.confirm, { body: { ...link, new_password: '1234' } })).toMatchObject({ status: 400, body: { new_password: WEAK } });
    expect(await invoke(h.confirm, { body: { ...link, new_password: 'a-new-long-password-7' } })).toMatchObject({ status: 204 });
    expect(await invoke(h.confirm, { body: { ...link, new_password: 'another-long-password-8' } })).toMatchObject({ status: 400, body: { token: ['Invalid token for given user.'] } });
    expect((await login(username, password)).status).toBe(401);
    expect((await login(username, 'a-new-long-password-7')).status).toBe(200);
    expect((await invoke(h.refresh, { body: { refresh: session.refresh } })).status).toBe(401);
    expect((await invoke(h.profile, { method: 'GET', headers: bearer(session.access) })).status).toBe(401);
  });

  it('answers 204 for an unknown email, mailing nobody; a link past PASSWORD_RESET_TIMEOUT is refused', async () => {
    const nobody = `${unique()}@example.com`;
    expect(await invoke(h.reset, { body: { email: nobody } })).toMatchObject({ status: 204 });
    expect(mailsTo(nobody)).toEqual([]);
    const { email } = await activeUser();
    await invoke(h.reset, { body: { email } });
    const link = lastLink(email);
    expect(await later(86400 + 60, () => invoke(h.confirm, { body: { ...link, new_password: 'a-new-long-password-7' } }))).toMatchObject({
      status: 400,
      body: { token: ['Invalid token for given user.'] },
    });
  });

  it('throttles mail requests per email address (429, as DRF) and counts wrong link tokens', async () => {
    const email = `${unique()}@example.com`;
    for (let i = 0; i < 3; i++) expect((await invoke(h.reset, { body: { email } })).status).toBe(204);
    const refused = await invoke(h.reset, { body: { email } });
    expect(refused).toMatchObject({ status: 429, body: { detail: expect.stringMatching(/^Request was throttled\. Expected available in \d+ seconds\.$/) } });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    const { email: target } = await activeUser();
    await invoke(h.reset, { body: { email: target } });
    const { uid } = lastLink(target);
    const address = '203.0.113.77';
    for (let i = 0; i < 5; i++) expect((await invoke(h.confirm, { body: { uid, token: `abc-${String(i).repeat(32)}`, new_password: 'a-new-long-password-7' }, sourceIp: address })).status).toBe(400);
    expect((await invoke(h.confirm, { body: { uid, token: 'abc-ffffffffffffffffffffffffffffffff', new_password: 'a-new-long-password-7' }, sourceIp: address })).status).toBe(429);
  });
});

describe('/auth/users/me/ and set_password/', () => {
  async function loggedIn() {
    const { user, password } = await createTestUser({ email: `${unique()}@example.com` });
    return { user, password, access: (await login(user.username, password)).body.access as string };
  }

  it('GET answers email, id and username; PATCH of the email re-verifies it by mail to the new address', async () => {
    const { user, password, access } = await loggedIn();
    expect(await invoke(h.me, { method: 'GET', headers: bearer(access) })).toMatchObject({ status: 200, body: { email: user.email, id: user.id, username: user.username } });
    expect(await invoke(h.me, { method: 'GET' })).toMatchObject({ status: 401, body: { detail: 'Authentication credentials were not provided.' } });
    expect(await invoke(h.me, { method: 'PATCH', headers: bearer(access), body: { email: 'bad' } })).toMatchObject({ status: 400, body: { email: ['Enter a valid email address.'] } });
    const renamed = await invoke(h.me, { method: 'PATCH', headers: bearer(access), body: { first_name: 'Ada' } });
    expect(renamed).toMatchObject({ status: 200, body: { email: user.email } });
    const newEmail = `${unique()}@example.com`;
    expect(await invoke(h.me, { method: 'PATCH', headers: bearer(access), body: { email: newEmail } })).toMatchObject({ status: 200, body: { email: newEmail } });
    expect((await login(user.username, password)).status).toBe(401);
    expect(await invoke(h.activation, { body: lastLink(newEmail) })).toMatchObject({ status: 204 });
    expect((await login(user.username, password)).status).toBe(200);
  });

  it('set_password checks the current password first, then the validators with the user, and ends every session', async () => {
    const { user, password, access } = await loggedIn();
    expect(await invoke(h.setPassword, { headers: bearer(access), body: {} })).toMatchObject({
      status: 400,
      body: { current_password: ['This field is required.'], new_password: ['This field is required.'] },
    });
    expect(await invoke(h.setPassword, { headers: bearer(access), body: { current_password: 'wrong', new_password: '1234' } })).toMatchObject({
      status: 400,
      body: { current_password: ['Invalid password.'] },
    });
    expect(await invoke(h.setPassword, { headers: bearer(access), body: { current_password: password, new_password: '1234' } })).toMatchObject({ status: 400, body: { new_password: WEAK } });
    expect(await invoke(h.setPassword, { headers: bearer(access), body: { current_password: password, new_password: 'the-next-password-9' } })).toMatchObject({ status: 204 });
    expect((await invoke(h.profile, { method: 'GET', headers: bearer(access) })).status).toBe(401);
    expect((await login(user.username, 'the-next-password-9')).status).toBe(200);
  });

  it('DELETE with the current password removes the user and everything keyed to it', async () => {
    const { user, password, access } = await loggedIn();
    expect(await invoke(h.me, { method: 'DELETE', headers: bearer(access), body: {} })).toMatchObject({ status: 400, body: { current_password: ['This field is required.'] } });
    expect(await invoke(h.me, { method: 'DELETE', headers: bearer(access), body: { current_password: 'wrong' } })).toMatchObject({ status: 400, body: { current_password: ['Invalid password.'] } });
    expect(await invoke(h.me, { method: 'DELETE', headers: bearer(access), body: { current_password: password } })).toMatchObject({ status: 204 });
    expect(await invoke(h.me, { method: 'GET', headers: bearer(access) })).toMatchObject({ status: 401, body: { detail: 'User not found', code: 'user_not_found' } });
    expect((await login(user.username, password)).status).toBe(401);
    // The username is free again.
    expect((await invoke(h.create, { body: { username: user.username, password: 'S3cure-pass-123' } })).status).toBe(201);
  });
});
