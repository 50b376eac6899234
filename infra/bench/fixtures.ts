/**
 * Users and sessions for the benchmark, made the way the service makes them: a token pair only ever for a
 * session that was started (written to the sessions table) first, as a login does, since protected
 * endpoints refuse tokens of a session that does not exist. Also the baseline request every DynamoDB
 * figure is compared with: a raw BatchGetItem through the service's own client.
 */
import { randomUUID } from 'node:crypto';
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { httpApiEvent } from '../local/events';
import { sessionKey, startSession } from '../../shared/sessions/session-store';
import { issueTokenPair } from '../../shared/sessions/session-tokens';
import { settings } from '../../shared/settings';
import { dynamo } from '../../shared/store/dynamodb';
import type { TokenPair } from '../../shared/tokens/tokens';
import { hashPassword } from '../../shared/users/passwords';
import { createUser, tokenClaimsFor, userKey, type NewUser, type User } from '../../shared/users/users';

export const BENCH_PASSWORD = 'bench-password-1';

/** An active user named `<prefix>-<random>`; the password hash is computed unless given. */
export async function benchUser(prefix: string, fields: Partial<NewUser> = {}): Promise<User> {
  return createUser({
    username: `${prefix}-${randomUUID().slice(0, 8)}`,
    email: `${prefix}@example.com`,
    firstName: 'Bench',
    lastName: 'Mark',
    isActive: true,
    isStaff: false,
    isSuperuser: false,
    passwordHash: fields.passwordHash ?? (await hashPassword(BENCH_PASSWORD)),
    ...fields,
  });
}

export interface SessionTokens extends TokenPair {
  readonly sid: string;
}

/** A login's outcome without the password check: a session written to the table, and a token pair of it. */
export async function newSession(user: User): Promise<SessionTokens> {
  const session = await startSession(user, 'bench');
  return { ...(await issueTokenPair({ ...tokenClaimsFor(user), ...session })), sid: session.sid };
}

/** `count` results of `make`, `parallel` in flight at a time (DynamoDB Local is not to be flooded while setting up). */
export async function inBatches<T>(count: number, make: (index: number) => Promise<T>, parallel = 16): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await make(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return results;
}

/** The two items a bearer check reads (the user and the session), as the RequestItems of a BatchGetItem. */
export function bearerReadKeys(userId: string, sid: string): Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: true }> {
  const { users, sessions } = settings().tables;
  return { [users]: { Keys: [userKey(userId)], ConsistentRead: true }, [sessions]: { Keys: [sessionKey(userId, sid)], ConsistentRead: true } };
}

/**
 * The baseline of every DynamoDB figure: the same two items profile reads, in one raw BatchGetItem through
 * the service's own client (the same connection pool, retries and middleware), and nothing else.
 */
export async function rawBatchGet(userId: string, sid: string): Promise<Record<string, unknown>> {
  const { Responses = {} } = await dynamo().send(new BatchGetCommand({ RequestItems: bearerReadKeys(userId, sid) }));
  const user = Responses[settings().tables.users]?.[0];
  if (!user || !Responses[settings().tables.sessions]?.[0]) throw new Error('raw BatchGetItem found no user or session');
  return user;
}

export const postJson = (path: string, body: object, headers: [string, string][] = []) =>
  httpApiEvent({ method: 'POST', url: path, headers: [['content-type', 'application/json'], ...headers], body: JSON.stringify(body) });

export const bearerGet = (path: string, access: string) => httpApiEvent({ method: 'GET', url: path, headers: [['authorization', `Bearer ${access}`]] });

/** DELETE /account/sessions/{id} as API Gateway hands it on: the id in pathParameters. */
export const endSessionEvent = (sid: string, access: string) =>
  httpApiEvent({
    method: 'DELETE',
    url: `/account/sessions/${sid}`,
    routePath: '/account/sessions/{id}',
    pathParameters: { id: sid },
    headers: [['authorization', `Bearer ${access}`]],
  });

/**
 * DynamoDB Local is Java: its JIT needs a few thousand requests before its speed settles (the same load
 * measured 397 requests a second cold and 800-1100 warm). Every operation the service uses, `requests` in
 * all, `parallel` at a time, through the service's client, before any figure is taken.
 */
export async function warmUpDynamoDb(requests = 3000, parallel = 16): Promise<void> {
  const { users, sessions, blacklist } = settings().tables;
  const user = await benchUser('warm-up', { passwordHash: 'none' });
  const { sid } = await newSession(user);
  const expiresAt = Math.floor(Date.now() / 1000) + 3600;
  const operations: (() => Promise<unknown>)[] = [
    () => rawBatchGet(user.id, sid),
    () => dynamo().send(new GetCommand({ TableName: users, Key: userKey(user.id), ConsistentRead: true })),
    () =>
      dynamo().send(
        new QueryCommand({ TableName: sessions, KeyConditionExpression: 'userId = :user', ExpressionAttributeValues: { ':user': user.id }, ConsistentRead: true }),
      ),
    () => dynamo().send(new PutCommand({ TableName: sessions, Item: { ...sessionKey('warm-up-writes', randomUUID()), expiresAt } })),
    () =>
      dynamo().send(
        new UpdateCommand({ TableName: sessions, Key: sessionKey(user.id, sid), UpdateExpression: 'SET lastRefreshAt = :now', ExpressionAttributeValues: { ':now': Date.now() } }),
      ),
    () =>
      dynamo().send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: blacklist, Item: { jti: randomUUID(), expiresAt }, ConditionExpression: 'attribute_not_exists(jti)' } },
            { Put: { TableName: sessions, Item: { ...sessionKey('warm-up-writes', randomUUID()), expiresAt } } },
          ],
        }),
      ),
  ];
  await inBatches(requests, (i) => operations[i % operations.length]!(), parallel);
}
