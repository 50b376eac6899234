/**
 * What a million requests of each endpoint cost in AWS at this stack's memory sizes and public list prices
 * (us-east-1), from what the bench measured: each function's median duration here (Lambda bills by the
 * millisecond; Lambda's own CPU differs from this machine's, so the duration part is an estimate) and each
 * request's DynamoDB request units (dynamo-calls.ts). Beside it, Amazon Cognito's price per monthly active
 * user for the same use.
 */
import { DEFAULT_MEMORY_SIZE, OBTAIN_MEMORY_SIZE } from '../cdk/auth-api';
import { ROUTES } from '../routes';
import type { EndpointLatency } from './latency';
import { markdownTable } from './support';

/**
 * List prices, us-east-1, as published on the pages named (seen 2026-09-20 for Lambda and Cognito; the
 * DynamoDB price is the one in force since the on-demand price cut of 2024-11-01). Check them before relying
 * on the figures: https://aws.amazon.com/lambda/pricing/, https://aws.amazon.com/api-gateway/pricing/,
 * https://aws.amazon.com/dynamodb/pricing/on-demand/, https://aws.amazon.com/cognito/pricing/.
 */
export const PRICES = {
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  httpApiPerMillionRequests: 1.0,
  dynamoPerMillionWriteUnits: 0.625,
  dynamoPerMillionReadUnits: 0.125,
  cognitoEssentialsPerMau: 0.015,
  cognitoLitePerMau: 0.0055,
} as const;

/** A user who logs in once a month and refreshes every 15 minutes for 8 hours a day. */
const REFRESHES_PER_USER_MONTH = 4 * 8 * 30;

export interface EndpointCost {
  readonly endpoint: string;
  readonly perMillion: number;
}

export function costSection(endpoints: readonly EndpointLatency[]): { markdown: string; costs: EndpointCost[]; perUserMonth: number } {
  const priced = endpoints.filter((e) => Number.isFinite(e.medianMs));
  const rows: string[][] = [];
  const costs: EndpointCost[] = [];
  for (const e of priced) {
    const memoryMb = ROUTES.find((route) => route.name === e.fn)?.hashesPasswords ? OBTAIN_MEMORY_SIZE : DEFAULT_MEMORY_SIZE;
    const compute = (Math.ceil(e.medianMs) / 1000) * (memoryMb / 1024) * PRICES.lambdaArmPerGbSecond * 1e6;
    const dynamo = e.readUnits * PRICES.dynamoPerMillionReadUnits + e.writeUnits * PRICES.dynamoPerMillionWriteUnits;
    const total = PRICES.httpApiPerMillionRequests + PRICES.lambdaPerMillionRequests + compute + dynamo;
    costs.push({ endpoint: e.endpoint, perMillion: total });
    rows.push([e.endpoint, `${memoryMb} MB`, `${Math.ceil(e.medianMs)} ms`, `${e.readUnits} / ${e.writeUnits}`, dollars(PRICES.httpApiPerMillionRequests + PRICES.lambdaPerMillionRequests), dollars(compute), dollars(dynamo), `**${dollars(total)}**`]);
  }
  const of = (name: string) => costs.find((c) => c.endpoint === name)?.perMillion ?? NaN;
  const perUserMonth = (of('obtain') + REFRESHES_PER_USER_MONTH * of('refresh')) / 1e6;
  const markdown = [
    '#### What it costs in AWS (us-east-1 list prices, per million requests)',
    markdownTable(['endpoint', 'memory', 'duration (median here)', 'DynamoDB read / write units', 'HTTP API + Lambda requests', 'Lambda duration', 'DynamoDB', 'total'], rows),
    '',
    `A user who logs in once a month and refreshes every 15 minutes for 8 hours a day (${REFRESHES_PER_USER_MONTH} refreshes) costs ${dollars(perUserMonth, 5)} a month here, against Amazon Cognito's ${dollars(PRICES.cognitoEssentialsPerMau, 4)} per monthly active user on its Essentials plan (${dollars(PRICES.cognitoLitePerMau, 4)} on Lite; both after 10,000 free users a month). Not counted: the two secrets ($0.80 a month), storage, logs, and requests the app makes to its own protected routes.`,
  ].join('\n');
  return { markdown, costs, perUserMonth };
}

function dollars(value: number, digits = 2): string {
  return `$${value.toFixed(digits)}`;
}
