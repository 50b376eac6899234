/** Login costs one full password hash whatever the outcome, so timing does not tell who has an account. */
import { describe, expect, it, vi } from 'vitest';
import * as passwords from '../shared/users/passwords';
import { logIn } from '../shared/auth/credentials';
import { setActive } from '../shared/users/users';
import { countDynamoCalls } from './support/dynamo-calls';
import { createTestUser } from './support/users';

vi.mock('../shared/users/passwords', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../shared/users/passwords')>();
  return { ...actual, verifyPassword: vi.fn(actual.verifyPassword), spendHashTime: vi.fn(actual.spendHashTime) };
});

async function hashesFor(username: string, password: string): Promise<{ hashes: number; calls: string[] }> {
  vi.mocked(passwords.verifyPassword).mockClear();
  vi.mocked(passwords.spendHashTime).mockClear();
  const { calls } = await countDynamoCalls(() => logIn(username, password, { address: '203.0.113.7', userAgent: 'test' }).catch(() => undefined));
  const verified = vi.mocked(passwords.verifyPassword).mock.calls.length;
  const spent = vi.mocked(passwords.spendHashTime).mock.calls.length;
  return { hashes: verified + spent, calls };
}

describe('logIn', () => {
  it('counts the attempt, reads twice and hashes once, whatever the outcome; a success then starts a session', async () => {
    const active = await createTestUser();
    const inactive = await createTestUser();
    await setActive(inactive.user, false);
    const failures = [
      await hashesFor(active.user.username, 'wrong'),
      await hashesFor('no-such-user-here', 'whatever'),
      await hashesFor(inactive.user.username, inactive.password),
    ];
    // Wrong password, unknown user, inactive user: the same work. (The attempt is counted per username and per address.)
    const counted = ['GetItemCommand', 'GetItemCommand', 'UpdateItemCommand', 'UpdateItemCommand'];
    for (const outcome of failures) expect({ ...outcome, calls: [...outcome.calls].sort() }).toEqual({ hashes: 1, calls: counted });
    // The right password: the same, then the session and the attempt taken off the count again.
    const success = await hashesFor(active.user.username, active.password);
    expect({ ...success, calls: [...success.calls].sort() }).toEqual({ hashes: 1, calls: [...counted, 'PutItemCommand', 'UpdateItemCommand', 'UpdateItemCommand', 'UpdateItemCommand'].sort() });
  });
});
