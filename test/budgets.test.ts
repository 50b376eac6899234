/** The DynamoDB round-trip budgets of DESIGN.md, counted on the wire against DynamoDB Local. */
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as logout } from '../functions/logout';
import { handler as obtain } from '../functions/obtain';
import { handler as profile } from '../functions/profile';
import { handler as refresh } from '../functions/refresh';
import { handler as verify } from '../functions/verify';
import { issueTokenPair } from '../shared/sessions/session-tokens';
import { tokenClaimsFor } from '../shared/users/users';
import { countDynamoCalls } from './support/dynamo-calls';
import { bearer, invoke } from './support/invoke';
import { createTestUser, type TestUser } from './support/users';

describe('DynamoDB round trips per request', () => {
  let hana: TestUser;
  beforeAll(async () => {
    hana = await createTestUser();
  });
  const pair = () => issueTokenPair(tokenClaimsFor(hana.user));

  it('verify: none', async () => {
    const { access } = await pair();
    const { result, calls } = await countDynamoCalls(() => invoke(verify, { body: { token: access } }));
    expect(result.status).toBe(200);
    expect(calls).toEqual([]);
  });

  it('profile: one', async () => {
    const { access } = await pair();
    const { result, calls } = await countDynamoCalls(() => invoke(profile, { method: 'GET', headers: bearer(access) }));
    expect(result.status).toBe(200);
    expect(calls).toEqual(['BatchGetItemCommand']);
  });

  it('logout: one', async () => {
    const { refresh: token } = await pair();
    const { result, calls } = await countDynamoCalls(() => invoke(logout, { body: { refresh: token } }));
    expect(result.status).toBe(200);
    expect(calls).toHaveLength(1);
  });

  it('refresh: at most two (one transaction here)', async () => {
    const { refresh: token } = await pair();
    const { result, calls } = await countDynamoCalls(() => invoke(refresh, { body: { refresh: token } }));
    expect(result.status).toBe(200);
    expect(calls.length).toBeLessThanOrEqual(2);
    expect(calls).toEqual(['TransactWriteItemsCommand']);
  });

  it('obtain: two round trips (counting the attempt alongside the username read, then the user read), success or not', async () => {
    // The throttle's count is written before the hash, so parallel guesses cannot outrun it; it travels
    // with the first read, so latency stays at two round trips for three calls.
    const expected = ['GetItemCommand', 'GetItemCommand', 'UpdateItemCommand'];
    const known = await countDynamoCalls(() => invoke(obtain, { body: { username: hana.user.username, password: hana.password } }));
    expect(known.result.status).toBe(200);
    expect([...known.calls].sort()).toEqual(expected);
    expect(known.roundTrips).toBe(2);
    for (const body of [{ username: 'nobody-here', password: 'x' }, { username: hana.user.username, password: 'wrong' }]) {
      const failed = await countDynamoCalls(() => invoke(obtain, { body }));
      expect(failed.result.status).toBe(401);
      expect([...failed.calls].sort()).toEqual(expected);
      expect(failed.roundTrips).toBe(2);
    }
  });
});

describe("verify's bundle", () => {
  it('carries no AWS SDK', async () => {
    const result = await build({
      entryPoints: ['functions/verify.ts'],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      minify: true,
      write: false,
      metafile: true,
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((path) => path.includes('node_modules/jose/'))).toBe(true);
    expect(inputs.filter((path) => /@aws-sdk|@smithy/.test(path))).toEqual([]);
    expect(result.outputFiles[0]!.contents.byteLength).toBeLessThan(100 * 1024);
  });
});
