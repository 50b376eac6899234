/**
 * `npm run bench`: the service's numbers in one command, separate from the tests (no timing assertion
 * lives in npm test). Prints Markdown, writes infra/bench/results.json, and with `--write` replaces the
 * README's Performance section. Sections can be picked: `npm run bench -- bundles login`.
 *
 * Every timing budget is a ratio to a baseline measured in the same run, so that it holds or fails for the
 * code, not for the machine: a bare process (an empty handler), the DynamoDB client alone, and a raw
 * BatchGetItem through the service's own client. Counts (DynamoDB round trips, SDK modules loaded) are
 * budgeted as counts. Absolute figures stay in the tables, for reading. Exits non-zero when a budget fails.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../local/environment';
import { ROUTES } from '../routes';
import { buildDeployedBundles, bundleSize, type FunctionName } from './bundles';
import { buildClientOnlyBundle, measureColdStarts, measureSdkLoading, writeEmptyHandler, type ColdStart, type ColdStartCase } from './coldstart';
import { bearerGet, bearerReadKeys, BENCH_PASSWORD, benchUser, endSessionEvent, inBatches, newSession, postJson, warmUpDynamoDb } from './fixtures';
import { measureThroughput } from './http';
import { costSection, PRICES } from './cost';
import { measureLatency } from './latency';
import { measureLoginTiming } from './login';
import { measureMailTiming } from './mail';
import { MAIL_REQUEST_FLOOR_MS } from '../../shared/accounts/account-mails';
import { kib, machineLine, markdownTable, ms, pairwiseP, replaceReadmeSection, startBenchDatabase, type CaseTiming } from './support';

const SECTIONS = ['latency', 'bundles', 'coldstart', 'http', 'login', 'mail'] as const;
type Section = (typeof SECTIONS)[number];
const args = process.argv.slice(2);
const chosen = new Set<Section>(args.filter((arg): arg is Section => (SECTIONS as readonly string[]).includes(arg)));
if (chosen.size === 0) for (const section of SECTIONS) chosen.add(section);
const COLD_RUNS = 15;
const LOGIN_ROUNDS = 30;
const MAIL_ROUNDS = 20;

/** DynamoDB round trips per request, by design (counts, the same on any machine). */
const ROUND_TRIP_BUDGETS: Record<string, number> = {
  'verify (access token)': 0,
  'verify (refresh token)': 1,
  profile: 1,
  refresh: 2,
  logout: 1,
  sessions: 2,
  'end-session': 2,
  obtain: 3,
  'obtain (wrong password)': 2,
  'me (GET)': 1,
  // The bearer check, then the conditional write.
  'me (PATCH names)': 2,
  // Read the user, count the token against the user and the address (in parallel), forget it again once
  // right, the conditional write, and the login throttle's count cleared.
  activation: 5,
  reset_password_confirm: 5,
  // The bearer check, the current password counted as a login attempt and released, the write, the clear.
  set_password: 5,
  // The bearer check, the password counted and released, the user's sessions listed, then deleted with them.
  'me (DELETE)': 5,
  // The username looked up (its item, then the user it names, as a login does), then the user and its
  // username written in one transaction (the mail is a file here, an SES call on Lambda).
  'users (sign-up, mailed)': 3,
  // The request counted per email and per address (in parallel), beside the email index's Query.
  'reset_password (mailed)': 2,
  'reset_password (unknown email)': 2,
  'resend_activation (mailed)': 2,
};
/** In-process median latency over a raw BatchGetItem's, measured interleaved with it. */
const LATENCY_RATIO_BUDGETS: Record<string, number> = {
  'verify (refresh token)': 1.5,
  profile: 1.5,
  sessions: 3,
  'end-session': 3,
  'me (GET)': 1.5,
  'me (PATCH names)': 3,
  activation: 9,
};
/**
 * Endpoints that hash a password: median latency over one hash's median, at most the hashes they run plus
 * this (their DynamoDB calls and own work are a few milliseconds beside a hash of several hundred).
 */
const HASHING_OWN_WORK = 0.25;
/** obtain's own work (beyond the hash and the DynamoDB round trips) over the password hash it must pay anyway. */
const OBTAIN_OWN_TO_HASH = 0.02;
/** verify with an access token, cold: ready after process start over a bare process's. */
const VERIFY_ACCESS_COLD_TO_BARE = 1.5;
/** DynamoDB functions, cold: ready after process start over the client's import plus one raw BatchGetItem. */
const COLD_TO_CLIENT_BATCH_GET: Partial<Record<string, number>> = { 'verify (refresh token)': 1.3, profile: 1.3 };
/**
 * SDK functions' import over the DynamoDB client's alone (its modules, no client built: the functions build
 * theirs on first use): the service's own code and jose add a few percent, another SDK client far more.
 */
const IMPORT_TO_CLIENT = 1.2;
/** A request for a mail answers after the floor; its slowest case's median over the floor (the work must fit under it). */
const MAIL_WORK_TO_FLOOR = 1.05;
/** Local runner throughput (warm, same concurrency) over its floor. */
const THROUGHPUT_TO_FLOOR: Partial<Record<string, number>> = { profile: 0.8, 'verify (access token)': 0.4 };

interface Budget {
  readonly name: string;
  readonly measured: string;
  readonly limit: string;
  readonly pass: boolean;
}
const budgets: Budget[] = [];
const budget = (name: string, measured: string, limit: string, pass: boolean) => {
  budgets.push({ name, measured, limit, pass });
  return pass;
};
const mark = (pass: boolean) => (pass ? 'pass' : '**FAIL**');
const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(value < 0.1 ? 4 : 2)}×` : '');
/** A ratio budget `measured <= limit` (or `>=`): recorded, and its table cell. */
const ratioBudget = (name: string, measured: number, op: '<=' | '>=', limit: number) => {
  const pass = op === '<=' ? measured <= limit : measured >= limit;
  budget(name, ratio(measured), `${op} ${ratio(limit)}`, pass);
  return `${mark(pass)} (${op} ${ratio(limit)})`;
};

/**
 * Cases told apart by timing: some pair of them differs significantly (Mann-Whitney U, two-sided, p < 0.01).
 * Records the budget and says it in a sentence.
 */
function indistinguishable(what: string, timing: readonly CaseTiming[]): string {
  const medians = timing.map((t) => t.medianMs);
  const smallest = Math.min(...pairwiseP(timing).map((pair) => pair.p));
  const pass = budget(`${what} told apart by timing (smallest Mann-Whitney p)`, smallest.toFixed(3), '>= 0.01', smallest >= 0.01);
  return `The medians are ${ms(Math.max(...medians) - Math.min(...medians))} apart; the smallest Mann-Whitney p-value between two cases is ${smallest.toFixed(3)}: ${mark(pass)} (the cases cannot be told apart when p >= 0.01).`;
}

const markdown: string[] = [];
const results: Record<string, unknown> = { machine: machineLine() };
const database = await startBenchDatabase();
const workDir = mkdtempSync(join(tmpdir(), 'bench-'));

try {
  if (chosen.has('latency') || chosen.has('http')) await warmUpDynamoDb();

  if (chosen.has('latency')) {
    const { baseline, endpoints, obtain } = await measureLatency();
    results.latency = { baseline, endpoints };
    results.obtain = obtain;
    markdown.push('#### Latency per endpoint (in-process, DynamoDB Local, after warm-up)');
    markdown.push(
      'Each endpoint\'s requests alternate with the baseline, a raw BatchGetItem of the two items profile reads through the same client; "× raw" is the median over the baseline\'s median of those same moments.\n',
    );
    const rows: string[][] = [
      [
        'raw BatchGetItem (baseline)',
        String(baseline.calls),
        ms(baseline.medianMs),
        ms(baseline.p99Ms),
        baseline.requestsPerSecond.toFixed(0),
        '1.00×',
        baseline.dynamoCalls.join(', '),
        String(baseline.roundTrips),
        '',
      ],
    ];
    for (const e of endpoints) {
      const verdicts: string[] = [];
      const limit = ROUND_TRIP_BUDGETS[e.endpoint];
      if (limit !== undefined) {
        const pass = budget(`${e.endpoint}: DynamoDB round trips`, String(e.roundTrips), `<= ${limit}`, e.roundTrips <= limit);
        verdicts.push(`${mark(pass)} (round trips <= ${limit})`);
      }
      const latencyLimit = LATENCY_RATIO_BUDGETS[e.endpoint];
      if (latencyLimit !== undefined) verdicts.push(`${ratioBudget(`${e.endpoint}: median latency / raw BatchGetItem`, e.ratioToBaseline, '<=', latencyLimit).replace('(', '(× raw ')}`);
      if (e.hashes > 0 && Number.isFinite(e.medianMs)) {
        const limit = e.hashes + HASHING_OWN_WORK;
        verdicts.push(ratioBudget(`${e.endpoint}: median latency / one password hash (it runs ${e.hashes})`, e.medianMs / obtain.hashMs, '<=', limit).replace('(', '(× hash '));
      }
      const timed = Number.isFinite(e.medianMs);
      rows.push([
        e.endpoint,
        timed ? String(e.calls) : '(counted once)',
        timed ? ms(e.medianMs) : '',
        timed ? ms(e.p99Ms) : '',
        timed ? e.requestsPerSecond.toFixed(0) : '',
        ratio(e.ratioToBaseline),
        e.dynamoCalls.join(', ') || 'none',
        String(e.roundTrips),
        verdicts.join('; '),
      ]);
    }
    markdown.push(markdownTable(['endpoint', 'requests', 'median', 'p99', 'req/s (one at a time)', '× raw', 'DynamoDB calls', 'round trips', 'budget'], rows));
    const ownVerdict = ratioBudget("obtain: the handler's own work / the password hash", obtain.ownToHash, '<=', OBTAIN_OWN_TO_HASH);
    markdown.push('\n#### Where a login spends its time (medians)');
    markdown.push(
      markdownTable(
        ['obtain in total', 'scrypt hash', 'waiting for DynamoDB (3 round trips)', "the handler's own work", 'own work / hash', 'own work / raw BatchGetItem', 'budget'],
        [[ms(obtain.totalMs), ms(obtain.hashMs), ms(obtain.dynamoWaitMs), ms(obtain.handlerOwnMs), ratio(obtain.ownToHash), ratio(obtain.ownToBaseline), ownVerdict]],
      ),
    );
    markdown.push(
      `\nThe handler's own work is measured in parts, each less its DynamoDB round trips: a failed login against a cheap stored hash (${ms(obtain.ownOfFailedLoginMs)}), the session started beside the throttle count's release that only a successful login does (${ms(obtain.ownOfSessionStartMs)}), and signing the token pair (${ms(obtain.signingMs)}).`,
    );
    const cost = costSection(endpoints);
    results.cost = { perMillion: cost.costs, perUserMonth: cost.perUserMonth, prices: PRICES };
    markdown.push(`\n${cost.markdown}`);
  }

  let bundles: Record<FunctionName, string> | undefined;
  if (chosen.has('bundles') || chosen.has('coldstart')) bundles = buildDeployedBundles(join(workDir, 'cdk.out'));

  if (chosen.has('bundles') && !chosen.has('coldstart')) {
    const sizes = Object.fromEntries(ROUTES.map((route) => [route.name, bundleSize(bundles![route.name])]));
    results.bundles = sizes;
    markdown.push('#### Bundles as deployed');
    markdown.push(markdownTable(['function', 'bundle (minified ESM)', 'gzip -9'], ROUTES.map((r) => [r.name, kib(sizes[r.name]!.bytes), kib(sizes[r.name]!.gzipBytes)])));
  }

  if (chosen.has('coldstart')) {
    const user = await benchUser('cold');
    const { access, refresh, sid } = await newSession(user);
    const listUser = await benchUser('cold-list', { passwordHash: 'none' });
    const listAccess = (await inBatches(5, () => newSession(listUser))).at(-1)!.access;
    const endUser = await benchUser('cold-end', { passwordHash: 'none' });
    const endAccess = (await newSession(endUser)).access;
    const times = <T>(n: number, make: () => Promise<T>) => inBatches(n, make);
    /** Per case: the bundle's function, and the events each fresh process serves (made anew: tokens get used up). */
    const functionCases: { name: string; fn: FunctionName; makeEvents: () => Promise<unknown[]> }[] = [
      { name: 'verify (access token)', fn: 'verify', makeEvents: () => times(51, async () => postJson('/api/token/verify/', { token: access })) },
      { name: 'verify (refresh token)', fn: 'verify', makeEvents: () => times(21, async () => postJson('/api/token/verify/', { token: refresh })) },
      { name: 'profile', fn: 'profile', makeEvents: () => times(51, async () => bearerGet('/account/profile', access)) },
      { name: 'refresh', fn: 'refresh', makeEvents: () => times(21, async () => postJson('/api/token/refresh/', { refresh: (await newSession(user)).refresh })) },
      { name: 'logout', fn: 'logout', makeEvents: () => times(21, async () => postJson('/account/logout/', { refresh: (await newSession(user)).refresh })) },
      { name: 'obtain', fn: 'obtain', makeEvents: () => times(2, async () => postJson('/api/token/', { username: user.username, password: BENCH_PASSWORD })) },
      { name: 'sessions', fn: 'sessions', makeEvents: () => times(51, async () => bearerGet('/account/sessions', listAccess)) },
      { name: 'end-session', fn: 'end-session', makeEvents: () => times(21, async () => endSessionEvent((await newSession(endUser)).sid, endAccess)) },
      // Imported only: what their bundles cost to load.
      { name: 'password', fn: 'password', makeEvents: async () => [] },
      { name: 'logout-all', fn: 'logout-all', makeEvents: async () => [] },
    ];
    const clientBundle = await buildClientOnlyBundle(workDir);
    const BARE = 'bare process (an empty handler)';
    const CLIENT = 'DynamoDB client only (import)';
    const CLIENT_BATCH_GET = 'DynamoDB client + one raw BatchGetItem';
    const cases: ColdStartCase[] = [
      { name: BARE, bundle: writeEmptyHandler(workDir), makeEvents: async () => [postJson('/', {})] },
      { name: CLIENT, bundle: clientBundle, makeEvents: async () => [] },
      { name: CLIENT_BATCH_GET, bundle: clientBundle, makeEvents: async () => Array.from({ length: 51 }, () => ({ requestItems: bearerReadKeys(user.id, sid) })) },
      ...functionCases.map((c) => ({ name: c.name, bundle: bundles![c.fn], makeEvents: c.makeEvents })),
    ];
    const measured = await measureColdStarts(workDir, database.env, cases, COLD_RUNS);
    const sdk = await measureSdkLoading(workDir, database.env, postJson('/api/token/verify/', { token: access }), postJson('/api/token/verify/', { token: refresh }));
    const bare = measured.get(BARE)!;
    const clientOnly = measured.get(CLIENT)!;
    const clientBatchGet = measured.get(CLIENT_BATCH_GET)!;
    const rss = (result: ColdStart) => `${result.peakRssMb.toFixed(0)} MB`;
    const rows: string[][] = [
      [BARE, '', '', ms(bare.importMs), ms(bare.firstInvocationMs), ms(bare.readyMs), '1.00× bare', rss(bare), ''],
      [CLIENT, kib(bundleSize(clientBundle).bytes), kib(bundleSize(clientBundle).gzipBytes), ms(clientOnly.importMs), '', ms(clientOnly.readyMs), ratio(clientOnly.readyMs / bare.readyMs) + ' bare', rss(clientOnly), ''],
      [CLIENT_BATCH_GET, '', '', ms(clientBatchGet.importMs), ms(clientBatchGet.firstInvocationMs), ms(clientBatchGet.readyMs), ratio(clientBatchGet.readyMs / bare.readyMs) + ' bare', rss(clientBatchGet), ''],
    ];
    const cold: Record<string, ColdStart & { bytes: number; gzipBytes: number; readyRatio: number; readyBaseline: string; importToClient?: number }> = {};
    for (const route of ROUTES) {
      const size = bundleSize(bundles![route.name]);
      const routeCases = functionCases.filter((c) => c.fn === route.name);
      if (routeCases.length === 0) rows.push([route.name, kib(size.bytes), kib(size.gzipBytes), '', '', '', '', '', '']);
      for (const c of routeCases) {
        const result = measured.get(c.name)!;
        const invoked = result.firstInvocationMs > 0;
        const verdicts: string[] = [];
        let readyCell = '';
        let readyRatio = NaN;
        let readyBaseline = '';
        let importToClient: number | undefined;
        if (c.name === 'verify (access token)') {
          readyRatio = result.readyMs / bare.readyMs;
          readyBaseline = 'bare';
          readyCell = `${ratio(readyRatio)} bare`;
          verdicts.push(ratioBudget('verify (access token), cold: ready / bare process ready', readyRatio, '<=', VERIFY_ACCESS_COLD_TO_BARE).replace('(', '(ready '));
          const sdkPass = budget('verify (access token): AWS SDK modules loaded (from source)', String(sdk.afterAccessToken), '= 0', sdk.afterAccessToken === 0);
          verdicts.push(`${mark(sdkPass)} (no SDK module loaded: ${sdk.afterAccessToken}; a refresh token loads ${sdk.afterRefreshToken})`);
        } else {
          importToClient = result.importMs / clientOnly.importMs;
          verdicts.push(ratioBudget(`${c.name}: import / DynamoDB client import`, importToClient, '<=', IMPORT_TO_CLIENT).replace('(', '(import '));
          if (invoked) {
            readyRatio = result.readyMs / clientBatchGet.readyMs;
            readyBaseline = 'client + BatchGetItem';
            readyCell = `${ratio(readyRatio)} client + BatchGetItem`;
            const limit = COLD_TO_CLIENT_BATCH_GET[c.name];
            if (limit !== undefined) verdicts.push(ratioBudget(`${c.name}, cold: ready / client + raw BatchGetItem ready`, readyRatio, '<=', limit).replace('(', '(ready '));
          }
        }
        cold[c.name] = { ...result, ...size, readyRatio, readyBaseline, ...(importToClient === undefined ? {} : { importToClient }) };
        rows.push([
          c.name === route.name ? route.name : c.name,
          kib(size.bytes),
          kib(size.gzipBytes),
          ms(result.importMs),
          invoked ? ms(result.firstInvocationMs) : '',
          invoked ? ms(result.readyMs) : '',
          readyCell,
          rss(result),
          verdicts.join('; '),
        ]);
      }
    }
    results.coldStart = { bare, clientOnly, clientBatchGet, functions: cold, verifySdkModules: sdk };
    markdown.push(`\n#### Bundles as deployed, and cold start (fresh process, median of ${COLD_RUNS})`);
    markdown.push(
      'Baselines: a bare process serving an empty handler; the DynamoDB document client bundled alone, imported; the same bundle also building the client and making one raw BatchGetItem (of the items profile reads). Import-only rows are imported without an invocation.\n',
    );
    markdown.push(markdownTable(['function', 'bundle (minified ESM)', 'gzip -9', 'import', 'first invocation', 'ready after process start', 'ready / baseline', 'peak RSS', 'budget'], rows));
  }

  if (chosen.has('http')) {
    const user = await benchUser('http', { passwordHash: 'none' });
    const { access, sid } = await newSession(user);
    const throughput = await measureThroughput({ access, userId: user.id, sid });
    results.http = throughput;
    const allAnswered = throughput.reduce((sum, t) => sum + t.non2xx, 0);
    budget('HTTP throughput: non-2xx answers, errors and timeouts', String(allAnswered), '= 0', allAnswered === 0);
    const first = throughput[0]!;
    markdown.push(`\n#### HTTP throughput of the local runner (autocannon, ${first.connections} connections)`);
    markdown.push(
      `Each case warmed up with ${first.warmUpRequests} requests, then measured in ${first.rounds} alternating rounds of ${first.secondsPerRound} s (medians); "/ floor" is req/s over the floor's in the same round.\n`,
    );
    markdown.push(
      markdownTable(
        ['endpoint', 'req/s', 'p50', 'p99', 'non-2xx', '/ floor', 'budget'],
        throughput.map((t) => {
          const limit = THROUGHPUT_TO_FLOOR[t.endpoint];
          const verdict = limit === undefined || t.ratioToFloor === undefined ? '' : ratioBudget(`${t.endpoint}: HTTP req/s / ${t.floor}`, t.ratioToFloor, '>=', limit);
          return [t.endpoint, t.requestsPerSecond.toFixed(0), `${t.p50Ms} ms`, `${t.p99Ms} ms`, String(t.non2xx), t.ratioToFloor === undefined ? '' : ratio(t.ratioToFloor), verdict];
        }),
      ),
    );
  }

  if (chosen.has('login')) {
    const timing = await measureLoginTiming(LOGIN_ROUNDS);
    results.login = timing;
    markdown.push(`\n#### Failed logins (${LOGIN_ROUNDS} interleaved rounds)`);
    markdown.push(markdownTable(['login that fails with 401', 'median', 'p10', 'p90'], timing.map((t) => [t.case, ms(t.medianMs), ms(t.p10Ms), ms(t.p90Ms)])));
    markdown.push(`\n${indistinguishable('failed logins', timing)}`);
  }

  if (chosen.has('mail')) {
    const endpoints = await measureMailTiming(MAIL_ROUNDS);
    results.mail = endpoints;
    markdown.push(`\n#### Asking for a mail (${MAIL_ROUNDS} interleaved rounds; every answer 204, after a floor of ${MAIL_REQUEST_FLOOR_MS} ms)`);
    markdown.push(
      markdownTable(
        ['endpoint', 'email', 'median', 'p10', 'p90', 'fastest'],
        endpoints.flatMap(({ endpoint, timing }) => timing.map((t) => [endpoint, t.case, ms(t.medianMs), ms(t.p10Ms), ms(t.p90Ms), ms(t.minMs)])),
      ),
    );
    for (const { endpoint, timing } of endpoints) {
      const fastest = Math.min(...timing.map((t) => t.minMs));
      const slowestMedian = Math.max(...timing.map((t) => t.medianMs));
      const floorHeld = budget(`${endpoint}: fastest answer (the floor)`, ms(fastest), `>= ${ms(MAIL_REQUEST_FLOOR_MS)}`, fastest >= MAIL_REQUEST_FLOOR_MS);
      const fits = budget(`${endpoint}: slowest median / the floor (the work fits under it)`, ratio(slowestMedian / MAIL_REQUEST_FLOOR_MS), `<= ${ratio(MAIL_WORK_TO_FLOOR)}`, slowestMedian / MAIL_REQUEST_FLOOR_MS <= MAIL_WORK_TO_FLOOR);
      markdown.push(
        `\n${endpoint}: the fastest answer took ${ms(fastest)} (${mark(floorHeld)}: never before the floor), the slowest median ${ms(slowestMedian)} (${mark(fits)}: within ${ratio(MAIL_WORK_TO_FLOOR)} of the floor). ${indistinguishable(endpoint, timing)}`,
      );
    }
  }
} finally {
  await database.running.stop();
  rmSync(workDir, { recursive: true, force: true });
  rmSync(database.env.MAIL_DIR!, { recursive: true, force: true });
}

const failed = budgets.filter((b) => !b.pass);
markdown.push('\n#### Budgets');
markdown.push(markdownTable(['budget', 'measured', 'limit', 'result'], budgets.map((b) => [b.name, b.measured, b.limit, mark(b.pass)])));
markdown.push(`\nBudgets: ${budgets.length - failed.length} passed, ${failed.length} failed. Measured by \`npm run bench\` on ${machineLine()}.`);
const text = markdown.join('\n');
console.log(`\n${text}`);
console.log('\nBudgets:');
for (const b of budgets) console.log(`${b.pass ? 'pass' : 'FAIL'}  ${b.name}: ${b.measured} (${b.limit})`);
results.budgets = budgets;
writeFileSync(join(PROJECT_ROOT, 'infra/bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
if (args.includes('--write') && chosen.size === SECTIONS.length) {
  replaceReadmeSection('performance', text);
  console.log('\nREADME.md updated.');
}
process.exit(failed.length === 0 ? 0 : 1);
