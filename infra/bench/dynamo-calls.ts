/**
 * Records the DynamoDB requests that go over the wire (every retry too) with their timing, through an SDK
 * middleware on the service's own client: the round-trip budgets are counted, never estimated.
 */
import { dynamo } from '../../shared/store/dynamodb';

export interface DynamoCall {
  readonly command: string;
  readonly start: number;
  readonly end: number;
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
          recording?.push({ command: String(context.commandName), start, end: performance.now() });
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
