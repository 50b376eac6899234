/**
 * `npm run bench`: the service's numbers in one command, separate from the tests (no timing assertion
 * lives in npm test). Prints Markdown, writes infra/bench/results.json, and with `--write` replaces the
 * README's Performance section. Sections can be picked: `npm run bench -- bundles login`.
 * Exits non-zero when a budget fails.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpApiEvent } from '../local/events';
import { PROJECT_ROOT } from '../local/environment';
import { ROUTES } from '../routes';
import { buildDeployedBundles, bundleSize, type FunctionName } from './bundles';
import { buildClientOnlyBundle, measureColdStarts, writeEmptyHandler, type ColdStart } from './coldstart';
import { measureThroughput } from './http';
import { measureLatency } from './latency';
import { measureLoginTiming } from './login';
import { kib, machineLine, mannWhitneyP, markdownTable, ms, replaceReadmeSection, startBenchDatabase } from './support';

const SECTIONS = ['latency', 'bundles', 'coldstart', 'http', 'login'] as const;
type Section = (typeof SECTIONS)[number];
const args = process.argv.slice(2);
const chosen = new Set<Section>(args.filter((arg): arg is Section => (SECTIONS as readonly string[]).includes(arg)));
if (chosen.size === 0) for (const section of SECTIONS) chosen.add(section);
const COLD_RUNS = 15;
const LOGIN_ROUNDS = 30;

interface Budget {
  readonly name: string;
  readonly measured: string;
  readonly limit: string;
  readonly pass: boolean;
}
const budgets: Budget[] = [];
const budget = (name: string, measured: string, limit: string, pass: boolean) => budgets.push({ name, measured, limit, pass });
const mark = (pass: boolean) => (pass ? 'pass' : '**FAIL**');

const markdown: string[] = [];
const results: Record<string, unknown> = { machine: machineLine() };
const database = await startBenchDatabase();
const workDir = mkdtempSync(join(tmpdir(), 'bench-'));

try {
  if (chosen.has('latency')) {
    const ROUND_TRIP_BUDGETS: Record<string, number> = { verify: 0, profile: 1, logout: 1, refresh: 2, obtain: 2 };
    const { endpoints, obtain } = await measureLatency();
    results.latency = endpoints;
    results.obtain = obtain;
    markdown.push('#### Latency per endpoint (in-process, DynamoDB Local)');
    markdown.push(
      markdownTable(
        ['endpoint', 'requests', 'median', 'p99', 'req/s (one at a time)', 'DynamoDB calls', 'round trips', 'budget'],
        endpoints.map((e) => {
          const limit = ROUND_TRIP_BUDGETS[e.endpoint]!;
          const pass = e.roundTrips <= limit;
          budget(`${e.endpoint} round trips`, String(e.roundTrips), `<= ${limit}`, pass);
          return [e.endpoint, String(e.calls), ms(e.medianMs), ms(e.p99Ms), e.requestsPerSecond.toFixed(0), e.dynamoCalls.join(', ') || 'none', String(e.roundTrips), `${mark(pass)} (<= ${limit})`];
        }),
      ),
    );
    const ownPass = obtain.handlerOwnMs < 5;
    budget("obtain's own work beyond hash and DynamoDB", ms(obtain.handlerOwnMs), '< 5 ms', ownPass);
    markdown.push('\n#### Where a login spends its time (medians)');
    markdown.push(
      markdownTable(
        ['obtain in total', 'scrypt hash', 'waiting for DynamoDB', "the handler's own work (measured against a cheap stored hash)", 'budget'],
        [[ms(obtain.totalMs), ms(obtain.hashMs), ms(obtain.dynamoWaitMs), ms(obtain.handlerOwnMs), `${mark(ownPass)} (< 5 ms)`]],
      ),
    );
  }

  let bundles: Record<FunctionName, string> | undefined;
  if (chosen.has('bundles') || chosen.has('coldstart')) bundles = buildDeployedBundles(join(workDir, 'cdk.out'));

  if (chosen.has('bundles') && !chosen.has('coldstart')) {
    const sizes = Object.fromEntries(ROUTES.map((route) => [route.name, bundleSize(bundles![route.name])]));
    results.bundles = sizes;
    const verifyPass = sizes.verify!.bytes < 30_000;
    budget('verify bundle', kib(sizes.verify!.bytes), '< 30 KB', verifyPass);
    markdown.push('#### Bundles as deployed');
    markdown.push(markdownTable(['function', 'bundle (minified ESM)', 'gzip -9'], ROUTES.map((r) => [r.name, kib(sizes[r.name]!.bytes), kib(sizes[r.name]!.gzipBytes)])));
  }

  if (chosen.has('coldstart')) {
    const { issueTokenPair } = await import('../../shared/sessions/session-tokens');
    const { newSessionClaims } = await import('../../shared/sessions/session-tokens');
    const { createUser, tokenClaimsFor } = await import('../../shared/users/users');
    const { hashPassword } = await import('../../shared/users/passwords');
    const password = 'bench-password-1';
    const user = await createUser({ username: `cold-${Date.now()}`, email: '', firstName: '', lastName: '', isActive: true, isStaff: false, isSuperuser: false, passwordHash: await hashPassword(password) });
    const pair = () => issueTokenPair({ ...tokenClaimsFor(user), ...newSessionClaims(0) });
    const { access } = await pair();
    const json = (path: string, body: object) => httpApiEvent({ method: 'POST', url: path, headers: [['content-type', 'application/json']], body: JSON.stringify(body) });
    const times = <T>(n: number, make: () => Promise<T>) => Promise.all(Array.from({ length: n }, make));
    const events: Partial<Record<FunctionName, () => Promise<unknown[]>>> = {
      verify: () => times(51, async () => json('/api/token/verify/', { token: access })),
      profile: () => times(51, async () => httpApiEvent({ method: 'GET', url: '/account/profile', headers: [['authorization', `Bearer ${access}`]] })),
      refresh: () => times(21, async () => json('/api/token/refresh/', { refresh: (await pair()).refresh })),
      logout: () => times(21, async () => json('/account/logout/', { refresh: (await pair()).refresh })),
      obtain: () => times(3, async () => json('/api/token/', { username: user.username, password })),
    };
    const cases = [
      { name: 'bare', bundle: writeEmptyHandler(workDir), makeEvents: async () => [json('/', {})] },
      { name: 'client', bundle: await buildClientOnlyBundle(workDir), makeEvents: async () => [] },
      ...ROUTES.filter((route) => events[route.name]).map((route) => ({ name: route.name, bundle: bundles![route.name], makeEvents: events[route.name]! })),
    ];
    const measured = await measureColdStarts(workDir, database.env, cases, COLD_RUNS);
    const bare = measured.get('bare')!;
    const clientOnly = measured.get('client')!;
    const rows: string[][] = [
      ['bare process (an empty handler)', '', '', ms(bare.importMs), ms(bare.firstInvocationMs), ms(bare.readyMs), `${bare.peakRssMb.toFixed(0)} MB`, ''],
      ['DynamoDB client only', '', '', ms(clientOnly.importMs), '', ms(clientOnly.readyMs), `${clientOnly.peakRssMb.toFixed(0)} MB`, ''],
    ];
    const cold: Record<string, ColdStart & { bytes: number; gzipBytes: number }> = {};
    for (const route of ROUTES) {
      const size = bundleSize(bundles![route.name]);
      const makeEvents = events[route.name];
      if (!makeEvents) {
        rows.push([route.name, kib(size.bytes), kib(size.gzipBytes), '', '', '', '', '']);
        continue;
      }
      const result = measured.get(route.name)!;
      cold[route.name] = { ...result, ...size };
      let verdict: string;
      if (route.name === 'verify') {
        const sizePass = size.bytes < 30_000;
        const initPass = result.readyMs - bare.readyMs < 10;
        budget('verify bundle', kib(size.bytes), '< 30 KB', sizePass);
        budget('verify init beyond a bare process', ms(result.readyMs - bare.readyMs), '< 10 ms', initPass);
        verdict = `${mark(sizePass && initPass)} (< 30 KB; ready < 10 ms after bare)`;
      } else {
        const extra = (result.importMs - clientOnly.importMs) / clientOnly.importMs;
        const pass = extra < 0.1;
        budget(`${route.name} import beyond the DynamoDB client`, `${(extra * 100).toFixed(1)}%`, '< 10%', pass);
        verdict = `${mark(pass)} (import ${extra >= 0 ? '+' : ''}${(extra * 100).toFixed(1)}% over the client; < 10%)`;
      }
      rows.push([route.name, kib(size.bytes), kib(size.gzipBytes), ms(result.importMs), ms(result.firstInvocationMs), ms(result.readyMs), `${result.peakRssMb.toFixed(0)} MB`, verdict]);
    }
    results.coldStart = { bare, clientOnly, functions: cold };
    markdown.push(`\n#### Bundles as deployed, and cold start (fresh process, median of ${COLD_RUNS})`);
    markdown.push(markdownTable(['function', 'bundle (minified ESM)', 'gzip -9', 'import', 'first invocation', 'ready after process start', 'peak RSS', 'budget'], rows));
  }

  if (chosen.has('http')) {
    const { issueTokenPair } = await import('../../shared/sessions/session-tokens');
    const { createUser, tokenClaimsFor } = await import('../../shared/users/users');
    const { newSessionClaims } = await import('../../shared/sessions/session-tokens');
    const user = await createUser({ username: `http-${Date.now()}`, email: 'h@example.com', firstName: '', lastName: '', isActive: true, isStaff: false, isSuperuser: false, passwordHash: 'none' });
    const { access } = await issueTokenPair({ ...tokenClaimsFor(user), ...newSessionClaims(0) });
    const throughput = await measureThroughput(access);
    results.http = throughput;
    markdown.push('\n#### HTTP throughput of the local runner (autocannon)');
    markdown.push(
      markdownTable(
        ['endpoint', 'connections', 'duration', 'req/s', 'p50', 'p99', 'non-2xx'],
        throughput.map((t) => [t.endpoint, String(t.connections), `${t.seconds} s`, t.requestsPerSecond.toFixed(0), `${t.p50Ms} ms`, `${t.p99Ms} ms`, String(t.non2xx)]),
      ),
    );
  }

  if (chosen.has('login')) {
    const timing = await measureLoginTiming(LOGIN_ROUNDS);
    results.login = timing;
    const medians = timing.map((t) => t.medianMs);
    const spread = Math.max(...medians) - Math.min(...medians);
    // Indistinguishable: no pair of cases differs significantly (Mann-Whitney U, two-sided, p < 0.01).
    const pairs = timing.flatMap((a, i) => timing.slice(i + 1).map((b) => ({ pair: `${a.case} / ${b.case}`, p: mannWhitneyP(a.samples, b.samples) })));
    const smallest = Math.min(...pairs.map((pair) => pair.p));
    const pass = smallest >= 0.01;
    budget('failed logins told apart by timing (smallest p)', smallest.toFixed(3), '>= 0.01', pass);
    markdown.push(`\n#### Failed logins (${LOGIN_ROUNDS} interleaved rounds)`);
    markdown.push(markdownTable(['login that fails with 401', 'median', 'p10', 'p90'], timing.map((t) => [t.case, ms(t.medianMs), ms(t.p10Ms), ms(t.p90Ms)])));
    markdown.push(
      `\nThe medians are ${ms(spread)} apart; the smallest Mann-Whitney p-value between two cases is ${smallest.toFixed(3)}: ${mark(pass)} (the cases cannot be told apart when p >= 0.01).`,
    );
  }
} finally {
  await database.running.stop();
  rmSync(workDir, { recursive: true, force: true });
}

const failed = budgets.filter((b) => !b.pass);
markdown.push(`\nBudgets: ${budgets.length - failed.length} passed, ${failed.length} failed. Measured by \`npm run bench\` on ${machineLine()}.`);
const text = markdown.join('\n');
console.log(`\n${text}`);
results.budgets = budgets;
writeFileSync(join(PROJECT_ROOT, 'infra/bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
if (args.includes('--write') && chosen.size === SECTIONS.length) {
  replaceReadmeSection('performance', text);
  console.log('\nREADME.md updated.');
}
process.exit(failed.length === 0 ? 0 : 1);
