/**
 * `npm run bench:login`: are an unknown username, a wrong password and an inactive user told apart by
 * how long the answer takes? Interleaved logins against an in-memory DynamoDB Local, through the same
 * handler Lambda runs; prints the medians side by side as Markdown. (No timing claim lives in npm test.)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ensureTables, startDynamoDbLocal } from '../local/dynamodb-local';
import { httpApiEvent } from '../local/events';
import { TABLE_IDS, TABLES } from '../../shared/tables';

const ROUNDS = Number(process.env.ROUNDS ?? 40);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const dynamoDb = await startDynamoDbLocal();
try {
  const tables = Object.fromEntries(TABLE_IDS.map((id) => [id, `bench-${TABLES[id].defaultName}`])) as Record<(typeof TABLE_IDS)[number], string>;
  await ensureTables(dynamoDb.endpoint, tables);
  Object.assign(process.env, {
    DYNAMODB_ENDPOINT: dynamoDb.endpoint,
    SIGNING_KEY: randomBytes(48).toString('base64url'),
    // Failures are still counted (that write is part of what is timed), but nobody is locked out.
    LOGIN_FAILURE_LIMIT: '999999',
    ...Object.fromEntries(TABLE_IDS.map((id) => [TABLES[id].env, tables[id]])),
  });
  const { handler: obtain } = await import('../../functions/obtain');
  const { createUser } = await import('../../shared/users');
  const { hashPassword } = await import('../../shared/passwords');
  const password = 'bench-password-1';
  const make = async (isActive: boolean) =>
    (await createUser({ username: `bench-${randomUUID().slice(0, 8)}`, email: '', firstName: '', lastName: '', isActive, isStaff: false, isSuperuser: false, passwordHash: await hashPassword(password) })).username;
  const [active, inactive] = [await make(true), await make(false)];

  const cases = {
    'unknown username': () => ({ username: `nobody-${randomUUID().slice(0, 8)}`, password }),
    'wrong password': () => ({ username: active, password: 'not-the-password' }),
    'inactive user (right password)': () => ({ username: inactive, password }),
  };
  const timings = Object.fromEntries(Object.keys(cases).map((name) => [name, [] as number[]]));
  const login = async (body: object) => {
    const started = process.hrtime.bigint();
    const result = await obtain(httpApiEvent({ method: 'POST', url: '/api/token/', headers: [['content-type', 'application/json']], body: JSON.stringify(body) }));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.statusCode !== 401) throw new Error(`expected 401, got ${result.statusCode}`);
    return ms;
  };
  for (const make of Object.values(cases)) await login(make()); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    // A different order each round, so drift in machine load does not favour one case.
    const order = Object.entries(cases).sort(() => Math.random() - 0.5);
    for (const [name, make] of order) timings[name]!.push(await login(make()));
  }

  const quantile = (values: number[], q: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  };
  const rows = Object.entries(timings).map(([name, values]) => ({ name, median: quantile(values, 0.5), p10: quantile(values, 0.1), p90: quantile(values, 0.9) }));
  const medians = rows.map((row) => row.median);
  const spread = Math.max(...medians) - Math.min(...medians);
  console.log(`| login that fails with 401 | median | p10 | p90 |\n|---|---|---|---|`);
  for (const row of rows) console.log(`| ${row.name} | ${row.median.toFixed(1)} ms | ${row.p10.toFixed(1)} ms | ${row.p90.toFixed(1)} ms |`);
  console.log(
    `\nSpread of the medians: ${spread.toFixed(1)} ms (${((100 * spread) / Math.min(...medians)).toFixed(1)}% of the fastest), over ${ROUNDS} interleaved rounds; ` +
      `each case counts the attempt alongside the username read, reads the user and computes one scrypt hash.`,
  );
} finally {
  await dynamoDb.stop();
}
