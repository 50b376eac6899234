/**
 * DynamoDB throttling, refusing connections or not answering: every handler answers 503 with Retry-After
 * and a JSON body, never a token whose old refresh token could not be blacklisted, never a stack trace.
 */
import { createServer, type Server } from 'node:net';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../infra/local/dynamodb-local';
import type { LambdaHandler } from '../shared/http/endpoint';
import { issueTokenPair } from '../shared/sessions/session-tokens';
import { tokenClaimsFor } from '../shared/users/users';
import { bearer, invoke, type Answer } from './support/invoke';
import { AFTER_GRACE, later } from './support/clock';
import { createTestUser, type TestUser } from './support/users';

interface Handlers {
  obtain: LambdaHandler;
  refresh: LambdaHandler;
  profile: LambdaHandler;
  logout: LambdaHandler;
}

/** Fresh handler modules (and so a fresh DynamoDB client) after changing the environment. */
async function loadHandlers(): Promise<Handlers & { dynamo: typeof import('../shared/store/dynamodb').dynamo }> {
  vi.resetModules();
  const [obtain, refresh, profile, logout, dynamodb] = await Promise.all([
    import('../functions/obtain'),
    import('../functions/refresh'),
    import('../functions/profile'),
    import('../functions/logout'),
    import('../shared/store/dynamodb'),
  ]);
  return { obtain: obtain.handler, refresh: refresh.handler, profile: profile.handler, logout: logout.handler, dynamo: dynamodb.dynamo };
}

/** Every DynamoDB request fails with `error` (after the SDK's retries) while `during` runs. */
async function whileFailing<T>(handlers: { dynamo: () => import('@aws-sdk/lib-dynamodb').DynamoDBDocumentClient }, error: Record<string, unknown>, during: () => Promise<T>): Promise<T> {
  const failure = Object.assign(new Error(String(error.message ?? error.name)), { $fault: 'client', $metadata: { httpStatusCode: 400 } }, error);
  handlers.dynamo().middlewareStack.add(
    () => async () => {
      throw failure;
    },
    { step: 'finalizeRequest', priority: 'low', name: 'injectFailure' },
  );
  try {
    return await during();
  } finally {
    handlers.dynamo().middlewareStack.remove('injectFailure');
  }
}

function expectUnavailable(answer: Answer): void {
  expect(answer.status).toBe(503);
  expect(answer.headers['retry-after']).toMatch(/^\d+$/);
  expect(answer.headers['content-type']).toBe('application/json');
  expect(answer.body).toEqual({ detail: 'Service temporarily unavailable, try again later.', code: 'service_unavailable' });
}

async function callEvery(handlers: Handlers, user: TestUser): Promise<Answer[]> {
  const { access, refresh: token } = await issueTokenPair(tokenClaimsFor(user.user));
  return Promise.all([
    invoke(handlers.obtain, { body: { username: user.user.username, password: user.password } }),
    invoke(handlers.refresh, { body: { refresh: token } }),
    invoke(handlers.profile, { method: 'GET', headers: bearer(access) }),
    invoke(handlers.logout, { body: { refresh: token } }),
  ]);
}

describe('when DynamoDB fails', () => {
  let ivy: TestUser;
  beforeAll(async () => {
    ivy = await createTestUser();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('answers 503 when the endpoint refuses connections', async () => {
    vi.stubEnv('DYNAMODB_ENDPOINT', `http://127.0.0.1:${await freePort()}`);
    for (const answer of await callEvery(await loadHandlers(), ivy)) expectUnavailable(answer);
  });

  it('answers 503 when DynamoDB keeps throttling, and the refresh token survives the outage', async () => {
    const handlers = await loadHandlers();
    const { refresh: token } = await issueTokenPair(tokenClaimsFor(ivy.user));
    await whileFailing(handlers, { name: 'ThrottlingException', message: 'Rate of requests exceeds the allowed throughput.' }, async () => {
      for (const answer of await callEvery(handlers, ivy)) expectUnavailable(answer);
      expectUnavailable(await invoke(handlers.refresh, { body: { refresh: token } }));
    });
    // Nothing was written during the outage: the same refresh token still rotates, to one successor.
    const rotated = await invoke(handlers.refresh, { body: { refresh: token } });
    expect(rotated.status).toBe(200);
    expect(await invoke(handlers.refresh, { body: { refresh: token } })).toMatchObject({ status: 200, body: { refresh: rotated.body.refresh } });
    expect((await later(AFTER_GRACE, () => invoke(handlers.refresh, { body: { refresh: token } }))).status).toBe(401);
  });

  it('answers 503 when a refresh transaction is cancelled for throttling, and issues nothing', async () => {
    const handlers = await loadHandlers();
    const { refresh: token } = await issueTokenPair(tokenClaimsFor(ivy.user));
    const cancellation = { name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'ThrottlingError' }, { Code: 'None' }] };
    await whileFailing(handlers, cancellation, async () => {
      expectUnavailable(await invoke(handlers.refresh, { body: { refresh: token } }));
    });
    expect((await invoke(handlers.refresh, { body: { refresh: token } })).status).toBe(200);
  });

  it('answers 500, not a misleading 503, when the endpoint name does not resolve (a misconfiguration)', async () => {
    vi.stubEnv('DYNAMODB_ENDPOINT', 'http://no-such-host.invalid:8000');
    const handlers = await loadHandlers();
    const { access } = await issueTokenPair(tokenClaimsFor(ivy.user));
    const answer = await invoke(handlers.profile, { method: 'GET', headers: bearer(access) });
    expect(answer).toMatchObject({ status: 500, body: { detail: 'A server error occurred.' } });
  });

  it('sends again what lost to a concurrent transaction: refresh, logout and a replay\'s revocation all land', async () => {
    const handlers = await loadHandlers();
    const conflictsLeft = new Map<string, number>();
    handlers.dynamo().middlewareStack.add(
      (next, context) => async (args) => {
        const left = conflictsLeft.get(String(context.commandName)) ?? 0;
        if (left > 0) {
          conflictsLeft.set(String(context.commandName), left - 1);
          throw context.commandName === 'TransactWriteItemsCommand'
            ? Object.assign(new Error('cancelled'), { name: 'TransactionCanceledException', $fault: 'client', $metadata: {}, CancellationReasons: [{ Code: 'TransactionConflict' }, { Code: 'None' }, { Code: 'None' }] })
            : Object.assign(new Error('conflict'), { name: 'TransactionConflictException', $fault: 'client', $metadata: {} });
        }
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'injectConflicts' },
    );
    try {
      const session = (await invoke(handlers.obtain, { body: { username: ivy.user.username, password: ivy.password } })).body;
      conflictsLeft.set('TransactWriteItemsCommand', 2);
      const rotated = await invoke(handlers.refresh, { body: { refresh: session.refresh } });
      expect(rotated.status).toBe(200);
      // The replay's revocation (an UpdateItem) loses twice to a concurrent transaction, and still lands.
      conflictsLeft.set('UpdateItemCommand', 2);
      expect((await later(AFTER_GRACE, () => invoke(handlers.refresh, { body: { refresh: session.refresh } }))).status).toBe(401);
      expect((await invoke(handlers.refresh, { body: { refresh: rotated.body.refresh } })).status).toBe(401);
      const other = (await invoke(handlers.obtain, { body: { username: ivy.user.username, password: ivy.password } })).body;
      conflictsLeft.set('TransactWriteItemsCommand', 3);
      expect(await invoke(handlers.logout, { body: { refresh: other.refresh } })).toMatchObject({ status: 200 });
      conflictsLeft.set('TransactWriteItemsCommand', 10);
      const third = (await invoke(handlers.obtain, { body: { username: ivy.user.username, password: ivy.password } })).body;
      expectUnavailable(await invoke(handlers.logout, { body: { refresh: third.refresh } }));
    } finally {
      handlers.dynamo().middlewareStack.remove('injectConflicts');
    }
  });

  it('answers 503 when DynamoDB accepts connections but never answers', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    const port = await new Promise<number>((resolve) => silent.listen(0, '127.0.0.1', () => resolve((silent.address() as { port: number }).port)));
    try {
      vi.stubEnv('DYNAMODB_ENDPOINT', `http://127.0.0.1:${port}`);
      const handlers = await loadHandlers();
      const { refresh: token } = await issueTokenPair(tokenClaimsFor(ivy.user));
      expectUnavailable(await invoke(handlers.refresh, { body: { refresh: token } }));
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});
