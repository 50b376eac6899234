/**
 * Refreshing: a valid refresh token of an active user, from a session still in force, buys a new access
 * token and, with rotation on, a new refresh token, while the used one is blacklisted.
 *
 * simplejwt checks the blacklist and then writes it, so concurrent refreshes of one token can all win.
 * Here everything is settled by one DynamoDB transaction: a conditional Put of the jti into the
 * blacklist, a ConditionCheck that the user exists, is active and has not ended the token's session
 * generation, and a ConditionCheck that the session has not been revoked. Exactly one of N concurrent
 * refreshes of a token commits; the others see the condition fail and get "Token is blacklisted".
 *
 * A refresh token presented again after it was used is a replay, perhaps by a thief: the whole session
 * is revoked, so the newest refresh token of that session and its access tokens stop working too
 * (RFC 9700 section 4.14.2).
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { nowSeconds } from '../clock';
import { blacklistedAt, blacklistKey, blacklistPut, isInForce } from './blacklist';
import { cancellationReasons, dynamo, getItems, type Item } from '../store/dynamodb';
import { authenticationFailed, tokenNotValid, type JsonObject } from '../http/errors';
import { isRevocationInForce, revokedSessionKey, revokeSession, sessionNotRevokedCheck } from './revocations';
import { generationOf, newSessionClaims, readToken, sessionIdOf, signSessionToken } from './session-tokens';
import { settings } from '../settings';
import { type TokenClaims, userIdOf } from '../tokens/tokens';
import { activeUserCheck, findUserById, toUser, userKey, type User } from '../users/users';

const noActiveAccount = () => authenticationFailed('No active account found for the given token.');
const blacklisted = () => tokenNotValid('Token is blacklisted');

export async function refreshTokens(token: string): Promise<JsonObject> {
  const claims = await readToken(token, 'refresh');
  const userId = userIdOf(claims);
  if (userId === undefined) throw noActiveAccount();
  const { rotateRefreshTokens, blacklistAfterRotation } = settings();
  if (rotateRefreshTokens && blacklistAfterRotation) await consumeOnce(claims, userId);
  else await checkStillUsable(claims, userId);
  // A token from before sessions (or from a Django app sharing the key) starts a session here, so its
  // family gets an absolute lifetime and replay detection from now on.
  const next = sessionIdOf(claims) === undefined ? { ...claims, ...newSessionClaims(generationOf(claims)) } : claims;
  const access = await signSessionToken('access', next);
  return rotateRefreshTokens ? { access, refresh: await signSessionToken('refresh', next) } : { access };
}

/** One round trip when the refresh succeeds; a second only to tell why it did not, or to revoke on a replay. */
async function consumeOnce(claims: TokenClaims, userId: string): Promise<void> {
  const sid = sessionIdOf(claims);
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: blacklistPut(claims) },
          activeUserCheck(userId, generationOf(claims)),
          ...(sid === undefined ? [] : [sessionNotRevokedCheck(sid)]),
        ],
      }),
    );
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (!reasons) throw error;
    const failed = (index: number) => reasons[index]?.code === 'ConditionalCheckFailed';
    // simplejwt's order: a blacklisted token is reported as such before the user is looked at.
    if (failed(0)) {
      if (!failed(2) && !isWithinReuseGrace(reasons[0]?.item)) await revokeSession(claims);
      throw blacklisted();
    }
    if (failed(2)) throw blacklisted();
    if (failed(1)) throw await whyUserRefused(userId);
    throw error;
  }
}

function isWithinReuseGrace(entry: Item | undefined): boolean {
  const usedAt = blacklistedAt(entry);
  return usedAt !== undefined && nowSeconds() - usedAt < settings().refreshReuseGrace;
}

/** The user check covers three things; only a gone or inactive user is "no active account". */
async function whyUserRefused(userId: string) {
  const user = await findUserById(userId);
  return user?.isActive ? blacklisted() : noActiveAccount();
}

/**
 * Without blacklist-after-rotation nothing is written, but a token blacklisted by logout, a revoked
 * session and ended sessions stay refused. One round trip.
 */
async function checkStillUsable(claims: TokenClaims, userId: string): Promise<void> {
  const sid = sessionIdOf(claims);
  const [entry, userItem, revocation] = await getItems([
    { table: 'blacklist', key: blacklistKey(claims.jti) },
    { table: 'users', key: userKey(userId) },
    ...(sid === undefined ? [] : [{ table: 'revokedSessions' as const, key: revokedSessionKey(sid) }]),
  ]);
  if (isInForce(entry) || isRevocationInForce(revocation)) throw blacklisted();
  const user: User | undefined = userItem ? toUser(userItem) : undefined;
  if (!user?.isActive) throw noActiveAccount();
  if (user.sessionGeneration !== generationOf(claims)) throw blacklisted();
}
