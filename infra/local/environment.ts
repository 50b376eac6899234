/**
 * What `npm start` and `npm run manage` need before a handler or store runs: a data folder, a signing
 * key, a DynamoDB with the tables, and the environment variables the shared code reads.
 *
 * Both commands share one DynamoDB Local per data folder: whichever starts first records its endpoint
 * in <data>/dynamodb-local.json and the other uses it, so `manage` works on the same data whether or
 * not `npm start` is running.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { loadSettings } from '../../shared/settings';
import { keyFromEnvironment } from '../../shared/signing-key';
import { ensureTables, LocalSetupError, localClient, startDynamoDbLocal } from './dynamodb-local';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface LocalEnvironment {
  readonly dataDir: string;
  readonly dynamodbEndpoint: string;
  /** Where the endpoint came from, for the start-up message. */
  readonly dynamodbSource: 'DYNAMODB_ENDPOINT' | 'started' | 'shared';
  /** Stops the DynamoDB Local this process started, if any. */
  close(): Promise<void>;
}

export async function prepareLocalEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<LocalEnvironment> {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dataDir = resolve(env.DATA_DIR || join(PROJECT_ROOT, '.data'));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  env.SIGNING_KEY ||= localSigningKey(dataDir);
  keyFromEnvironment(env); // a short SIGNING_KEY fails here, with its one-line reason
  const settings = loadSettings(env);

  let database: { endpoint: string; source: LocalEnvironment['dynamodbSource']; close(): Promise<void> };
  if (settings.dynamodbEndpoint) {
    await assertReachable(settings.dynamodbEndpoint);
    database = { endpoint: settings.dynamodbEndpoint, source: 'DYNAMODB_ENDPOINT', close: async () => {} };
  } else {
    database = await sharedDynamoDbLocal(dataDir);
  }
  env.DYNAMODB_ENDPOINT = database.endpoint;
  env.AWS_REGION ??= 'us-east-1';
  await ensureTables(database.endpoint, settings);
  return { dataDir, dynamodbEndpoint: database.endpoint, dynamodbSource: database.source, close: database.close };
}

/** A random key made once and kept in the data folder (owner-only), never a built-in default. */
function localSigningKey(dataDir: string): string {
  const file = join(dataDir, 'signing-key');
  if (!existsSync(file)) {
    try {
      writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return readFileSync(file, 'utf8').trim();
}

async function assertReachable(endpoint: string): Promise<void> {
  const client = localClient(endpoint);
  try {
    await client.send(new ListTablesCommand({ Limit: 1 }));
  } catch (error) {
    throw new LocalSetupError(`DynamoDB at ${endpoint} did not answer (${(error as Error).name}).`);
  } finally {
    client.destroy();
  }
}

interface RuntimeRecord {
  readonly endpoint: string;
  readonly pid: number;
}

async function sharedDynamoDbLocal(dataDir: string) {
  const recordFile = join(dataDir, 'dynamodb-local.json');
  const existing = readRecord(recordFile);
  if (existing && isAlive(existing.pid)) {
    try {
      await assertReachable(existing.endpoint);
      return { endpoint: existing.endpoint, source: 'shared' as const, close: async () => {} };
    } catch {
      // a stale record: its process is gone or is something else now
    }
  }
  const dbPath = join(dataDir, 'dynamodb');
  mkdirSync(dbPath, { recursive: true });
  const running = await startDynamoDbLocal({ dbPath });
  writeFileSync(recordFile, JSON.stringify({ endpoint: running.endpoint, pid: running.pid } satisfies RuntimeRecord));
  return {
    endpoint: running.endpoint,
    source: 'started' as const,
    async close() {
      if (readRecord(recordFile)?.pid === running.pid) rmSync(recordFile, { force: true });
      await running.stop();
    },
  };
}

function readRecord(file: string): RuntimeRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as Partial<RuntimeRecord>;
    return typeof record.endpoint === 'string' && typeof record.pid === 'number' ? (record as RuntimeRecord) : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
