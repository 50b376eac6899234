/**
 * Cold init: a fresh Node process imports a deployed bundle and serves its first invocation, against the
 * same process importing nothing (the floor) and importing only the DynamoDB document client (what the SDK
 * itself costs). Median of several runs; peak RSS after serving more invocations.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { PROJECT_ROOT } from '../local/environment';
import { median } from './support';

export interface ColdStart {
  /** Milliseconds from process start until the first invocation has been answered. */
  readonly readyMs: number;
  readonly importMs: number;
  readonly firstInvocationMs: number;
  readonly peakRssMb: number;
}

const CHILD = `
const [bundle, eventsFile] = process.argv.slice(2);
let importMs = 0, firstInvocationMs = 0, readyMs = 0;
if (bundle) {
  const events = eventsFile ? JSON.parse((await import('node:fs')).readFileSync(eventsFile, 'utf8')) : [];
  const t0 = performance.now();
  const module = await import(bundle);
  importMs = performance.now() - t0;
  if (events.length > 0) {
    const t1 = performance.now();
    const first = await module.handler(events[0]);
    firstInvocationMs = performance.now() - t1;
    if (first.statusCode >= 300) throw new Error('first invocation answered ' + first.statusCode + ': ' + first.body);
    readyMs = performance.now();
    // More invocations only for the peak RSS below.
    for (const event of events.slice(1)) await module.handler(event);
  }
}
readyMs ||= performance.now();
console.log(JSON.stringify({ readyMs, importMs, firstInvocationMs, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
`;

function runChild(dir: string, env: Record<string, string>, args: string[]): Promise<ColdStart> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(dir, 'child.mjs'), ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`cold-start child failed: ${err}`))));
  });
}

/**
 * The DynamoDB document client alone, bundled the way the functions are, with a handler that makes one raw
 * BatchGetItem of the items its event names (`requestItems`). Imported without an invocation it is what
 * the SDK itself costs to load; invoked once, what the SDK costs to load, build a client (configured as
 * shared/store/dynamodb.ts configures it, lazily as it does) and make its first request.
 */
export async function buildClientOnlyBundle(dir: string): Promise<string> {
  const outfile = join(dir, 'dynamodb-client-only.mjs');
  await build({
    stdin: {
      contents: `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
let client;
export async function handler(event) {
  client ??= DynamoDBDocumentClient.from(
    new DynamoDBClient({
      maxAttempts: 3,
      requestHandler: { connectionTimeout: 1000, requestTimeout: 1500, throwOnRequestTimeout: true },
      endpoint: process.env.DYNAMODB_ENDPOINT,
      region: process.env.AWS_REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const { Responses = {} } = await client.send(new BatchGetCommand({ RequestItems: event.requestItems }));
  return { statusCode: 200, body: JSON.stringify({ items: Object.values(Responses).flat().length }) };
}`,
      resolveDir: PROJECT_ROOT,
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    mainFields: ['module', 'main'],
    banner: { js: "import{createRequire as __createRequire}from'node:module';const require=__createRequire(import.meta.url);" },
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

/**
 * The floor: a module whose handler does nothing, run through the same harness (reading the events,
 * the ESM loader's first dynamic import, one invocation), so a bundle's figures are its own cost.
 */
export function writeEmptyHandler(dir: string): string {
  const path = join(dir, 'empty-handler.mjs');
  writeFileSync(path, 'export const handler = async () => ({ statusCode: 200, body: "{}" });\n');
  return path;
}

export interface ColdStartCase {
  readonly name: string;
  readonly bundle: string;
  /** The events each fresh process serves, in order (made anew per process: tokens get used up). */
  readonly makeEvents: () => Promise<unknown[]>;
}

/**
 * Runs `runs` fresh processes per case, the cases interleaved in a new order each round so that drift in
 * the machine's load favours none, and returns each case's medians (peak RSS: the largest).
 */
export async function measureColdStarts(dir: string, env: Record<string, string>, cases: readonly ColdStartCase[], runs: number): Promise<Map<string, ColdStart>> {
  writeFileSync(join(dir, 'child.mjs'), CHILD);
  const samples = new Map<string, ColdStart[]>(cases.map((c) => [c.name, []]));
  for (let run = 0; run < runs; run++) {
    for (const coldCase of [...cases].sort(() => Math.random() - 0.5)) {
      const eventsFile = join(dir, 'events.json');
      writeFileSync(eventsFile, JSON.stringify(await coldCase.makeEvents()));
      samples.get(coldCase.name)!.push(await runChild(dir, env, [coldCase.bundle, eventsFile]));
    }
  }
  return new Map(
    [...samples].map(([name, results]) => [
      name,
      {
        readyMs: median(results.map((r) => r.readyMs)),
        importMs: median(results.map((r) => r.importMs)),
        firstInvocationMs: median(results.map((r) => r.firstInvocationMs)),
        peakRssMb: Math.max(...results.map((r) => r.peakRssMb)),
      },
    ]),
  );
}

/** How many modules of the AWS SDK a process running the TypeScript sources had loaded, at each point. */
export interface SdkLoading {
  readonly afterImport: number;
  readonly afterAccessToken: number;
  readonly afterRefreshToken: number;
}

const SDK_CHILD = `
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
const require = createRequire(import.meta.url);
// The SDK's packages have no "exports" map: Node loads their CommonJS "main", so each is in require.cache.
const sdkModules = () => Object.keys(require.cache).filter((path) => path.includes('/@aws-sdk/')).length;
const [verifyModule, eventsFile] = process.argv.slice(2);
const [accessEvent, refreshEvent] = JSON.parse(readFileSync(eventsFile, 'utf8'));
const { handler } = await import(verifyModule);
const afterImport = sdkModules();
const check = (result) => { if (result.statusCode !== 200) throw new Error('verify answered ' + result.statusCode + ': ' + result.body); };
check(await handler(accessEvent));
const afterAccessToken = sdkModules();
check(await handler(refreshEvent));
console.log(JSON.stringify({ afterImport, afterAccessToken, afterRefreshToken: sdkModules() }));
`;

/**
 * Whether verify loads the AWS SDK for an access token: a fresh process runs functions/verify.ts from
 * source (through tsx, as `npm start` does) and counts the SDK's modules after the import, after an
 * access token and after a refresh token (which must load it, or the count proves nothing).
 */
export async function measureSdkLoading(dir: string, env: Record<string, string>, accessEvent: unknown, refreshEvent: unknown): Promise<SdkLoading> {
  const script = join(dir, 'sdk-loading.mjs');
  const eventsFile = join(dir, 'sdk-loading-events.json');
  writeFileSync(script, SDK_CHILD);
  writeFileSync(eventsFile, JSON.stringify([accessEvent, refreshEvent]));
  const result = await new Promise<SdkLoading>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, pathToFileURL(join(PROJECT_ROOT, 'functions/verify.ts')).href, eventsFile], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`SDK-loading child failed: ${err}`))));
  });
  if (result.afterRefreshToken === 0) throw new Error('verify answered a refresh token without the AWS SDK in require.cache: the SDK check cannot see it');
  return result;
}
