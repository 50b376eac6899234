/** One endpoint's benchmark plan: which function serves it, how each request is made, how many are timed. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { LambdaHandler } from '../../shared/http/endpoint';
import type { Route } from '../routes';

export interface Plan {
  readonly endpoint: string;
  /** The function that serves it (its memory size prices it). */
  readonly fn: Route['name'];
  readonly handler: LambdaHandler;
  /** A fresh event per request; made before the request's timing starts. */
  readonly event: () => APIGatewayProxyEventV2;
  /** Sees each answer (refresh takes the next token from it). */
  readonly answered?: (result: APIGatewayProxyStructuredResultV2) => void;
  readonly count: number;
  readonly warmUp: number;
  /** Password hashes (scrypt) one request runs: its latency is budgeted against the hash's. */
  readonly hashes?: number;
}

export async function loadHandler(name: Route['name']): Promise<LambdaHandler> {
  return ((await import(`../../functions/${name}.ts`)) as { handler: LambdaHandler }).handler;
}
