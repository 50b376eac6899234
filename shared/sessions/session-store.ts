/**
 * The sessions table: one item per session (token family), keyed by user and session id, written at login
 * (or when a token from before sessions is first rotated) and read by every refresh and protected request.
 * A session is live while its item exists without `revokedAt`; logout, a replayed refresh token (RFC 9700
 * section 4.14.2: treated as theft) and ending it from the session list set `revokedAt`. Its end
 * (`auth_time + SESSION_LIFETIME`) is checked on the tokens themselves; ending every session of a user at
 * once bumps the user's session generation (users/users.ts) instead of touching each item.
 */
import { DeleteCommand, paginateQuery, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { nowSeconds } from '../clock';
import { settings } from '../settings';
import { dynamo, isConditionFailure, type Item } from '../store/dynamodb';
import { deletableAfter } from '../store/expiry';
import { TABLES } from '../tables';
import type { TokenClaims } from '../tokens/tokens';
import type { User } from '../users/users';
import { generationOf, newSessionClaims, sessionEndOf, type SessionClaims } from './session-tokens';

const { partitionKey: USER_ID, sortKey: SID, timeToLiveAttribute: TTL } = TABLES.sessions;
/** Enough of a user agent to tell a phone from a laptop; never more than this is stored. */
export const MAX_CLIENT_LENGTH = 160;

export interface Session {
  readonly id: string;
  /** Epoch seconds of the login. */
  readonly authTime: number;
  readonly lastRefreshAt: number | undefined;
  readonly generation: number;
  /** The user agent at login, truncated. */
  readonly client: string;
  readonly revoked: boolean;
}

export const sessionKey = (userId: string, sid: string) => ({ [USER_ID]: userId, [SID]: sid });

const clientOf = (userAgent: string | undefined) => (userAgent ?? '').slice(0, MAX_CLIENT_LENGTH);

function sessionItem(userId: string, session: SessionClaims, client: string | undefined, lastRefreshAt?: number): Item {
  return {
    ...sessionKey(userId, session.sid),
    authTime: session.auth_time,
    gen: session.gen,
    client: clientOf(client),
    ...(lastRefreshAt === undefined ? {} : { lastRefreshAt }),
    [TTL]: deletableAfter(sessionEndOf(session)!),
  };
}

/** A login: a new session of the user, recorded before any token of it exists. */
export async function startSession(user: User, client: string | undefined): Promise<SessionClaims> {
  const session = newSessionClaims(user.sessionGeneration);
  await dynamo().send(new PutCommand({ TableName: settings().tables.sessions, Item: sessionItem(user.id, session, client) }));
  return session;
}

/**
 * For the rotation transaction: the session is live (exists, not revoked); its last refresh is recorded. A
 * failed condition returns the item as it was.
 */
export function refreshedSessionUpdate(userId: string, claims: TokenClaims, sid: string, now: number) {
  return {
    Update: {
      TableName: settings().tables.sessions,
      Key: sessionKey(userId, sid),
      UpdateExpression: 'SET lastRefreshAt = :now, #ttl = :ttl',
      ConditionExpression: 'attribute_exists(#sid) AND attribute_not_exists(revokedAt)',
      ExpressionAttributeNames: { '#sid': SID, '#ttl': TTL },
      ExpressionAttributeValues: { ':now': now, ':ttl': deletableAfter(sessionEndOf(claims) ?? claims.exp) },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    },
  };
}

/**
 * For the rotation transaction of a token from before sessions (or from Django): the session it starts,
 * under an id derived from the token, so a retry finds the same one. Fails, returning it, if it exists.
 */
export function adoptedSessionPut(userId: string, claims: TokenClaims, sid: string, now: number, client: string | undefined) {
  const session = { sid, auth_time: now, gen: generationOf(claims) };
  return {
    Put: {
      TableName: settings().tables.sessions,
      Item: sessionItem(userId, session, client, now),
      ConditionExpression: 'attribute_not_exists(#sid)',
      ExpressionAttributeNames: { '#sid': SID },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    },
  };
}

/** Revokes a session (idempotent, and kept until the token that names it has expired), for a transaction or alone. */
export function revokedSessionUpdate(userId: string, sid: string, claims: TokenClaims) {
  return {
    Update: {
      TableName: settings().tables.sessions,
      Key: sessionKey(userId, sid),
      UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :now), #ttl = if_not_exists(#ttl, :ttl)',
      ExpressionAttributeNames: { '#ttl': TTL },
      ExpressionAttributeValues: { ':now': nowSeconds(), ':ttl': deletableAfter(Math.max(sessionEndOf(claims) ?? 0, Math.floor(claims.exp))) },
    },
  };
}

export async function revokeSession(userId: string, sid: string, claims: TokenClaims): Promise<void> {
  await dynamo().send(new UpdateCommand(revokedSessionUpdate(userId, sid, claims).Update));
}

/** Removes every session item of a user (whose account is being deleted). */
export async function deleteSessionsOf(userId: string): Promise<void> {
  const TableName = settings().tables.sessions;
  for (const item of await sessionItemsOf(userId)) await dynamo().send(new DeleteCommand({ TableName, Key: sessionKey(userId, String(item[SID!])) }));
}

/** Whether a session item (read in a batch, or returned by a failed condition) is a live session. */
export function isSessionLive(item: Item | undefined): boolean {
  return item !== undefined && item.revokedAt === undefined;
}

/** Ends one live session of the user from outside it (the session list, manage); false if there is none. */
export async function endSessionOf(userId: string, sid: string): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: settings().tables.sessions,
        Key: sessionKey(userId, sid),
        UpdateExpression: 'SET revokedAt = :now',
        ConditionExpression: 'attribute_exists(#sid) AND attribute_not_exists(revokedAt)',
        ExpressionAttributeNames: { '#sid': SID },
        ExpressionAttributeValues: { ':now': nowSeconds() },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * The user's live sessions, newest login first: not revoked, not of an ended generation, not past their
 * end. One strongly consistent Query (paged for users with very many sessions).
 */
export async function liveSessionsOf(user: User): Promise<Session[]> {
  const now = nowSeconds();
  return (await sessionItemsOf(user.id))
    .map(toSession)
    .filter((session) => !session.revoked && session.generation === user.sessionGeneration && sessionEndOf({ auth_time: session.authTime })! > now)
    .sort((a, b) => b.authTime - a.authTime);
}

/** Every session item of a user: one strongly consistent Query, page after page. */
async function sessionItemsOf(userId: string): Promise<Item[]> {
  const items: Item[] = [];
  const pages = paginateQuery(
    { client: dynamo() },
    {
      TableName: settings().tables.sessions,
      KeyConditionExpression: '#user = :user',
      ExpressionAttributeNames: { '#user': USER_ID },
      ExpressionAttributeValues: { ':user': userId },
      ConsistentRead: true,
    },
  );
  for await (const page of pages) items.push(...(page.Items ?? []));
  return items;
}

function toSession(item: Item): Session {
  const number = (name: string) => (typeof item[name] === 'number' ? (item[name] as number) : undefined);
  return {
    id: String(item[SID]),
    authTime: number('authTime') ?? 0,
    lastRefreshAt: number('lastRefreshAt'),
    generation: number('gen') ?? 0,
    client: typeof item.client === 'string' ? item.client : '',
    revoked: item.revokedAt !== undefined,
  };
}
