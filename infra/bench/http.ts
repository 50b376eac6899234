/**
 * Requests per second of the local runner (`npm start`'s server) with autocannon, each endpoint next to its
 * floor measured the same way in the same run: verify against the runner serving an empty handler, profile
 * against the runner serving a raw BatchGetItem of the same two items through the same client. Every case
 * is warmed up first (DynamoDB Local's JIT needs a few thousand requests: the same profile load measured
 * 397 requests a second cold and 800-1100 warm), then the cases are measured in alternating rounds so that
 * drift in the machine's load favours none; each figure is the median of its rounds.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { LambdaHandler } from '../../shared/http/endpoint';
import { freePort } from '../local/dynamodb-local';
import { PROJECT_ROOT } from '../local/environment';
import { createLocalServer, importHandler } from '../local/server';
import { rawBatchGet } from './fixtures';
import { median } from './support';

export interface Throughput {
  readonly endpoint: string;
  /** The case this one is compared with, or undefined for a floor. */
  readonly floor: string | undefined;
  readonly connections: number;
  readonly warmUpRequests: number;
  readonly rounds: number;
  readonly secondsPerRound: number;
  /** Median over the rounds. */
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  /** Median over the rounds of this case's req/s over its floor's in the same round. */
  readonly ratioToFloor: number | undefined;
}

const CONNECTIONS = 16;
const ROUNDS = 4;
const SECONDS = 4;
const WARM_UP_REQUESTS = 4000;

function autocannon(args: string[]): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'node_modules/autocannon/autocannon.js'), '--json', ...args]);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`autocannon exited with ${code}`))));
  });
}

async function listen(server: Server): Promise<string> {
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return `http://127.0.0.1:${port}`;
}

function close(server: Server): void {
  server.closeAllConnections();
  server.close();
}

/** For the floors: an empty handler in verify's place, and profile's read without profile. */
function floorHandlers(userId: string, sid: string): Record<string, LambdaHandler> {
  return {
    verify: async () => ({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: '{}' }),
    profile: async () => {
      const user = await rawBatchGet(userId, sid);
      return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id: user.id, username: user.username, email: user.email }) };
    },
  };
}

export async function measureThroughput(bearer: { access: string; userId: string; sid: string }): Promise<Throughput[]> {
  const floors = floorHandlers(bearer.userId, bearer.sid);
  const real = createLocalServer({ allowedOrigins: [] });
  const floor = createLocalServer({ allowedOrigins: [] }, async (route) => floors[route.name] ?? importHandler(route));
  const quiet = console.log;
  console.log = () => {}; // the runner logs a line per request
  try {
    const [realBase, floorBase] = [await listen(real), await listen(floor)];
    const verifyArgs = ['-m', 'POST', '-H', 'content-type=application/json', '-b', JSON.stringify({ token: bearer.access }), '/api/token/verify/'];
    const profileArgs = ['-H', `authorization=Bearer ${bearer.access}`, '/account/profile'];
    const withBase = (base: string, args: string[]) => [...args.slice(0, -1), `${base}${args.at(-1)}`];
    const cases: { endpoint: string; floor?: string; args: string[] }[] = [
      { endpoint: 'empty handler (floor of verify)', args: withBase(floorBase, verifyArgs) },
      { endpoint: 'verify (access token)', floor: 'empty handler (floor of verify)', args: withBase(realBase, verifyArgs) },
      { endpoint: 'raw BatchGetItem (floor of profile)', args: withBase(floorBase, profileArgs) },
      { endpoint: 'profile', floor: 'raw BatchGetItem (floor of profile)', args: withBase(realBase, profileArgs) },
    ];
    for (const c of cases) await autocannon(['-c', String(CONNECTIONS), '-a', String(WARM_UP_REQUESTS), ...c.args]);
    const reports = new Map<string, Record<string, any>[]>(cases.map((c) => [c.endpoint, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // Each endpoint next to its floor, in turn before and after it.
      const order = round % 2 === 0 ? cases : [cases[1]!, cases[0]!, cases[3]!, cases[2]!];
      for (const c of order) reports.get(c.endpoint)!.push(await autocannon(['-c', String(CONNECTIONS), '-d', String(SECONDS), ...c.args]));
    }
    return cases.map((c) => {
      const own = reports.get(c.endpoint)!;
      const floorReports = c.floor === undefined ? undefined : reports.get(c.floor)!;
      return {
        endpoint: c.endpoint,
        floor: c.floor,
        connections: CONNECTIONS,
        warmUpRequests: WARM_UP_REQUESTS,
        rounds: ROUNDS,
        secondsPerRound: SECONDS,
        requestsPerSecond: median(own.map((r) => r.requests.average)),
        p50Ms: median(own.map((r) => r.latency.p50)),
        p99Ms: median(own.map((r) => r.latency.p99)),
        non2xx: own.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0),
        ratioToFloor: floorReports && median(own.map((r, i) => r.requests.average / floorReports[i]!.requests.average)),
      };
    });
  } finally {
    console.log = quiet;
    close(real);
    close(floor);
  }
}
