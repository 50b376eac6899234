/**
 * Username and password to an active user, as Django's ModelBackend plus simplejwt's active-user rule,
 * behind the login throttle. Unknown usernames, wrong passwords and inactive users get the same answer
 * after the same work: two reads, one full password hash, one failure count.
 */
import { getItems } from './dynamodb';
import { authenticationFailed } from './errors';
import { assertNotLockedOut, clearLoginFailures, loginAttemptsKey, recordLoginFailure } from './login-throttle';
import { spendHashTime, verifyPassword } from './passwords';
import { isStorableUsername, userOfUsernameItem, usernameKey, type User } from './users';

export async function authenticateCredentials(username: string, password: string): Promise<User> {
  const [attempts, usernameItem] = await getItems([
    { table: 'loginAttempts', key: loginAttemptsKey(username) },
    ...(isStorableUsername(username) ? [{ table: 'users' as const, key: usernameKey(username) }] : []),
  ]);
  assertNotLockedOut(attempts);
  const user = await userOfUsernameItem(usernameItem);
  let passwordMatches = false;
  if (user) passwordMatches = await verifyPassword(password, user.passwordHash);
  else await spendHashTime(password);
  if (!user || !passwordMatches || !user.isActive) {
    await recordLoginFailure(username);
    throw authenticationFailed('No active account found with the given credentials');
  }
  if (attempts) await clearLoginFailures(username);
  return user;
}
