/**
 * Per endpoint, in-process against DynamoDB Local through the same handler Lambda runs: latency after
 * warm-up, requests per second, and the DynamoDB calls and round trips of one request; for obtain, where
 * the time goes (hash, DynamoDB, the handler's own work).
 */
import { randomBytes, randomUUID, scryptSync } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { httpApiEvent } from '../local/events';
import type { LambdaHandler } from '../../shared/http/endpoint';
import { recordDynamoCalls, roundTrips } from './dynamo-calls';
import { median, quantile } from './support';

export interface EndpointLatency {
  readonly endpoint: string;
  readonly calls: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly requestsPerSecond: number;
  readonly dynamoCalls: string[];
  readonly roundTrips: number;
}

export interface ObtainBreakdown {
  readonly totalMs: number;
  readonly hashMs: number;
  readonly dynamoWaitMs: number;
  readonly handlerOwnMs: number;
}

const post = (path: string, body: object, headers: [string, string][] = []) =>
  httpApiEvent({ method: 'POST', url: path, headers: [['content-type', 'application/json'], ...headers], body: JSON.stringify(body) });

async function load(name: string): Promise<LambdaHandler> {
  return ((await import(`../../functions/${name}.ts`)) as { handler: LambdaHandler }).handler;
}

async function time(handler: LambdaHandler, events: () => APIGatewayProxyEventV2, count: number, warmUp: number) {
  const check = async (event: APIGatewayProxyEventV2) => {
    const result = await handler(event);
    if ((result.statusCode ?? 0) >= 300) throw new Error(`benchmark request answered ${result.statusCode}: ${result.body}`);
  };
  for (let i = 0; i < warmUp; i++) await check(events());
  const timings: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const event = events();
    const t0 = performance.now();
    await check(event);
    timings.push(performance.now() - t0);
  }
  const seconds = (performance.now() - started) / 1000;
  return { timings, requestsPerSecond: count / seconds };
}

export async function measureLatency(): Promise<{ endpoints: EndpointLatency[]; obtain: ObtainBreakdown }> {
  const { createUser } = await import('../../shared/users/users');
  const { hashPassword, verifyPassword } = await import('../../shared/users/passwords');
  const { issueTokenPair } = await import('../../shared/sessions/session-tokens');
  const { newSessionClaims } = await import('../../shared/sessions/session-tokens');
  const { tokenClaimsFor } = await import('../../shared/users/users');
  const password = 'bench-password-1';
  const passwordHash = await hashPassword(password);
  const user = await createUser({
    username: `bench-${randomUUID().slice(0, 8)}`,
    email: 'bench@example.com',
    firstName: 'Bench',
    lastName: 'Mark',
    isActive: true,
    isStaff: false,
    isSuperuser: false,
    passwordHash,
  });
  const pair = () => issueTokenPair({ ...tokenClaimsFor(user), ...newSessionClaims(0) });
  const { access } = await pair();

  // Fresh refresh tokens for the endpoints that use one up; made before timing starts.
  const N = 400;
  const spareRefreshTokens = await Promise.all(Array.from({ length: N + 20 }, async () => (await pair()).refresh));
  let chain = (await pair()).refresh;

  const handlers = {
    verify: await load('verify'),
    profile: await load('profile'),
    refresh: await load('refresh'),
    logout: await load('logout'),
    obtain: await load('obtain'),
  };
  const plans: [keyof typeof handlers, () => APIGatewayProxyEventV2, number, number][] = [
    ['verify', () => post('/api/token/verify/', { token: access }), N, 50],
    ['profile', () => httpApiEvent({ method: 'GET', url: '/account/profile', headers: [['authorization', `Bearer ${access}`]] }), N, 50],
    ['logout', () => post('/account/logout/', { refresh: spareRefreshTokens.pop()! }), N, 10],
    ['obtain', () => post('/api/token/', { username: user.username, password }), 20, 2],
  ];
  const endpoints: EndpointLatency[] = [];
  for (const [name, events, count, warmUp] of plans) {
    const { timings, requestsPerSecond } = await time(handlers[name], events, count, warmUp);
    const sample = await recordDynamoCalls(() => handlers[name](events()));
    endpoints.push(summary(name, timings, requestsPerSecond, sample.calls));
  }
  // Refresh rotates: each request uses the refresh token the previous one returned.
  const refreshHandler = handlers.refresh;
  const rotating = async () => {
    const result = await refreshHandler(post('/api/token/refresh/', { refresh: chain }));
    chain = JSON.parse(result.body ?? '{}').refresh;
    if (result.statusCode !== 200) throw new Error(`refresh answered ${result.statusCode}`);
  };
  for (let i = 0; i < 10; i++) await rotating();
  const refreshTimings: number[] = [];
  const started = performance.now();
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await rotating();
    refreshTimings.push(performance.now() - t0);
  }
  const refreshRps = N / ((performance.now() - started) / 1000);
  const refreshSample = await recordDynamoCalls(rotating);
  endpoints.splice(2, 0, summary('refresh', refreshTimings, refreshRps, refreshSample.calls));

  // Where a login's time goes. The hash's own jitter (several ms) would swamp the handler's own work if one
  // were subtracted from the other, so that work is measured on a user whose stored hash is cheap (ln=10,
  // about 1 ms), with a wrong password (a right one would have the hash upgraded to today's cost on the
  // spot), plus the signing of a token pair that a successful login adds.
  const sample = async (username: string, storedHash: string, attempt: string) => {
    const h0 = performance.now();
    await verifyPassword(attempt, storedHash);
    const hash = performance.now() - h0;
    const t0 = performance.now();
    const { calls } = await recordDynamoCalls(() => handlers.obtain(post('/api/token/', { username, password: attempt })));
    const total = performance.now() - t0;
    const wait = roundTrips(calls).waitMs;
    return { hash, total, wait, own: total - hash - wait };
  };
  const cheapHash = cheapScryptHash(password);
  const { id: _id, dateJoined: _joined, sessionGeneration: _generation, ...fields } = user;
  const cheapUser = await createUser({ ...fields, username: `${user.username}-cheap`, passwordHash: cheapHash });
  const real = [];
  const cheap = [];
  const signing = [];
  for (let i = 0; i < 10; i++) real.push(await sample(user.username, passwordHash, password));
  for (let i = 0; i < 5; i++) await sample(cheapUser.username, cheapHash, 'not-the-password');
  for (let i = 0; i < 50; i++) {
    cheap.push(await sample(cheapUser.username, cheapHash, 'not-the-password'));
    const s0 = performance.now();
    await pair();
    signing.push(performance.now() - s0);
  }
  return {
    endpoints,
    obtain: {
      totalMs: median(real.map((s) => s.total)),
      hashMs: median(real.map((s) => s.hash)),
      dynamoWaitMs: median(real.map((s) => s.wait)),
      handlerOwnMs: median(cheap.map((s) => s.own)) + median(signing),
    },
  };
}

/** A PHC scrypt hash at ln=10: cheap to check, read by verifyPassword like any other. */
function cheapScryptHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 32, { N: 2 ** 10, r: 8, p: 1 });
  const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');
  return `$scrypt$ln=10,r=8,p=1$${b64(salt)}$${b64(key)}`;
}

function summary(endpoint: string, timings: number[], requestsPerSecond: number, calls: { command: string; start: number; end: number }[]): EndpointLatency {
  return {
    endpoint,
    calls: timings.length,
    medianMs: median(timings),
    p99Ms: quantile(timings, 0.99),
    requestsPerSecond,
    dynamoCalls: calls.map((call) => call.command.replace(/Command$/, '')).sort(),
    roundTrips: roundTrips(calls).count,
  };
}
