/**
 * Logging out: the refresh token is blacklisted and its session revoked, in one transaction (one round
 * trip). A token already blacklisted is a replay: its session is revoked all the same, and the logout is
 * refused, unless the token was rotated within REFRESH_REUSE_GRACE (its holder may never have received the
 * successor): then the logout stands.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { nowSeconds } from '../clock';
import { cancellationReasons, dynamo } from '../store/dynamodb';
import { type TokenClaims, userIdOf } from '../tokens/tokens';
import { blacklistPut, isRecentRotation } from './blacklist';
import { revokedSessionUpdate, revokeSession } from './session-store';
import { sessionIdFor } from './session-tokens';

/** False when the token had already been used up (logged out, or rotated before the grace). */
export async function logOut(claims: TokenClaims): Promise<boolean> {
  const userId = userIdOf(claims);
  const sid = await sessionIdFor(claims);
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [{ Put: blacklistPut(claims, 'logout', nowSeconds()) }, ...(userId === undefined ? [] : [revokedSessionUpdate(userId, sid, claims)])],
      }),
    );
    return true;
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (reasons?.[0]?.code !== 'ConditionalCheckFailed') throw error;
    if (userId !== undefined) await revokeSession(userId, sid, claims);
    return isRecentRotation(reasons[0].item);
  }
}
