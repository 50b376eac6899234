/**
 * Sessions (token families). Each login starts a session: its id (`sid`), its start (`auth_time`) and the
 * user's session generation at that moment (`gen`) are claims of both tokens and survive every refresh.
 *
 * - A session ends at `auth_time + SESSION_LIFETIME`, however often it is refreshed (tokens.ts caps exp).
 * - Logout, or replaying a refresh token that was already used (RFC 9700 section 4.14.2: treated as theft),
 *   revokes the session: an entry in the revoked-sessions table, in force until the session would have
 *   ended. Every refresh and every protected request checks it.
 * - Ending all of a user's sessions (password change, deactivation, logout-all) bumps the user's session
 *   generation; tokens carrying an older generation are refused.
 * Nothing is written at login, so obtain keeps its two round trips.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './dynamodb';
import { settings } from './settings';
import { TABLES } from './tables';
import { nowSeconds, sessionEndOf, type TokenClaims, userIdOf } from './tokens';

const KEY = TABLES.revokedSessions.partitionKey;
const TTL = TABLES.revokedSessions.timeToLiveAttribute;
const SESSION_END = 'sessionEnd';
/** As for the blacklist: the TTL only lets DynamoDB delete an entry a margin after it stops mattering. */
const TTL_MARGIN_SECONDS = 86400;

export interface SessionClaims {
  readonly sid: string;
  readonly auth_time: number;
  readonly gen: number;
}

export function newSessionClaims(sessionGeneration: number): SessionClaims {
  return { sid: randomUUID().replaceAll('-', ''), auth_time: nowSeconds(), gen: sessionGeneration };
}

/** The session a token belongs to; tokens issued before sessions existed have none. */
export function sessionIdOf(claims: TokenClaims): string | undefined {
  return typeof claims.sid === 'string' && claims.sid !== '' ? claims.sid : undefined;
}

/** The user's session generation when the token's session began (0 for tokens without one). */
export function generationOf(claims: TokenClaims): number {
  return typeof claims.gen === 'number' && Number.isSafeInteger(claims.gen) ? claims.gen : 0;
}

const cutoff = () => nowSeconds() - settings().leeway;

/**
 * The Put that revokes a session (idempotent), for a transaction or on its own. The entry must outlive
 * every token of the session, including ones signed under a longer lifetime setting than today's.
 */
export function revokedSessionPut(claims: TokenClaims, sid: string) {
  const { refreshTokenLifetime } = settings();
  const end = Math.max(sessionEndOf(claims) ?? 0, Math.floor(claims.exp), nowSeconds() + refreshTokenLifetime);
  return {
    TableName: settings().tables.revokedSessions,
    Item: { [KEY]: sid, [SESSION_END]: end, [TTL]: end + settings().leeway + TTL_MARGIN_SECONDS, userId: userIdOf(claims), revokedAt: nowSeconds() },
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
      ExpressionAttributeValues: { ':cutoff': cutoff() },
    },
  };
}

export const revokedSessionKey = (sid: string) => ({ [KEY]: sid });

/** Whether a revoked-sessions entry read in a batch still revokes its session. */
export function isRevocationInForce(item: Record<string, unknown> | undefined): boolean {
  return item !== undefined && typeof item[SESSION_END] === 'number' && item[SESSION_END] >= cutoff();
}
