/**
 * Per endpoint, in-process against DynamoDB Local through the same handler Lambda runs: latency after
 * warm-up, and the DynamoDB calls and round trips of one request; for obtain, where the time goes (hash,
 * DynamoDB, the handler's own work). Every endpoint's requests alternate with the baseline, a raw
 * BatchGetItem of the two items profile reads through the same client, so each endpoint is compared with
 * DynamoDB's own speed at that very moment, not with a number from another machine.
 */
import { randomBytes, scryptSync } from 'node:crypto';
import { startSession } from '../../shared/sessions/session-store';
import { issueTokenPair } from '../../shared/sessions/session-tokens';
import { beginLoginAttempt, endLoginAttemptWithSuccess } from '../../shared/users/login-throttle';
import { hashPassword, verifyPassword } from '../../shared/users/passwords';
import { tokenClaimsFor } from '../../shared/users/users';
import type { Route } from '../routes';
import { accountPlans } from './account-plans';
import { recordDynamoCalls, roundTrips, type DynamoCall } from './dynamo-calls';
import { BENCH_PASSWORD, bearerGet, benchUser, endSessionEvent, inBatches, newSession, postJson, rawBatchGet } from './fixtures';
import { loadHandler, type Plan } from './plan';
import { median, quantile } from './support';

export interface BaselineLatency {
  readonly calls: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  /** One request at a time: 1000 / the mean latency. */
  readonly requestsPerSecond: number;
  readonly dynamoCalls: string[];
  readonly roundTrips: number;
}

export interface EndpointLatency extends BaselineLatency {
  readonly endpoint: string;
  readonly fn: Route['name'];
  /** Password hashes one request runs. */
  readonly hashes: number;
  /** On-demand request units of one request. */
  readonly readUnits: number;
  readonly writeUnits: number;
  /** The raw BatchGetItem's median over the requests interleaved with this endpoint's. */
  readonly baselineMedianMs: number;
  /** medianMs / baselineMedianMs. */
  readonly ratioToBaseline: number;
}

export interface ObtainBreakdown {
  readonly totalMs: number;
  readonly hashMs: number;
  readonly dynamoWaitMs: number;
  /** Failed login's own work + the session start's own work + signing a pair. */
  readonly handlerOwnMs: number;
  readonly ownOfFailedLoginMs: number;
  readonly ownOfSessionStartMs: number;
  readonly signingMs: number;
  /** handlerOwnMs / hashMs. */
  readonly ownToHash: number;
  /** handlerOwnMs / the raw BatchGetItem median of the same run. */
  readonly ownToBaseline: number;
}

export interface LatencyResults {
  readonly baseline: BaselineLatency;
  readonly endpoints: EndpointLatency[];
  readonly obtain: ObtainBreakdown;
}

async function invoke(plan: Plan, event: ReturnType<Plan['event']>): Promise<void> {
  const result = await plan.handler(event);
  if ((result.statusCode ?? 0) >= 300) throw new Error(`benchmark request to ${plan.endpoint} answered ${result.statusCode}: ${result.body}`);
  plan.answered?.(result);
}

/** The plan's requests, each next to a baseline request (in turn before and after it), and one request's DynamoDB calls. */
async function measure(plan: Plan, baseline: () => Promise<unknown>): Promise<{ timings: number[]; baselineTimings: number[]; calls: DynamoCall[] }> {
  for (let i = 0; i < plan.warmUp; i++) {
    await invoke(plan, plan.event());
    await baseline();
  }
  const timings: number[] = [];
  const baselineTimings: number[] = [];
  const timeBaseline = async () => {
    const t0 = performance.now();
    await baseline();
    baselineTimings.push(performance.now() - t0);
  };
  for (let i = 0; i < plan.count; i++) {
    if (i % 2 === 0) await timeBaseline();
    const event = plan.event();
    const t0 = performance.now();
    await invoke(plan, event);
    timings.push(performance.now() - t0);
    if (i % 2 === 1) await timeBaseline();
  }
  const event = plan.event();
  const { calls } = await recordDynamoCalls(() => invoke(plan, event));
  return { timings, baselineTimings, calls };
}

const sumOf = (calls: readonly DynamoCall[], units: 'readUnits' | 'writeUnits') => calls.reduce((sum, call) => sum + call[units], 0);
const commandNames = (calls: readonly DynamoCall[]) => calls.map((call) => call.command.replace(/Command$/, '')).sort();
const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

export async function measureLatency(): Promise<LatencyResults> {
  const N = 400;
  const passwordHash = await hashPassword(BENCH_PASSWORD);
  const user = await benchUser('bench', { passwordHash });
  const { access, refresh: unusedRefresh, sid } = await newSession(user);
  const baseline = () => rawBatchGet(user.id, sid);

  // Tokens used up by the requests (and the warm-up and the sampled request), each of its own session,
  // made before any timing starts.
  const spareLogouts = (await inBatches(N + 20, () => newSession(user))).map((s) => s.refresh);
  let chain = (await newSession(user)).refresh;
  // The session list of a user with a few devices, not of the user above with hundreds of sessions.
  const listUser = await benchUser('bench-list', { passwordHash: 'none' });
  const listSessions = await inBatches(5, () => newSession(listUser));
  const listAccess = listSessions.at(-1)!.access;
  // Sessions to end, one per request, by a bearer whose own session stays.
  const endUser = await benchUser('bench-end', { passwordHash: 'none' });
  const endAccess = (await newSession(endUser)).access;
  const sessionsToEnd = (await inBatches(N + 20, () => newSession(endUser))).map((s) => s.sid);

  const handlers = {
    verify: await loadHandler('verify'),
    profile: await loadHandler('profile'),
    refresh: await loadHandler('refresh'),
    logout: await loadHandler('logout'),
    obtain: await loadHandler('obtain'),
    sessions: await loadHandler('sessions'),
    endSession: await loadHandler('end-session'),
  };
  const accounts = await accountPlans(passwordHash, N);
  const plans: Plan[] = [
    { endpoint: 'verify (access token)', fn: 'verify', handler: handlers.verify, event: () => postJson('/api/token/verify/', { token: access }), count: N, warmUp: 100 },
    { endpoint: 'verify (refresh token)', fn: 'verify', handler: handlers.verify, event: () => postJson('/api/token/verify/', { token: unusedRefresh }), count: N, warmUp: 100 },
    { endpoint: 'profile', fn: 'profile', handler: handlers.profile, event: () => bearerGet('/account/profile', access), count: N, warmUp: 100 },
    {
      endpoint: 'refresh',
      fn: 'refresh',
      handler: handlers.refresh,
      // Refresh rotates: each request uses the refresh token the previous one returned.
      event: () => postJson('/api/token/refresh/', { refresh: chain }),
      answered: (result) => (chain = JSON.parse(result.body ?? '{}').refresh),
      count: N,
      warmUp: 10,
    },
    { endpoint: 'logout', fn: 'logout', handler: handlers.logout, event: () => postJson('/account/logout/', { refresh: spareLogouts.pop()! }), count: N, warmUp: 10 },
    { endpoint: 'sessions', fn: 'sessions', handler: handlers.sessions, event: () => bearerGet('/account/sessions', listAccess), count: N, warmUp: 50 },
    { endpoint: 'end-session', fn: 'end-session', handler: handlers.endSession, event: () => endSessionEvent(sessionsToEnd.pop()!, endAccess), count: N, warmUp: 10 },
    { endpoint: 'obtain', fn: 'obtain', handler: handlers.obtain, event: () => postJson('/api/token/', { username: user.username, password: BENCH_PASSWORD }), count: 20, warmUp: 2, hashes: 1 },
    ...accounts.timed,
  ];
  const endpoints: EndpointLatency[] = [];
  const allBaselineTimings: number[] = [];
  for (const plan of plans) {
    const { timings, baselineTimings, calls } = await measure(plan, baseline);
    allBaselineTimings.push(...baselineTimings);
    const medianMs = median(timings);
    const baselineMedianMs = median(baselineTimings);
    endpoints.push({
      endpoint: plan.endpoint,
      fn: plan.fn,
      hashes: plan.hashes ?? 0,
      calls: timings.length,
      medianMs,
      p99Ms: quantile(timings, 0.99),
      requestsPerSecond: 1000 / mean(timings),
      dynamoCalls: commandNames(calls),
      roundTrips: roundTrips(calls).count,
      readUnits: sumOf(calls, 'readUnits'),
      writeUnits: sumOf(calls, 'writeUnits'),
      baselineMedianMs,
      ratioToBaseline: medianMs / baselineMedianMs,
    });
  }
  // A failed login does less (no session): its round trips on their own. Its timing is the login section's.
  const failedLogin = await recordDynamoCalls(() => handlers.obtain(postJson('/api/token/', { username: user.username, password: 'not-the-password' })));
  if (failedLogin.result.statusCode !== 401) throw new Error(`a wrong password answered ${failedLogin.result.statusCode}`);
  const countedOnce: EndpointLatency[] = [{ ...countedOnly('obtain (wrong password)', 'obtain', failedLogin.calls), hashes: 1 }];
  for (const plan of accounts.countedOnce) {
    const event = plan.event();
    countedOnce.push(countedOnly(plan.endpoint, plan.fn, (await recordDynamoCalls(() => invoke(plan, event))).calls));
  }
  const baselineCalls = (await recordDynamoCalls(baseline)).calls;

  // Where a login's time goes. The hash's own jitter (several ms) would swamp the handler's own work if one
  // were subtracted from the other, so that work is measured in parts: a failed login of a user whose
  // stored hash is cheap (ln=10, about 1 ms; a right password would have such a hash upgraded on the spot),
  // the third round trip only a successful login makes (the session started beside the count's release),
  // and the signing of the token pair. Each part's own work is its time less the DynamoDB round trips.
  const cheapHash = cheapScryptHash(BENCH_PASSWORD);
  const cheapUser = await benchUser('bench-cheap', { passwordHash: cheapHash });
  const failedLoginSample = async () => {
    const attempt = 'not-the-password';
    const h0 = performance.now();
    await verifyPassword(attempt, cheapHash);
    const hash = performance.now() - h0;
    const t0 = performance.now();
    const { calls } = await recordDynamoCalls(() => handlers.obtain(postJson('/api/token/', { username: cheapUser.username, password: attempt })));
    return performance.now() - t0 - hash - roundTrips(calls).waitMs;
  };
  const sessionStartSample = async () => {
    const attempt = await beginLoginAttempt(cheapUser.username, BENCH_PASSWORD, '127.0.0.1');
    const t0 = performance.now();
    const { calls } = await recordDynamoCalls(() => Promise.all([startSession(cheapUser, 'bench'), endLoginAttemptWithSuccess(attempt)]));
    return performance.now() - t0 - roundTrips(calls).waitMs;
  };
  const real: { hash: number; total: number; wait: number }[] = [];
  for (let i = 0; i < 10; i++) {
    const h0 = performance.now();
    await verifyPassword(BENCH_PASSWORD, passwordHash);
    const hash = performance.now() - h0;
    const t0 = performance.now();
    const { calls } = await recordDynamoCalls(() => handlers.obtain(postJson('/api/token/', { username: user.username, password: BENCH_PASSWORD })));
    real.push({ hash, total: performance.now() - t0, wait: roundTrips(calls).waitMs });
  }
  for (let i = 0; i < 5; i++) {
    await failedLoginSample();
    await sessionStartSample();
  }
  const ownFailed: number[] = [];
  const ownSession: number[] = [];
  const signing: number[] = [];
  const ownBaseline: number[] = [];
  for (let i = 0; i < 50; i++) {
    ownFailed.push(await failedLoginSample());
    ownSession.push(await sessionStartSample());
    const session = await startSession(cheapUser, 'bench');
    const s0 = performance.now();
    await issueTokenPair({ ...tokenClaimsFor(cheapUser), ...session });
    signing.push(performance.now() - s0);
    const b0 = performance.now();
    await baseline();
    ownBaseline.push(performance.now() - b0);
  }
  const hashMs = median(real.map((s) => s.hash));
  const handlerOwnMs = median(ownFailed) + median(ownSession) + median(signing);
  return {
    baseline: {
      calls: allBaselineTimings.length,
      medianMs: median(allBaselineTimings),
      p99Ms: quantile(allBaselineTimings, 0.99),
      requestsPerSecond: 1000 / mean(allBaselineTimings),
      dynamoCalls: commandNames(baselineCalls),
      roundTrips: roundTrips(baselineCalls).count,
    },
    endpoints: [...endpoints, ...countedOnce],
    obtain: {
      totalMs: median(real.map((s) => s.total)),
      hashMs,
      dynamoWaitMs: median(real.map((s) => s.wait)),
      handlerOwnMs,
      ownOfFailedLoginMs: median(ownFailed),
      ownOfSessionStartMs: median(ownSession),
      signingMs: median(signing),
      ownToHash: handlerOwnMs / hashMs,
      ownToBaseline: handlerOwnMs / median(ownBaseline),
    },
  };
}

/** A row of an endpoint served once for its DynamoDB calls, untimed. */
function countedOnly(endpoint: string, fn: Route['name'], calls: DynamoCall[]): EndpointLatency {
  return {
    endpoint,
    fn,
    hashes: 0,
    calls: 1,
    medianMs: NaN,
    p99Ms: NaN,
    requestsPerSecond: NaN,
    dynamoCalls: commandNames(calls),
    roundTrips: roundTrips(calls).count,
    readUnits: sumOf(calls, 'readUnits'),
    writeUnits: sumOf(calls, 'writeUnits'),
    baselineMedianMs: NaN,
    ratioToBaseline: NaN,
  };
}

/** A PHC scrypt hash at ln=10: cheap to check, read by verifyPassword like any other. */
function cheapScryptHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 32, { N: 2 ** 10, r: 8, p: 1 });
  const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');
  return `$scrypt$ln=10,r=8,p=1$${b64(salt)}$${b64(key)}`;
}
