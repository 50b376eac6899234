/** Counts the DynamoDB requests that go over the wire (each retry counts), for the round-trip budgets. */
import { dynamo } from '../../shared/dynamodb';

let recording: string[] | undefined;
let installed = false;

export async function countDynamoCalls<T>(action: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
  if (!installed) {
    dynamo().middlewareStack.add(
      (next, context) => async (args) => {
        recording?.push(String(context.commandName));
        return next(args);
      },
      // After the retry middleware, so every attempt is seen.
      { step: 'finalizeRequest', priority: 'low', name: 'countDynamoCalls' },
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
