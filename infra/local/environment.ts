/**
 * What `npm start` and `npm run manage` need before a handler or store runs: a data folder, a signing
 * key, a DynamoDB with the tables, and the environment variables the shared code reads. Both commands
 * share one DynamoDB Local per data folder (shared-dynamodb.ts), so `manage` works on the same data
 * whether or not `npm start` is running.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { loadSettings } from '../../shared/settings';
import { checkedSecretKey } from '../../shared/secrets/secret-key';
import { checkSigningKeys } from '../../shared/tokens/signing-keys';
import { ensureLocalKeySet, ensureLocalSecretKey } from './key-file';
import { ensureTables, LocalSetupError, localClient } from './dynamodb-local';
import { leaseDynamoDbLocal } from './shared-dynamodb';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface LocalEnvironment {
  readonly dataDir: string;
  readonly dynamodbEndpoint: string;
  /** Where the endpoint came from, for the start-up message. */
  readonly dynamodbSource: 'DYNAMODB_ENDPOINT' | 'local';
  /** Leaves the shared DynamoDB Local (stopping it if no other process uses it). Synchronous, idempotent. */
  close(): void;
  /** Whether the users table is empty (for the start-up hint to create a superuser). */
  hasNoUsers(): Promise<boolean>;
}

export async function prepareLocalEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<LocalEnvironment> {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dataDir = resolve(env.DATA_DIR || join(PROJECT_ROOT, '.data'));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const settings = loadSettings(env);
  if (!env.SIGNING_KEY && !env.SIGNING_KEYS) env.SIGNING_KEYS = JSON.stringify({ keys: await ensureLocalKeySet(dataDir, settings.algorithm) });
  // A short SIGNING_KEY or a broken SIGNING_KEYS stops here, with its one-line reason, not at the first request.
  await checkSigningKeys(env);
  // Mails go to files here, as Django's file backend (and a line on the console): open them to follow a link.
  env.MAIL_DIR ||= join(dataDir, 'mail');
  if (env.SECRET_KEY) checkedSecretKey('SECRET_KEY', env.SECRET_KEY);
  else env.SECRET_KEY = ensureLocalSecretKey(dataDir);

  let endpoint: string;
  let close = () => {};
  if (settings.dynamodbEndpoint) {
    await assertReachable(settings.dynamodbEndpoint);
    endpoint = settings.dynamodbEndpoint;
  } else {
    const lease = await leaseDynamoDbLocal(dataDir);
    ({ endpoint, release: close } = lease);
    // However this process ends (an error, process.exit, a signal turned into exit), it leaves.
    process.on('exit', close);
  }
  try {
    await ensureTables(endpoint, settings.tables);
  } catch (error) {
    close();
    throw error;
  }
  env.DYNAMODB_ENDPOINT = endpoint;
  env.AWS_REGION ??= 'us-east-1';
  const hasNoUsers = async () => {
    const client = localClient(endpoint);
    try {
      return (await client.send(new ScanCommand({ TableName: settings.tables.users, Limit: 1, Select: 'COUNT' }))).Count === 0;
    } catch {
      return false;
    } finally {
      client.destroy();
    }
  };
  return { dataDir, dynamodbEndpoint: endpoint, dynamodbSource: settings.dynamodbEndpoint ? 'DYNAMODB_ENDPOINT' : 'local', close, hasNoUsers };
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
