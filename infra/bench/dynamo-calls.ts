/**
 * Records the DynamoDB requests that go over the wire (every retry too) with their timing, through an SDK
 * middleware on the service's own client: the round-trip budgets are counted, never estimated.
 */
import { dynamo } from '../../shared/store/dynamodb';

export interface DynamoCall {
  readonly command: string;
  readonly start: number;
  readonly end: number;
  /** On-demand request units it costs (see capacityOf). */
  readonly readUnits: number;
  readonly writeUnits: number;
}

/**
 * The on-demand request units a call costs, by DynamoDB's rules for items this small (every item here is
 * under 1 KB): a strongly consistent read of up to 4 KB is one read unit, an eventually consistent one half;
 * a write of up to 1 KB one write unit; each item of a transaction twice that
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html). A transaction's
 * ConditionCheck is counted as a transactional write, the dearer reading of those pages. A Query of one
 * user's few sessions reads under 4 KB: one unit. DynamoDB Local reports consumed capacity without the
 * transactional doubling, so it is not asked.
 */
function capacityOf(command: string, input: Record<string, unknown>): { readUnits: number; writeUnits: number } {
  const read = (consistent: unknown) => (consistent === true ? 1 : 0.5);
  switch (command.replace(/Command$/, '')) {
    case 'GetItem':
    case 'Query':
      return { readUnits: read(input.ConsistentRead), writeUnits: 0 };
    case 'BatchGetItem':
      return {
        readUnits: Object.values(input.RequestItems as Record<string, { Keys: unknown[]; ConsistentRead?: boolean }>).reduce((sum, table) => sum + table.Keys.length * read(table.ConsistentRead), 0),
        writeUnits: 0,
      };
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return { readUnits: 0, writeUnits: 1 };
    case 'TransactWriteItems':
      return { readUnits: 0, writeUnits: 2 * (input.TransactItems as unknown[]).length };
    default:
      return { readUnits: 0, writeUnits: 0 };
  }
}

let recording: DynamoCall[] | undefined;
let installed = false;

export async function recordDynamoCalls<T>(action: () => Promise<T>): Promise<{ result: T; calls: DynamoCall[] }> {
  if (!installed) {
    dynamo().middlewareStack.add(
      (next, context) => async (args) => {
        const start = performance.now();
        try {
          return await next(args);
        } finally {
          recording?.push({ command: String(context.commandName), start, end: performance.now(), ...capacityOf(String(context.commandName), args.input as Record<string, unknown>) });
        }
      },
      // After the retry middleware, so every attempt is seen.
      { step: 'finalizeRequest', priority: 'low', name: 'recordDynamoCalls' },
    );
    installed = true;
  }
  recording = [];
  try {
    const result = await action();
    return { result, calls: recording };
  } finally {
    recording = undefined;
  }
}

/** Calls that overlap in time are one round trip: what a request waits for in sequence. */
export function roundTrips(calls: readonly DynamoCall[]): { count: number; waitMs: number } {
  const sorted = [...calls].sort((a, b) => a.start - b.start);
  let count = 0;
  let waitMs = 0;
  let groupEnd = -Infinity;
  let groupStart = 0;
  for (const call of sorted) {
    if (call.start > groupEnd) {
      if (count > 0) waitMs += groupEnd - groupStart;
      count++;
      groupStart = call.start;
      groupEnd = call.end;
    } else groupEnd = Math.max(groupEnd, call.end);
  }
  if (count > 0) waitMs += groupEnd - groupStart;
  return { count, waitMs };
}
