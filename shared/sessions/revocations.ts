/**
 * Ending sessions (see session-tokens.ts for what a session is):
 * - Logout, or replaying a refresh token that was already used (RFC 9700 section 4.14.2: treated as theft),
 *   revokes the session: an entry in the revoked-sessions table, in force until the session would have
 *   ended. Every refresh and every protected request checks it.
 * - Ending all of a user's sessions (password change, deactivation, logout-all) bumps the user's session
 *   generation (users/users.ts); tokens carrying an older generation are refused.
 * Nothing is written at login, so obtain keeps its two round trips.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { nowSeconds } from '../clock';
import { settings } from '../settings';
import { dynamo } from '../store/dynamodb';
import { deletableAfter, inForceCutoff } from '../store/expiry';
import { TABLES } from '../tables';
import { type TokenClaims, userIdOf } from '../tokens/tokens';
import { sessionEndOf, sessionIdOf } from './session-tokens';

const KEY = TABLES.revokedSessions.partitionKey;
const TTL = TABLES.revokedSessions.timeToLiveAttribute;
const SESSION_END = 'sessionEnd';

/**
 * The Put that revokes a session (idempotent), for a transaction or on its own. The entry must outlive
 * every token of the session, including ones signed under a longer lifetime setting than today's.
 */
export function revokedSessionPut(claims: TokenClaims, sid: string) {
  const { refreshTokenLifetime } = settings();
  const end = Math.max(sessionEndOf(claims) ?? 0, Math.floor(claims.exp), nowSeconds() + refreshTokenLifetime);
  return {
    TableName: settings().tables.revokedSessions,
    Item: { [KEY]: sid, [SESSION_END]: end, [TTL]: deletableAfter(end), userId: userIdOf(claims), revokedAt: nowSeconds() },
  };
}

export async function revokeSession(claims: TokenClaims): Promise<void> {
  const sid = sessionIdOf(claims);
  if (sid !== undefined) await dynamo().send(new PutCommand(revokedSessionPut(claims, sid)));
}

/** For a transaction: the session has not been revoked (an entry past the session's end no longer counts). */
export function sessionNotRevokedCheck(sid: string) {
  return {
    ConditionCheck: {
      TableName: settings().tables.revokedSessions,
      Key: { [KEY]: sid },
      ConditionExpression: 'attribute_not_exists(#sid) OR #end < :cutoff',
      ExpressionAttributeNames: { '#sid': KEY, '#end': SESSION_END },
      ExpressionAttributeValues: { ':cutoff': inForceCutoff() },
    },
  };
}

export const revokedSessionKey = (sid: string) => ({ [KEY]: sid });

/** Whether a revoked-sessions entry read in a batch still revokes its session. */
export function isRevocationInForce(item: Record<string, unknown> | undefined): boolean {
  return item !== undefined && typeof item[SESSION_END] === 'number' && item[SESSION_END] >= inForceCutoff();
}
