/**
 * Slows password guessing, by username (one account guessed) and by client address (one client spraying
 * passwords across accounts). Each scope holds, for a window counted from its first failure, the set of
 * distinct wrong passwords tried there; once it holds its limit, a password not already in it gets 429
 * until the window ends, whether the username exists or not, so the answer reveals nothing about accounts.
 *
 * - Counted before the hash: each attempt's password joins every scope's set in one conditional update
 *   before it is checked, so parallel guesses cannot slip past: at most LIMIT distinct passwords are
 *   checked per scope per window, however many requests arrive at once.
 * - Failures, not successes: the right password leaves the sets again, so any number of simultaneous right
 *   logins succeed and leave the sets as they found them; a wrong password repeated (a saved password, a
 *   retrying script) counts once; and a retried update cannot count twice (adding a member twice is a no-op).
 * - A window that has ended, but that TTL has not yet removed, is replaced conditionally on the window seen:
 *   of a burst arriving just after, one attempt starts the new window and the others count against it.
 *
 * Keys and passwords are stored as HMACs under SECRET_KEY (secrets/secret-key.ts), which does not change
 * when signing keys rotate: fixed size, and never what people typed (they type passwords into username
 * fields). A password's fingerprint is also cut to 32 bits: distinct passwords still do not collide among a
 * few dozen, and the table holds less of each.
 */
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { nowSeconds } from '../clock';
import { HttpError, serviceUnavailable } from '../http/errors';
import { keyedHash } from '../secrets/secret-key';
import { settings } from '../settings';
import { dynamo, isConditionFailure, itemOfConditionFailure, numberAttribute } from '../store/dynamodb';
import { TABLES } from '../tables';
import { normalizeUsername } from './users';

const KEY = TABLES.loginThrottle.partitionKey;
const TTL = TABLES.loginThrottle.timeToLiveAttribute;
const FAILURES = 'failures';
/** Attempts to start a new window when other attempts keep starting it first. */
const MAX_WINDOW_RESTARTS = 3;

interface Scope {
  readonly key: Record<string, string>;
  readonly limit: number;
  readonly window: number;
}

export interface Attempt {
  readonly fingerprint: string;
  readonly scopes: readonly Scope[];
}

export function tooManyAttempts(retryAfterSeconds: number): HttpError {
  return new HttpError(
    429,
    { detail: `Too many failed login attempts. Try again in ${retryAfterSeconds} seconds.`, code: 'too_many_attempts' },
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

/** The throttle item of one username, or of one client address (IPv6 by its /64). */
export async function throttleKey(kind: 'username' | 'address', value: string): Promise<Record<string, string>> {
  const subject = kind === 'username' ? normalizeUsername(value) : addressPrefix(value);
  return { [KEY]: `${kind}:${(await keyedHash(`login-throttle-${kind}`, subject)).slice(0, 43)}` };
}

async function scopesFor(username: string, address: string | undefined): Promise<Scope[]> {
  const { loginFailureLimit, loginFailureWindow, loginAddressFailureLimit, loginAddressFailureWindow } = settings();
  return Promise.all([
    ...(loginFailureLimit > 0 ? [throttleKey('username', username).then((key) => ({ key, limit: loginFailureLimit, window: loginFailureWindow }))] : []),
    ...(address && loginAddressFailureLimit > 0
      ? [throttleKey('address', address).then((key) => ({ key, limit: loginAddressFailureLimit, window: loginAddressFailureWindow }))]
      : []),
  ]);
}

/** Counts the password against the username and the client address before it is checked; 429 when either is locked. One round trip. */
export async function beginLoginAttempt(username: string, password: string, address: string | undefined): Promise<Attempt> {
  const [fingerprint, scopes] = await Promise.all([
    keyedHash('login-password', `${normalizeUsername(username)}\0${password}`).then((mac) => mac.slice(0, 8)),
    scopesFor(username, address),
  ]);
  const results = await Promise.allSettled(scopes.map((scope) => count(scope, fingerprint)));
  const refusals = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  if (refusals.length === 0) return { fingerprint, scopes };
  // Not checked, so not counted anywhere: undo what this attempt added to the scopes that let it through.
  await Promise.all(scopes.filter((_, i) => results[i]!.status === 'fulfilled' && (results[i] as PromiseFulfilledResult<boolean>).value).map((scope) => forget(scope, fingerprint)));
  const lockouts = refusals.filter((error): error is HttpError => error instanceof HttpError && error.status === 429);
  if (lockouts.length < refusals.length) throw refusals.find((error) => !lockouts.includes(error as HttpError));
  throw lockouts.reduce((longest, error) => (Number(error.headers['Retry-After']) > Number(longest.headers['Retry-After']) ? error : longest));
}

/** After the right password: it was no failure. */
export async function endLoginAttemptWithSuccess(attempt: Attempt): Promise<void> {
  await Promise.all(attempt.scopes.map((scope) => forget(scope, attempt.fingerprint)));
}

/** Forgets a username's failures (manage unlock, a password change, reactivation). */
export async function clearLoginFailures(username: string): Promise<void> {
  await dynamo().send(new DeleteCommand({ TableName: settings().tables.loginThrottle, Key: await throttleKey('username', username) }));
}

/** Adds the fingerprint to the scope's set, unless the scope is locked; true when it was not there already. */
async function count(scope: Scope, fingerprint: string): Promise<boolean> {
  const TableName = settings().tables.loginThrottle;
  for (let restarts = 0; ; restarts++) {
    const now = nowSeconds();
    try {
      const { Attributes } = await dynamo().send(
        new UpdateCommand({
          TableName,
          Key: scope.key,
          UpdateExpression: 'ADD #failures :set SET #end = if_not_exists(#end, :windowEnd)',
          ConditionExpression:
            'attribute_not_exists(#end) OR (#end > :now AND (attribute_not_exists(#failures) OR size(#failures) < :limit OR contains(#failures, :fingerprint)))',
          ExpressionAttributeNames: { '#failures': FAILURES, '#end': TTL },
          ExpressionAttributeValues: { ':set': new Set([fingerprint]), ':fingerprint': fingerprint, ':now': now, ':limit': scope.limit, ':windowEnd': now + scope.window },
          ReturnValues: 'UPDATED_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      const before = Attributes?.[FAILURES];
      return !(before instanceof Set && before.has(fingerprint));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const windowEnd = numberAttribute(itemOfConditionFailure(error), TTL) ?? 0;
      if (windowEnd > now) throw tooManyAttempts(windowEnd - now);
      if (restarts >= MAX_WINDOW_RESTARTS) throw serviceUnavailable();
      if (await startWindow(scope, fingerprint, windowEnd, now)) return true;
    }
  }
}

/** Replaces an ended window with a new one holding this fingerprint, unless another attempt replaced it first. */
async function startWindow(scope: Scope, fingerprint: string, endedWindow: number, now: number): Promise<boolean> {
  try {
    await dynamo().send(
      new PutCommand({
        TableName: settings().tables.loginThrottle,
        Item: { ...scope.key, [FAILURES]: new Set([fingerprint]), [TTL]: now + scope.window },
        ConditionExpression: '#end = :ended',
        ExpressionAttributeNames: { '#end': TTL },
        ExpressionAttributeValues: { ':ended': endedWindow },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

async function forget(scope: Scope, fingerprint: string): Promise<void> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: settings().tables.loginThrottle,
        Key: scope.key,
        UpdateExpression: 'DELETE #failures :set',
        // Never creates an item.
        ConditionExpression: 'contains(#failures, :fingerprint)',
        ExpressionAttributeNames: { '#failures': FAILURES },
        ExpressionAttributeValues: { ':set': new Set([fingerprint]), ':fingerprint': fingerprint },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** A client address as throttled: IPv4 whole, IPv6 by its /64, the prefix one subscriber usually holds whole. */
export function addressPrefix(address: string): string {
  const bare = address.replace(/%.*$/, '').toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(bare);
  if (mapped) return mapped[1]!;
  if (!bare.includes(':')) return bare;
  const [head = '', tail] = bare.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => (Number.parseInt(group || '0', 16) || 0).toString(16))
    .join(':')}::/64`;
}
