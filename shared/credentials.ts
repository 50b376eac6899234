/**
 * Username and password to an active user, as Django's ModelBackend plus simplejwt's active-user rule.
 * Unknown usernames, wrong passwords and inactive users all get the same answer after the same work:
 * a full password hash is computed in every case.
 */
import { authenticationFailed } from './errors';
import { spendHashTime, verifyPassword } from './passwords';
import { findUserByUsername, type User } from './users';

export async function authenticateCredentials(username: string, password: string): Promise<User> {
  const user = await findUserByUsername(username);
  let passwordMatches = false;
  if (user) passwordMatches = await verifyPassword(password, user.passwordHash);
  else await spendHashTime(password);
  if (!user || !passwordMatches || !user.isActive) {
    throw authenticationFailed('No active account found with the given credentials');
  }
  return user;
}
