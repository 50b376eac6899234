/** Counts the DynamoDB requests that go over the wire (each retry counts), for the round-trip budgets. */
import { recordDynamoCalls, roundTrips } from '../../infra/bench/dynamo-calls';

export async function countDynamoCalls<T>(action: () => Promise<T>): Promise<{ result: T; calls: string[]; roundTrips: number }> {
  const { result, calls } = await recordDynamoCalls(action);
  return { result, calls: calls.map((call) => call.command), roundTrips: roundTrips(calls).count };
}
