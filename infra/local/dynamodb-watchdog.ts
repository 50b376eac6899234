/**
 * Started beside a shared DynamoDB Local (shared-dynamodb.ts): stops it once no process that uses it is
 * alive, even when the last one was killed with -9 and could not leave. Exits when the database has stopped.
 * Usage: node --import tsx dynamodb-watchdog.ts <data dir> <DynamoDB Local pid>
 */
import { watchOver } from './shared-dynamodb';

watchOver(process.argv[2]!, Number(process.argv[3]));
