/** Login costs one full password hash whatever the outcome, so timing does not tell who has an account. */
import { describe, expect, it, vi } from 'vitest';
import * as passwords from '../shared/users/passwords';
import { authenticateCredentials } from '../shared/auth/credentials';
import { updateUser } from '../shared/users/users';
import { countDynamoCalls } from './support/dynamo-calls';
import { createTestUser } from './support/users';

vi.mock('../shared/users/passwords', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../shared/users/passwords')>();
  return { ...actual, verifyPassword: vi.fn(actual.verifyPassword), spendHashTime: vi.fn(actual.spendHashTime) };
});

async function hashesFor(username: string, password: string): Promise<{ hashes: number; calls: string[] }> {
  vi.mocked(passwords.verifyPassword).mockClear();
  vi.mocked(passwords.spendHashTime).mockClear();
  const { calls } = await countDynamoCalls(() => authenticateCredentials(username, password).catch(() => undefined));
  const verified = vi.mocked(passwords.verifyPassword).mock.calls.length;
  const spent = vi.mocked(passwords.spendHashTime).mock.calls.length;
  return { hashes: verified + spent, calls };
}

describe('authenticateCredentials', () => {
  it('counts the attempt, reads twice and hashes once, whatever the outcome', async () => {
    const active = await createTestUser();
    const inactive = await createTestUser();
    await updateUser(inactive.user.username, { isActive: false });
    const outcomes = [
      await hashesFor(active.user.username, active.password),
      await hashesFor(active.user.username, 'wrong'),
      await hashesFor('no-such-user-here', 'whatever'),
      await hashesFor(inactive.user.username, inactive.password),
    ];
    // Right password, wrong password, unknown user, inactive user: the same work.
    for (const outcome of outcomes) expect({ ...outcome, calls: [...outcome.calls].sort() }).toEqual({ hashes: 1, calls: ['GetItemCommand', 'GetItemCommand', 'UpdateItemCommand'] });
  });
});
