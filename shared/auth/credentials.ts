/**
 * Username and password to an active user, as Django's ModelBackend plus simplejwt's active-user rule,
 * behind the login throttle; then the session the login starts. Unknown usernames, wrong passwords and
 * inactive users get the same answer after the same work: the attempt counted and the username read
 * together, the user read, one full password hash.
 */
import { authenticationFailed } from '../http/errors';
import { startSession } from '../sessions/session-store';
import type { SessionClaims } from '../sessions/session-tokens';
import { beginLoginAttempt, endLoginAttemptWithSuccess } from '../users/login-throttle';
import { hashPassword, needsRehash, spendHashTime, verifyPassword } from '../users/passwords';
import { isStorableUsername, readUsernameItem, recordLogin, upgradePasswordHash, UserChangedError, userOfUsernameItem, type User } from '../users/users';

const noActiveAccount = () => authenticationFailed('No active account found with the given credentials');

export interface Client {
  /** The client's address, for the login throttle. */
  readonly address: string | undefined;
  /** Its user agent, to describe the session in the user's session list. */
  readonly userAgent: string | undefined;
}

/** Three round trips: the attempt counted beside the username read, the user read, then the session started beside the count's release and the login's time. */
export async function logIn(username: string, password: string, client: Client): Promise<{ user: User; session: SessionClaims }> {
  const [attempt, usernameItem] = await Promise.all([
    beginLoginAttempt(username, password, client.address),
    isStorableUsername(username) ? readUsernameItem(username) : undefined,
  ]);
  let user = await userOfUsernameItem(usernameItem);
  let passwordMatches = false;
  if (user) passwordMatches = await verifyPassword(password, user.passwordHash);
  else await spendHashTime(password);
  if (!user || !passwordMatches || !user.isActive) throw noActiveAccount();
  if (needsRehash(user.passwordHash)) user = await upgradeHash(user, password);
  // The time of the login is kept (simplejwt's UPDATE_LAST_LOGIN, Django's last_login): account links depend on it.
  const [session, , loggedIn] = await Promise.all([startSession(user, client.userAgent), endLoginAttemptWithSuccess(attempt), recordLogin(user)]);
  return { user: loggedIn, session };
}

/**
 * A hash imported from Django, or one written at a lower cost: replaced now that the password is known,
 * unless the user changed meanwhile (a new password, deactivation, ended sessions): then this login fails.
 */
async function upgradeHash(user: User, password: string): Promise<User> {
  try {
    return await upgradePasswordHash(user, await hashPassword(password));
  } catch (error) {
    if (error instanceof UserChangedError) throw noActiveAccount();
    throw error;
  }
}
