/**
 * The DynamoDB document client, built once per container. Dependency faults (throttling after the SDK's
 * retries, timeouts, refused connections, DynamoDB's own 5xx) leave it as a 503 HttpError, so every store
 * fails the same way and nothing above it needs to know SDK error names. Writes that collide with a
 * transaction in flight on the same item (TransactionConflict), which the SDK does not retry, are sent
 * again here a few times: nothing was written, and the loser of a race then sees the winner's result.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { serviceUnavailable } from '../http/errors';
import { describeError, log } from '../log';
import { settings } from '../settings';
import { keyAttributes, TABLES, type TableId } from '../tables';

/**
 * Attempts per call and how long each may take. DynamoDB answers in milliseconds; a call that cannot
 * get through gives up after about 3 x 1.5 s, so even a request making a few calls answers 503 inside
 * the functions' 25 s timeout and API Gateway's 30 s.
 */
const MAX_ATTEMPTS = 3;
const CONNECTION_TIMEOUT_MS = 1000;
const REQUEST_TIMEOUT_MS = 1500;
/** Sends of a write or transaction that lost to a concurrent transaction on the same item. */
const CONFLICT_ATTEMPTS = 4;

const UNAVAILABLE_ERRORS = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'TransactionInProgressException',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
]);
// ENOTFOUND is left out on purpose: a name that does not resolve is a misconfiguration (500), not an outage.
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Reasons a transaction item can be cancelled for that say "try again later". */
const UNAVAILABLE_CANCELLATIONS = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded', 'InternalServerError']);

/** Nothing was written because a concurrent transaction held an item: worth sending again. */
function isConflict(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TransactionConflictException') return true;
  const reasons = cancellationCodes(error);
  return reasons !== undefined && reasons.includes('TransactionConflict') && !reasons.includes('ConditionalCheckFailed');
}

export function isUnavailableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { $fault, code } = error as { $fault?: string; code?: string };
  const reasons = cancellationCodes(error);
  if (reasons) return !reasons.includes('ConditionalCheckFailed') && reasons.some((reason) => UNAVAILABLE_CANCELLATIONS.has(reason));
  return $fault === 'server' || UNAVAILABLE_ERRORS.has(error.name) || (code !== undefined && NETWORK_ERROR_CODES.has(code));
}

let client: DynamoDBDocumentClient | undefined;

export function dynamo(): DynamoDBDocumentClient {
  client ??= createClient();
  return client;
}

function createClient(): DynamoDBDocumentClient {
  const endpoint = settings().dynamodbEndpoint;
  const base = new DynamoDBClient({
    maxAttempts: MAX_ATTEMPTS,
    // Without throwOnRequestTimeout the handler only logs a warning and waits on (seen with smithy 4).
    requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
    ...(endpoint === undefined ? {} : localEndpointConfig(endpoint)),
  });
  base.middlewareStack.add(
    (next) => async (args) => {
      for (let attempt = 1; ; attempt++) {
        try {
          // Each send serializes afresh, so a transaction goes out with a new idempotency token.
          return await next(args);
        } catch (error) {
          if (isConflict(error) && attempt < CONFLICT_ATTEMPTS) {
            await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
            continue;
          }
          if (!isUnavailableError(error) && !isConflict(error)) throw error;
          log.warn('dynamodb unavailable', describeError(error));
          throw serviceUnavailable();
        }
      }
    },
    { step: 'initialize', name: 'conflictRetryAnd503', priority: 'high' },
  );
  return DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
}

/** DynamoDB Local accepts any credentials; placeholders keep the SDK from searching for real ones. */
function localEndpointConfig(endpoint: string) {
  const { AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = process.env;
  return {
    endpoint,
    region: AWS_REGION ?? 'us-east-1',
    credentials:
      AWS_ACCESS_KEY_ID && AWS_SECRET_ACCESS_KEY
        ? { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY, sessionToken: process.env.AWS_SESSION_TOKEN }
        : { accessKeyId: 'local', secretAccessKey: 'local' },
  };
}

export type Item = Record<string, unknown>;

/**
 * Several items, from one or more tables, in one round trip (BatchGetItem, strongly consistent). Keys
 * DynamoDB leaves unprocessed under load are asked for again a few times, then the request is a 503.
 */
export async function getItems(requests: readonly { table: TableId; key: Item }[]): Promise<(Item | undefined)[]> {
  const names = settings().tables;
  const found = new Map<string, Item>();
  const identify = (table: TableId, key: Item) => JSON.stringify([table, ...keyAttributes(TABLES[table]).map((name) => key[name])]);
  let pending: Record<string, { Keys: Item[]; ConsistentRead: true }> = {};
  for (const { table, key } of requests) {
    (pending[names[table]] ??= { Keys: [], ConsistentRead: true }).Keys.push(key);
  }
  for (let attempt = 0; Object.keys(pending).length > 0; attempt++) {
    if (attempt === MAX_ATTEMPTS) throw serviceUnavailable();
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
    const { Responses = {}, UnprocessedKeys = {} } = await dynamo().send(new BatchGetCommand({ RequestItems: pending }));
    for (const { table } of requests) {
      for (const item of Responses[names[table]] ?? []) found.set(identify(table, item), item);
    }
    pending = UnprocessedKeys as typeof pending;
  }
  return requests.map(({ table, key }) => found.get(identify(table, key)));
}

export interface CancellationReason {
  readonly code: string;
  /** The item as it was, for operations sent with ReturnValuesOnConditionCheckFailure: ALL_OLD. */
  readonly item?: Item;
}

/** Why each item of a cancelled transaction was cancelled, in request order. */
export function cancellationReasons(error: unknown): CancellationReason[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as { CancellationReasons?: { Code?: string; Item?: Item }[] }).CancellationReasons ?? [];
  return reasons.map((reason) => ({ code: reason.Code ?? 'None', ...(reason.Item ? { item: reason.Item } : {}) }));
}

export function cancellationCodes(error: unknown): string[] | undefined {
  return cancellationReasons(error)?.map((reason) => reason.code);
}

/** A number attribute of an item, whether the SDK unmarshalled it (plain) or not (`{ N: "..." }`). */
export function numberAttribute(item: Item | undefined, name: string): number | undefined {
  const value = item?.[name];
  if (typeof value === 'number') return value;
  const raw = (value as { N?: unknown } | undefined)?.N;
  return typeof raw === 'string' && raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : undefined;
}

/** A string attribute of an item, whether unmarshalled (plain) or not (`{ S: "..." }`). */
export function stringAttribute(item: Item | undefined, name: string): string | undefined {
  const value = item?.[name];
  if (typeof value === 'string') return value;
  const raw = (value as { S?: unknown } | undefined)?.S;
  return typeof raw === 'string' ? raw : undefined;
}

/** The item DynamoDB returned with a failed condition (ReturnValuesOnConditionCheckFailure: ALL_OLD). */
export function itemOfConditionFailure(error: unknown): Item | undefined {
  return isConditionFailure(error) ? (error as { Item?: Item }).Item : undefined;
}

export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}
