/**
 * Logging out: the refresh token is blacklisted and its session revoked, in one transaction (one round
 * trip). A refresh token already blacklisted is a replay: its session is revoked all the same.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { blacklistPut } from './blacklist';
import { cancellationCodes, dynamo } from '../store/dynamodb';
import { revokedSessionPut, revokeSession } from './revocations';
import { sessionIdOf } from './session-tokens';
import type { TokenClaims } from '../tokens/tokens';

/** False when the token was already blacklisted. */
export async function endSession(claims: TokenClaims): Promise<boolean> {
  const sid = sessionIdOf(claims);
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [{ Put: blacklistPut(claims) }, ...(sid === undefined ? [] : [{ Put: revokedSessionPut(claims, sid) }])],
      }),
    );
    return true;
  } catch (error) {
    if (cancellationCodes(error)?.[0] !== 'ConditionalCheckFailed') throw error;
    await revokeSession(claims);
    return false;
  }
}
