/**
 * Slows password guessing: after LOGIN_FAILURE_LIMIT failed attempts for one username within
 * LOGIN_FAILURE_WINDOW (counted from the first), further attempts get 429 until the window ends,
 * whether the username exists or not, so the answer reveals nothing about accounts.
 *
 * An attempt is counted before the password is checked, by one atomic conditional update, so guesses
 * sent in parallel cannot all slip in before the first failure is written. A successful login clears
 * the count when earlier attempts are on it; a lone successful attempt is left counted (clearing it
 * would cost every login a write), so after a success the window allows one failure fewer.
 *
 * The count lives in DynamoDB with a TTL, keyed by an HMAC of the username under the signing key: fixed
 * size, and the table never holds what people typed (they type passwords into username fields), not even
 * as an unsalted hash that could be cracked offline.
 */
import { createHmac } from 'node:crypto';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { nowSeconds } from '../clock';
import { dynamo, isConditionFailure, itemOfConditionFailure, numberAttribute } from '../store/dynamodb';
import { HttpError } from '../http/errors';
import { settings } from '../settings';
import { signingKeys } from '../tokens/signing-keys';
import { TABLES } from '../tables';
import { normalizeUsername } from './users';

const KEY = TABLES.loginAttempts.partitionKey;
const TTL = TABLES.loginAttempts.timeToLiveAttribute;

export async function loginAttemptsKey(username: string) {
  const { current } = await signingKeys();
  const mac = createHmac('sha256', current.pepper).update(`login-attempts:${normalizeUsername(username)}`);
  return { [KEY]: mac.digest('base64url') };
}

export function tooManyAttempts(retryAfterSeconds: number): HttpError {
  return new HttpError(
    429,
    { detail: `Too many failed login attempts. Try again in ${retryAfterSeconds} seconds.`, code: 'too_many_attempts' },
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

export interface Attempt {
  readonly username: string;
  /** Attempts were already counted in this window before this one. */
  readonly followsOthers: boolean;
}

/** Counts an attempt before the password is checked; throws 429 when the username is locked out. One round trip. */
export async function beginLoginAttempt(username: string): Promise<Attempt> {
  const { loginFailureLimit, loginFailureWindow } = settings();
  if (loginFailureLimit === 0) return { username, followsOthers: false };
  const now = nowSeconds();
  const TableName = settings().tables.loginAttempts;
  const Key = await loginAttemptsKey(username);
  try {
    const { Attributes } = await dynamo().send(
      new UpdateCommand({
        TableName,
        Key,
        UpdateExpression: 'ADD failures :one SET #end = if_not_exists(#end, :windowEnd)',
        ConditionExpression: 'attribute_not_exists(#end) OR (#end > :now AND failures < :limit)',
        ExpressionAttributeNames: { '#end': TTL },
        ExpressionAttributeValues: { ':one': 1, ':now': now, ':limit': loginFailureLimit, ':windowEnd': now + loginFailureWindow },
        ReturnValues: 'UPDATED_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { username, followsOthers: (numberAttribute(Attributes, 'failures') ?? 0) > 0 };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const windowEnd = numberAttribute(itemOfConditionFailure(error), TTL) ?? 0;
    if (windowEnd > now) throw tooManyAttempts(windowEnd - now);
    // A window that has ended but that TTL has not yet removed: this attempt opens a new one. A concurrent
    // opener may overwrite it with its own first attempt; the count is a brake, not an audit log.
    await dynamo().send(new PutCommand({ TableName, Item: { ...Key, failures: 1, [TTL]: now + loginFailureWindow } }));
    return { username, followsOthers: false };
  }
}

/** After the right password: forget the failures (nothing to do when this attempt was the only one). */
export async function endLoginAttemptWithSuccess(attempt: Attempt): Promise<void> {
  if (!attempt.followsOthers) return;
  await dynamo().send(new DeleteCommand({ TableName: settings().tables.loginAttempts, Key: await loginAttemptsKey(attempt.username) }));
}
