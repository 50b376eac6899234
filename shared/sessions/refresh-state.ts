/**
 * Whether a refresh token could still be used, read without using it: not blacklisted, its session live, its
 * user active and not of an ended session generation. One BatchGetItem. For verify (simplejwt answers
 * "Token is blacklisted" there) and for refresh when blacklist-after-rotation is off.
 */
import { getItems } from '../store/dynamodb';
import { type TokenClaims, userIdOf } from '../tokens/tokens';
import { toUser, userKey, type User } from '../users/users';
import { isInForce, blacklistKey } from './blacklist';
import { isSessionLive, sessionKey } from './session-store';
import { generationOf, sessionIdOf } from './session-tokens';

export type RefreshRefusal = 'blacklisted' | 'no active account';

export async function refreshRefusal(claims: TokenClaims): Promise<{ refusal?: RefreshRefusal; user?: User }> {
  const userId = userIdOf(claims);
  if (userId === undefined) return { refusal: 'no active account' };
  const sid = sessionIdOf(claims);
  const [entry, userItem, session] = await getItems([
    { table: 'blacklist', key: blacklistKey(claims.jti) },
    { table: 'users', key: userKey(userId) },
    ...(sid === undefined ? [] : [{ table: 'sessions' as const, key: sessionKey(userId, sid) }]),
  ]);
  // simplejwt's order: a blacklisted token is reported as such before the user is looked at.
  if (isInForce(entry) || (sid !== undefined && !isSessionLive(session))) return { refusal: 'blacklisted' };
  const user = userItem ? toUser(userItem) : undefined;
  if (!user?.isActive) return { refusal: 'no active account' };
  if (user.sessionGeneration !== generationOf(claims)) return { refusal: 'blacklisted' };
  return { user };
}
