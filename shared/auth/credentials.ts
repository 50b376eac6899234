/**
 * Username and password to an active user, as Django's ModelBackend plus simplejwt's active-user rule,
 * behind the login throttle. Unknown usernames, wrong passwords and inactive users get the same answer
 * after the same work: the attempt counted and the username read together, the user read, one full
 * password hash.
 */
import { authenticationFailed } from '../http/errors';
import { beginLoginAttempt, endLoginAttemptWithSuccess } from '../users/login-throttle';
import { hashPassword, needsRehash, spendHashTime, verifyPassword } from '../users/passwords';
import { isStorableUsername, readUsernameItem, updateUserById, UserChangedError, userOfUsernameItem, type User } from '../users/users';

export async function authenticateCredentials(username: string, password: string): Promise<User> {
  const [attempt, usernameItem] = await Promise.all([
    beginLoginAttempt(username),
    isStorableUsername(username) ? readUsernameItem(username) : undefined,
  ]);
  const user = await userOfUsernameItem(usernameItem);
  let passwordMatches = false;
  if (user) passwordMatches = await verifyPassword(password, user.passwordHash);
  else await spendHashTime(password);
  if (!user || !passwordMatches || !user.isActive) throw authenticationFailed('No active account found with the given credentials');
  await endLoginAttemptWithSuccess(attempt);
  // A hash imported from Django, or one written at a lower cost: replace it now that the password is known,
  // unless the user changed meanwhile (a new password, deactivation, ended sessions): then this login fails.
  if (!needsRehash(user.passwordHash)) return user;
  try {
    return await updateUserById(user.id, { passwordHash: await hashPassword(password), unchangedSince: user });
  } catch (error) {
    if (error instanceof UserChangedError) throw authenticationFailed('No active account found with the given credentials');
    throw error;
  }
}
