/** What the benchmark sections share: a throwaway DynamoDB Local with the tables, statistics, Markdown. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { TABLE_IDS, TABLES, type TableId } from '../../shared/tables';
import { ensureTables, startDynamoDbLocal, type RunningDynamoDb } from '../local/dynamodb-local';
import { PROJECT_ROOT } from '../local/environment';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export interface BenchDatabase {
  readonly running: RunningDynamoDb;
  /** The environment a process needs to use it: endpoint, table names, a signing key. */
  readonly env: Record<string, string>;
}

/** An in-memory DynamoDB Local with every table, and this process's environment pointed at it. */
export async function startBenchDatabase(): Promise<BenchDatabase> {
  const running = await startDynamoDbLocal();
  const tables = Object.fromEntries(TABLE_IDS.map((id) => [id, `bench-${TABLES[id].defaultName}`])) as Record<TableId, string>;
  await ensureTables(running.endpoint, tables);
  const env: Record<string, string> = {
    DYNAMODB_ENDPOINT: running.endpoint,
    AWS_REGION: 'us-east-1',
    SIGNING_KEY: randomBytes(48).toString('base64url'),
    // Keys the throttle's and the rotation's hashes (shared/secrets/secret-key.ts): refresh and obtain need it.
    SECRET_KEY: randomBytes(48).toString('base64url'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // Attempts are still counted (that write is part of what is measured), but nobody is locked out, by
    // username nor by address (every benchmark login comes from 127.0.0.1).
    LOGIN_FAILURE_LIMIT: '999999',
    LOGIN_ADDRESS_FAILURE_LIMIT: '999999',
    // The same for requests for a mail; those mails are .eml files in a folder of their own, and the sign-up
    // the bench times is open to anyone.
    MAIL_REQUEST_LIMIT: '999999',
    MAIL_REQUEST_ADDRESS_LIMIT: '999999',
    MAIL_DIR: mkdtempSync(join(os.tmpdir(), 'bench-mail-')),
    REGISTRATION: 'open',
    ...Object.fromEntries(TABLE_IDS.map((id) => [TABLES[id].env, tables[id]])),
  };
  Object.assign(process.env, env);
  return { running, env };
}

export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

export const median = (values: readonly number[]) => quantile(values, 0.5);

/** How long one case took, round by round. */
export interface CaseTiming {
  readonly case: string;
  readonly medianMs: number;
  readonly p10Ms: number;
  readonly p90Ms: number;
  readonly minMs: number;
  readonly samples: number[];
}

/**
 * Each case once to warm up, then `rounds` rounds of every case, in a new random order each round so that
 * drift in machine load favours no case. A case answers how long its request took.
 */
export async function interleavedRounds(cases: Record<string, () => Promise<number>>, rounds: number): Promise<CaseTiming[]> {
  for (const run of Object.values(cases)) await run();
  const timings: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(cases).sort(() => Math.random() - 0.5)) timings[name]!.push(await run());
  }
  return Object.entries(timings).map(([name, values]) => ({
    case: name,
    medianMs: median(values),
    p10Ms: quantile(values, 0.1),
    p90Ms: quantile(values, 0.9),
    minMs: Math.min(...values),
    samples: values,
  }));
}

/** Every pair of cases, and the two-sided Mann-Whitney p-value of their timings. */
export function pairwiseP(timing: readonly CaseTiming[]): { pair: string; p: number }[] {
  return timing.flatMap((a, i) => timing.slice(i + 1).map((b) => ({ pair: `${a.case} / ${b.case}`, p: mannWhitneyP(a.samples, b.samples) })));
}

/**
 * Two-sided p-value of the Mann-Whitney U test (normal approximation): how likely samples this far apart
 * would be if both came from one distribution. Small means the two can be told apart.
 */
export function mannWhitneyP(a: readonly number[], b: readonly number[]): number {
  const all = [...a.map((value) => ({ value, fromA: true })), ...b.map((value) => ({ value, fromA: false }))].sort((x, y) => x.value - y.value);
  let rankSumA = 0;
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1]!.value === all[i]!.value) j++;
    const rank = (i + j) / 2 + 1; // ties share their average rank
    for (let k = i; k <= j; k++) if (all[k]!.fromA) rankSumA += rank;
    i = j + 1;
  }
  const [n1, n2] = [a.length, b.length];
  const u = rankSumA - (n1 * (n1 + 1)) / 2;
  const z = (u - (n1 * n2) / 2) / Math.sqrt((n1 * n2 * (n1 + n2 + 1)) / 12);
  return 2 * (1 - normalCdf(Math.abs(z)));
}

/** Abramowitz and Stegun 7.1.26; accurate to about 1e-7. */
function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * (z / Math.SQRT2));
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return 0.5 * (1 + (1 - poly * Math.exp(-(z * z) / 2)));
}

export const ms = (value: number) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
export const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

/** Replaces the text between `<!-- NAME:start -->` and `<!-- NAME:end -->` in README.md. */
export function replaceReadmeSection(name: string, text: string): void {
  const path = join(PROJECT_ROOT, 'README.md');
  const readme = readFileSync(path, 'utf8');
  const [start, end] = [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`];
  const from = readme.indexOf(start);
  const to = readme.indexOf(end);
  if (from === -1 || to === -1) throw new Error(`README.md has no ${start} ... ${end} section`);
  writeFileSync(path, `${readme.slice(0, from + start.length)}\n${text}\n${readme.slice(to)}`);
}

/** One line naming what the numbers were measured on. */
export function machineLine(): string {
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}
