/** Starts one in-memory DynamoDB Local for the whole run and creates the tables every test uses. */
import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { TEST_TABLES } from './tables';
import { ensureTables, startDynamoDbLocal, type RunningDynamoDb } from '../../infra/local/dynamodb-local';

let dynamoDb: RunningDynamoDb | undefined;

export async function setup(project: TestProject): Promise<void> {
  dynamoDb = await startDynamoDbLocal();
  await ensureTables(dynamoDb.endpoint, TEST_TABLES);
  project.provide('dynamodbEndpoint', dynamoDb.endpoint);
  project.provide('signingKey', randomBytes(48).toString('base64url'));
  project.provide('secretKey', randomBytes(48).toString('base64url'));
}

export async function teardown(): Promise<void> {
  await dynamoDb?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
    signingKey: string;
    secretKey: string;
  }
}
