/**
 * Slows password guessing: after LOGIN_FAILURE_LIMIT failed logins for one username within
 * LOGIN_FAILURE_WINDOW (counted from the first failure), further attempts get 429 until the window
 * ends, whether the username exists or not, so the answer reveals nothing about accounts. The count
 * lives in DynamoDB with a TTL; reads treat a window that has ended as absent.
 */
import { createHash } from 'node:crypto';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, isConditionFailure, type Item } from './dynamodb';
import { HttpError } from './errors';
import { settings } from './settings';
import { TABLES } from './tables';
import { nowSeconds } from './tokens';
import { normalizeUsername } from './users';

const KEY = TABLES.loginAttempts.partitionKey;
const TTL = TABLES.loginAttempts.timeToLiveAttribute;

/**
 * Keyed by a hash of the username: fixed-size whatever was typed, and the table never holds the typed
 * names (people type passwords into username fields).
 */
export const loginAttemptsKey = (username: string) => ({
  [KEY]: createHash('sha256').update(normalizeUsername(username)).digest('base64url'),
});

export function tooManyAttempts(retryAfterSeconds: number): HttpError {
  return new HttpError(
    429,
    { detail: `Too many failed login attempts. Try again in ${retryAfterSeconds} seconds.`, code: 'too_many_attempts' },
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

/** Throws 429 when the attempts item (read by the caller, e.g. in a batch) shows the username locked. */
export function assertNotLockedOut(item: Item | undefined): void {
  const { loginFailureLimit } = settings();
  if (loginFailureLimit === 0 || item === undefined) return;
  const windowEnd = typeof item[TTL] === 'number' ? item[TTL] : 0;
  const failures = typeof item.failures === 'number' ? item.failures : 0;
  const wait = windowEnd - nowSeconds();
  if (wait > 0 && failures >= loginFailureLimit) throw tooManyAttempts(wait);
}

/** Counts a failure into the current window, opening one if there is none: one round trip (two after an ended window TTL has not yet removed). */
export async function recordLoginFailure(username: string): Promise<void> {
  const { loginFailureLimit, loginFailureWindow } = settings();
  if (loginFailureLimit === 0) return;
  const now = nowSeconds();
  const TableName = settings().tables.loginAttempts;
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName,
        Key: loginAttemptsKey(username),
        UpdateExpression: 'ADD failures :one SET #end = if_not_exists(#end, :windowEnd)',
        ConditionExpression: 'attribute_not_exists(#end) OR #end > :now',
        ExpressionAttributeNames: { '#end': TTL },
        ExpressionAttributeValues: { ':one': 1, ':now': now, ':windowEnd': now + loginFailureWindow },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // An ended window: start a new one with this failure. A concurrent starter may overwrite it with its
    // own first failure; the count is a brake, not an audit log.
    await dynamo().send(
      new PutCommand({ TableName, Item: { ...loginAttemptsKey(username), failures: 1, [TTL]: now + loginFailureWindow } }),
    );
  }
}

export async function clearLoginFailures(username: string): Promise<void> {
  await dynamo().send(new DeleteCommand({ TableName: settings().tables.loginAttempts, Key: loginAttemptsKey(username) }));
}
