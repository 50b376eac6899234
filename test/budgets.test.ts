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

  it('refresh: one round trip (the transaction, and the user read beside it for the fresh claims)', async () => {
    const { refresh: token } = await pair();
    const { result, calls, roundTrips } = await countDynamoCalls(() => invoke(refresh, { body: { refresh: token } }));
    expect(result.status).toBe(200);
    expect([...calls].sort()).toEqual(['GetItemCommand', 'TransactWriteItemsCommand']);
    expect(roundTrips).toBe(1);
    // A retry within the grace: the same one round trip, answered from the cancelled transaction.
    const retry = await countDynamoCalls(() => invoke(refresh, { body: { refresh: token } }));
    expect(retry.result.status).toBe(200);
    expect(retry.roundTrips).toBe(1);
  });

  it('verify: one read for a refresh token', async () => {
    const { refresh: token } = await pair();
    const { result, calls } = await countDynamoCalls(() => invoke(verify, { body: { token } }));
    expect(result.status).toBe(200);
    expect(calls).toEqual(['BatchGetItemCommand']);
  });

  it('obtain: two round trips to a refusal (the attempt counted beside the username read, then the user read), three to a login', async () => {
    // The attempt is counted before the hash (per username and per address), so parallel guesses cannot
    // outrun it; it travels with the first read.
    const counted = ['GetItemCommand', 'GetItemCommand', 'UpdateItemCommand', 'UpdateItemCommand'];
    for (const body of [{ username: 'nobody-here', password: 'x' }, { username: hana.user.username, password: 'wrong' }]) {
      const failed = await countDynamoCalls(() => invoke(obtain, { body }));
      expect(failed.result.status).toBe(401);
      expect([...failed.calls].sort()).toEqual(counted);
      expect(failed.roundTrips).toBe(2);
    }
    // A login then starts its session beside taking the attempt off the counts again and recording its time.
    const known = await countDynamoCalls(() => invoke(obtain, { body: { username: hana.user.username, password: hana.password } }));
    expect(known.result.status).toBe(200);
    expect([...known.calls].sort()).toEqual([...counted, 'PutItemCommand', 'UpdateItemCommand', 'UpdateItemCommand', 'UpdateItemCommand'].sort());
    expect(known.roundTrips).toBe(3);
  });
});

describe("verify's bundle", () => {
  it('loads no AWS SDK for an access token: the SDK is reached only through the dynamic import for refresh tokens', async () => {
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
    const { inputs } = result.metafile;
    // Everything the entry reaches through static imports runs at load time.
    const loaded = new Set<string>();
    const visit = (path: string) => {
      if (loaded.has(path)) return;
      loaded.add(path);
      for (const next of inputs[path]?.imports ?? []) if (next.kind !== 'dynamic-import' && !next.external) visit(next.path);
    };
    visit('functions/verify.ts');
    expect([...loaded].some((path) => path.includes('node_modules/jose/'))).toBe(true);
    expect([...loaded].filter((path) => /@aws-sdk|@smithy/.test(path))).toEqual([]);
    expect(Object.keys(inputs).some((path) => path.includes('@aws-sdk/lib-dynamodb'))).toBe(true);
  });
});
