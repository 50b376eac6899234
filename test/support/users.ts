/** Real users in the test tables, each with a fresh username. */
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { startSession } from '../../shared/sessions/session-store';
import { issueTokenPair } from '../../shared/sessions/session-tokens';
import { settings } from '../../shared/settings';
import { dynamo } from '../../shared/store/dynamodb';
import { hashPassword } from '../../shared/users/passwords';
import { createUser, tokenClaimsFor, type NewUser, type User } from '../../shared/users/users';

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

/** A login's session and tokens for `user`, as obtain makes them (the session recorded, then the pair signed). */
export async function sessionTokens(user: User, client = 'vitest') {
  const session = await startSession(user, client);
  return { session, ...(await issueTokenPair({ ...tokenClaimsFor(user), ...session })) };
}

/** Records a session that started at `authTime` (in the past, say), for tokens forged with its claims. */
export async function recordSession(userId: string, session: { sid: string; auth_time: number; gen: number }): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: settings().tables.sessions,
      Item: { userId, sid: session.sid, authTime: session.auth_time, gen: session.gen, client: 'vitest', expiresAt: session.auth_time + 30 * 86400 },
    }),
  );
}
