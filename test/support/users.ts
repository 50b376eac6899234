/** Real users in the test tables, each with a fresh username. */
import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../shared/users/passwords';
import { createUser, type NewUser, type User } from '../../shared/users/users';

export interface TestUser {
  readonly user: User;
  readonly password: string;
}

export async function createTestUser(overrides: Partial<NewUser> = {}): Promise<TestUser> {
  const password = overrides.passwordHash ? 'unknown' : `pw-${randomUUID()}`;
  const user = await createUser({
    username: `user-${randomUUID().slice(0, 12)}`,
    email: 'someone@example.com',
    firstName: 'Ada',
    lastName: 'Lovelace',
    isActive: true,
    isStaff: false,
    isSuperuser: false,
    passwordHash: overrides.passwordHash ?? (await hashPassword(password)),
    ...overrides,
  });
  return { user, password };
}
