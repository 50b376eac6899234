/**
 * A refresh whose transaction commits while the client has already given up: DynamoDB (its own DynamoDB
 * Local here, so no other test is paused) is stopped with SIGSTOP past the SDK's request timeouts, the
 * refresh answers 503, and when DynamoDB resumes the transaction it had received commits. The client's
 * retry must then get the same successor, and the session must live on.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ensureTables, startDynamoDbLocal, type RunningDynamoDb } from '../infra/local/dynamodb-local';
import type { LambdaHandler } from '../shared/http/endpoint';
import { bearer, invoke } from './support/invoke';
import { TEST_TABLES } from './support/tables';
import { claimsOf } from './support/tokens';

let paused: RunningDynamoDb;
let handlers: Record<'obtain' | 'refresh' | 'profile', LambdaHandler>;

beforeAll(async () => {
  paused = await startDynamoDbLocal();
  await ensureTables(paused.endpoint, TEST_TABLES);
  vi.stubEnv('DYNAMODB_ENDPOINT', paused.endpoint);
  vi.resetModules();
  const [obtain, refresh, profile] = await Promise.all([import('../functions/obtain'), import('../functions/refresh'), import('../functions/profile')]);
  handlers = { obtain: obtain.handler, refresh: refresh.handler, profile: profile.handler };
});

afterAll(async () => {
  process.kill(paused.pid, 'SIGCONT');
  await paused.stop();
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('a rotation that commits after the client gave up', () => {
  it('answers 503, and the retry gets the same successor of a session that lives on', async () => {
    const { createUser } = await import('../shared/users/users');
    const { hashPassword } = await import('../shared/users/passwords');
    const { dynamo } = await import('../shared/store/dynamodb');
    const { settings } = await import('../shared/settings');
    const user = await createUser({
      username: 'paused-user',
      email: 'p@example.com',
      firstName: '',
      lastName: '',
      isActive: true,
      isStaff: false,
      isSuperuser: false,
      passwordHash: await hashPassword('paused-password-1'),
    });
    const login = await invoke(handlers.obtain, { body: { username: user.username, password: 'paused-password-1' } });
    expect(login.status).toBe(200);
    const used = claimsOf(login.body.refresh);

    process.kill(paused.pid, 'SIGSTOP');
    let timedOut;
    try {
      timedOut = await invoke(handlers.refresh, { body: { refresh: login.body.refresh } });
    } finally {
      process.kill(paused.pid, 'SIGCONT');
    }
    expect(timedOut.status).toBe(503);
    // The transaction DynamoDB received before it stopped commits now, with no one left to hear it.
    let committed: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && !committed; i++) {
      ({ Item: committed } = await dynamo().send(new GetCommand({ TableName: settings().tables.blacklist, Key: { jti: used.jti }, ConsistentRead: true })));
      if (!committed) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(committed).toMatchObject({ jti: used.jti, reason: 'rotated' });

    const retried = await invoke(handlers.refresh, { body: { refresh: login.body.refresh } });
    expect(retried.status).toBe(200);
    // Signed again from the committed rotation: its time, and the successor id derived from the used token.
    expect(claimsOf(retried.body.refresh)).toMatchObject({ sid: used.sid, iat: committed!.blacklistedAt });
    const again = await invoke(handlers.refresh, { body: { refresh: login.body.refresh } });
    expect(again.body.refresh).toBe(retried.body.refresh);
    expect((await invoke(handlers.profile, { method: 'GET', headers: bearer(retried.body.access) })).status).toBe(200);
    expect((await invoke(handlers.refresh, { body: { refresh: retried.body.refresh } })).status).toBe(200);
  });
});
