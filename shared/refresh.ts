/**
 * Refreshing: a valid refresh token of an active user buys a new access token and, with rotation on, a
 * new refresh token, while the used one is blacklisted.
 *
 * simplejwt checks the blacklist and then writes it, so concurrent refreshes of one token can all win.
 * Here the blacklist entry and the user's state are settled by one DynamoDB transaction: a conditional
 * Put of the jti plus a ConditionCheck that the user exists and is active. Exactly one of N concurrent
 * refreshes of a token commits; the others see the condition fail and get "Token is blacklisted".
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { isBlacklisted, blacklistPut } from './blacklist';
import { cancellationCodes, dynamo } from './dynamodb';
import { authenticationFailed, serviceUnavailable, tokenNotValid, type JsonObject } from './errors';
import { settings } from './settings';
import { decodeToken, signToken, type TokenClaims, userIdOf } from './tokens';
import { activeUserCheck, findUserById } from './users';

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

/** One round trip: blacklist the jti if and only if it is not blacklisted and the user is active. */
async function consumeOnce(claims: TokenClaims, userId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await dynamo().send(new TransactWriteCommand({ TransactItems: [{ Put: blacklistPut(claims) }, activeUserCheck(userId)] }));
      return;
    } catch (error) {
      const [blacklistCode, userCode] = cancellationCodes(error) ?? [];
      // simplejwt's order: a blacklisted token is reported as such before the user is looked at.
      if (blacklistCode === 'ConditionalCheckFailed') throw blacklisted();
      if (userCode === 'ConditionalCheckFailed') throw noActiveAccount();
      const conflicted = blacklistCode === 'TransactionConflict' || userCode === 'TransactionConflict';
      if (!conflicted) throw error;
      // Nothing was written; try again, and the loser of the race then sees the winner's entry.
      if (attempt === CONFLICT_ATTEMPTS) throw serviceUnavailable();
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
    }
  }
}

/** Without blacklist-after-rotation nothing is written, but a token blacklisted by logout stays refused. */
async function checkStillUsable(claims: TokenClaims, userId: string): Promise<void> {
  const [revoked, user] = await Promise.all([isBlacklisted(claims.jti), findUserById(userId)]);
  if (revoked) throw blacklisted();
  if (!user?.isActive) throw noActiveAccount();
}
