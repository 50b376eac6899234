/**
 * Throttles that count distinct things within a window (the mechanism of the login throttle,
 * login-throttle.ts, and of the account mails' throttle). A scope (one username, one client address, one
 * email address) holds, for a window counted from its first entry, a set of fingerprints; once it holds
 * its limit, a fingerprint not already in it is refused until the window ends. Adding is one conditional
 * update, so parallel requests cannot slip past the limit; adding a member twice is a no-op, so a retried
 * update never counts twice; a window that has ended is replaced conditionally on the window seen, so the
 * first burst after it is bounded too. Keys are HMACs under SECRET_KEY: the table never holds what people
 * typed. Items expire through TTL at the end of their window.
 */
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { nowSeconds } from '../clock';
import { HttpError, serviceUnavailable } from '../http/errors';
import { keyedHash } from '../secrets/secret-key';
import { settings } from '../settings';
import { dynamo, isConditionFailure, itemOfConditionFailure, numberAttribute } from '../store/dynamodb';
import { TABLES } from '../tables';

const KEY = TABLES.loginThrottle.partitionKey;
const TTL = TABLES.loginThrottle.timeToLiveAttribute;
const FAILURES = 'failures';
/** Attempts to start a new window when other attempts keep starting it first. */
const MAX_WINDOW_RESTARTS = 3;

export interface Scope {
  readonly key: Record<string, string>;
  readonly limit: number;
  /** Seconds. */
  readonly window: number;
}

/** A scope refused an entry until its window ends. */
export class ScopeLocked extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`locked for ${retryAfterSeconds} s`);
  }
}

/** The throttle item of `subject` in the scope kind `kind` ("username", "address", "reset-email", ...). */
export async function scopeKey(kind: string, subject: string): Promise<Record<string, string>> {
  return { [KEY]: `${kind}:${(await keyedHash(`throttle-${kind}`, subject)).slice(0, 43)}` };
}

/**
 * Adds the fingerprint to every scope in one round trip; if any is locked, takes it out of the others again
 * (what was refused is counted nowhere) and throws `refusal` with the longest wait.
 */
export async function countInScopes(scopes: readonly Scope[], fingerprint: string, refusal: (retryAfterSeconds: number) => HttpError): Promise<void> {
  const results = await Promise.allSettled(scopes.map((scope) => count(scope, fingerprint)));
  const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
  if (failures.length === 0) return;
  await Promise.all(scopes.filter((_, i) => results[i]!.status === 'fulfilled' && (results[i] as PromiseFulfilledResult<boolean>).value).map((scope) => forget(scope, fingerprint)));
  const locks = failures.filter((error): error is ScopeLocked => error instanceof ScopeLocked);
  if (locks.length < failures.length) throw failures.find((error) => !(error instanceof ScopeLocked));
  throw refusal(Math.max(...locks.map((lock) => lock.retryAfterSeconds)));
}

/** Takes the fingerprint out of every scope again (it turned out to be no failure). */
export async function forgetInScopes(scopes: readonly Scope[], fingerprint: string): Promise<void> {
  await Promise.all(scopes.map((scope) => forget(scope, fingerprint)));
}

export async function clearScope(key: Record<string, string>): Promise<void> {
  await dynamo().send(new DeleteCommand({ TableName: settings().tables.loginThrottle, Key: key }));
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
      if (windowEnd > now) throw new ScopeLocked(windowEnd - now);
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
