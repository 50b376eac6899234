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
import { blacklistKey, blacklistPut, isInForce } from './blacklist';
import { cancellationCodes, dynamo, getItems } from './dynamodb';
import { authenticationFailed, serviceUnavailable, tokenNotValid, type JsonObject } from './errors';
import { generationOf, isRevocationInForce, revokedSessionKey, revokeSession, sessionIdOf, sessionNotRevokedCheck } from './sessions';
import { settings } from './settings';
import { decodeToken, signToken, type TokenClaims, userIdOf } from './tokens';
import { activeUserCheck, findUserById, toUser, userKey, type User } from './users';

const noActiveAccount = () => authenticationFailed('No active account found for the given token.');
const blacklisted = () => tokenNotValid('Token is blacklisted');

/** Transactions touching the same items at the same instant may be cancelled with TransactionConflict. */
const CONFLICT_ATTEMPTS = 4;

export async function refreshTokens(token: string): Promise<JsonObject> {
  const claims = await decodeToken(token, 'refresh');
  const userId = userIdOf(claims);
  if (userId === undefined) throw noActiveAccount();
  const { rotateRefreshTokens, blacklistAfterRotation } = settings();
  if (rotateRefreshTokens && blacklistAfterRotation) await consumeOnce(claims, userId);
  else await checkStillUsable(claims, userId);
  const access = await signToken('access', claims);
  return rotateRefreshTokens ? { access, refresh: await signToken('refresh', claims) } : { access };
}

/** One round trip when the refresh succeeds; a second only to tell why it did not. */
async function consumeOnce(claims: TokenClaims, userId: string): Promise<void> {
  const sid = sessionIdOf(claims);
  const transaction = new TransactWriteCommand({
    TransactItems: [
      { Put: blacklistPut(claims) },
      activeUserCheck(userId, generationOf(claims)),
      ...(sid === undefined ? [] : [sessionNotRevokedCheck(sid)]),
    ],
  });
  for (let attempt = 1; ; attempt++) {
    try {
      await dynamo().send(transaction);
      return;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      const [blacklistCode, userCode, sessionCode] = codes;
      // simplejwt's order: a blacklisted token is reported as such before the user is looked at.
      if (blacklistCode === 'ConditionalCheckFailed') {
        if (sessionCode !== 'ConditionalCheckFailed') await revokeSession(claims);
        throw blacklisted();
      }
      if (sessionCode === 'ConditionalCheckFailed') throw blacklisted();
      if (userCode === 'ConditionalCheckFailed') throw await whyUserRefused(userId);
      // Nothing was written; try again, and the loser of the race then sees the winner's entry.
      if (!codes.includes('TransactionConflict')) throw error;
      if (attempt === CONFLICT_ATTEMPTS) throw serviceUnavailable();
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
    }
  }
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
