/**
 * A mail that cannot be sent: 503 with Retry-After and a JSON body, never a stack trace, and nothing lost:
 * the same request succeeds once mail works again. The file backend fails by writing under a regular file.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { LambdaHandler } from '../shared/http/endpoint';
import { findUserByUsername } from '../shared/users/users';
import { invoke } from './support/invoke';
import { lastLink, mailsTo } from './support/mail';
import { createTestUser } from './support/users';

const blocker = join(mkdtempSync(join(tmpdir(), 'mail-fault-')), 'not-a-folder');
writeFileSync(blocker, '');

/** Fresh handlers that mail into `mailDir`. */
async function handlers(mailDir: string) {
  vi.stubEnv('REGISTRATION', 'open');
  vi.stubEnv('MAIL_DIR', mailDir);
  vi.resetModules();
  const load = async (name: string) => ((await import(`../functions/${name}.ts`)) as { handler: LambdaHandler }).handler;
  return { create: await load('users-create'), reset: await load('reset-password'), confirm: await load('reset-password-confirm'), obtain: await load('obtain') };
}
afterAll(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

const unique = () => `m${Math.random().toString(36).slice(2, 10)}`;

describe('when mail cannot be sent', () => {
  it('a password reset answers 503 and can be asked again, and that link works', async () => {
    const email = `${unique()}@example.com`;
    const { user } = await createTestUser({ email });
    const broken = await handlers(join(blocker, 'mail'));
    const refused = await invoke(broken.reset, { body: { email } });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.body).toEqual({ detail: 'Service temporarily unavailable, try again later.', code: 'service_unavailable' });

    const mailDir = mkdtempSync(join(tmpdir(), 'mail-ok-'));
    const fixed = await handlers(mailDir);
    expect((await invoke(fixed.reset, { body: { email } })).status).toBe(204);
    const link = lastLink(email, mailDir);
    expect((await invoke(fixed.confirm, { body: { uid: link.uid, token: link.token, new_password: 'after-the-outage-7' } })).status).toBe(204);
    expect((await invoke(fixed.obtain, { body: { username: user.username, password: 'after-the-outage-7' } })).status).toBe(200);
  });

  it('a sign-up answers 503 and is undone, so the same sign-up can be sent again', async () => {
    const signUp = { username: unique(), email: `${unique()}@example.com`, password: 'S3cure-pass-123' };
    const broken = await handlers(join(blocker, 'mail'));
    expect((await invoke(broken.create, { body: signUp })).status).toBe(503);
    expect(await findUserByUsername(signUp.username)).toBeUndefined();

    const mailDir = mkdtempSync(join(tmpdir(), 'mail-ok-'));
    const fixed = await handlers(mailDir);
    expect((await invoke(fixed.create, { body: signUp })).status).toBe(201);
    expect(mailsTo(signUp.email, mailDir)).toHaveLength(1);
  });
});
