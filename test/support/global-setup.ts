/** Starts one in-memory DynamoDB Local for the whole run and creates the tables every test uses. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { TEST_TABLES } from './tables';
import { ensureTables, startDynamoDbLocal, type RunningDynamoDb } from '../../infra/local/dynamodb-local';

let dynamoDb: RunningDynamoDb | undefined;
let mailDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  dynamoDb = await startDynamoDbLocal();
  await ensureTables(dynamoDb.endpoint, TEST_TABLES);
  project.provide('dynamodbEndpoint', dynamoDb.endpoint);
  project.provide('signingKey', randomBytes(48).toString('base64url'));
  project.provide('secretKey', randomBytes(48).toString('base64url'));
  mailDir = mkdtempSync(join(tmpdir(), 'test-mail-'));
  project.provide('mailDir', mailDir);
}

export async function teardown(): Promise<void> {
  await dynamoDb?.stop();
  if (mailDir) rmSync(mailDir, { recursive: true, force: true });
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    signingKey: string;
    secretKey: string;
    mailDir: string;
  }
}
