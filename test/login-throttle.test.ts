/** Password guessing: after LOGIN_FAILURE_LIMIT (5) distinct wrong passwords per username (and 30 per client address), 429, whether the user exists or not. */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it, vi } from 'vitest';
import { handler as obtain } from '../functions/obtain';
import { handler as password } from '../functions/password';
import { dynamo } from '../shared/store/dynamodb';
import { throttleKey } from '../shared/users/login-throttle';
import { settings } from '../shared/settings';
import { bearer, invoke, type Answer } from './support/invoke';
import { createTestUser } from './support/users';

const attempt = (username: string, pw: string) => invoke(obtain, { body: { username, password: pw } });

/** How many distinct wrong passwords the scope holds now. */
async function failuresOf(kind: 'username' | 'address', value: string): Promise<number> {
  const { Item } = await dynamo().send(new GetCommand({ TableName: settings().tables.loginThrottle, Key: await throttleKey(kind, value), ConsistentRead: true }));
  return Item?.failures instanceof Set ? Item.failures.size : 0;
}

/** The scope's window ends now, as if its time had run out (TTL deletes such items only later). */
async function endWindow(kind: 'username' | 'address', value: string): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: settings().tables.loginThrottle,
      Key: await throttleKey(kind, value),
      UpdateExpression: 'SET expiresAt = :past',
      ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 1 },
    }),
  );
}

function expectThrottled(answer: Answer): void {
  expect(answer.status).toBe(429);
  expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
  expect(Number(answer.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
  expect(answer.body).toEqual({ detail: expect.stringMatching(/^Too many failed login attempts\. Try again in \d+ seconds\.$/), code: 'too_many_attempts' });
}

describe('login throttle', () => {
  it('answers 429 after five failures, even to the right password, and the same for an unknown username', async () => {
    const victim = await createTestUser();
    const ghost = `ghost-${Date.now()}`;
    for (let i = 0; i < 5; i++) {
      expect((await attempt(victim.user.username, `wrong-${i}`)).status).toBe(401);
      expect((await attempt(ghost, `wrong-${i}`)).status).toBe(401);
    }
    const [real, unknown] = [await attempt(victim.user.username, victim.password), await attempt(ghost, 'whatever')];
    expectThrottled(real);
    expectThrottled(unknown);
    expect(real.body.code).toBe(unknown.body.code);
    // Another username is not affected.
    const bystander = await createTestUser();
    expect((await attempt(bystander.user.username, bystander.password)).status).toBe(200);
  });

  it('counts each attempt before the hash: of twelve parallel guesses, exactly five get past the throttle', async () => {
    const target = await createTestUser();
    const guesses = [...Array.from({ length: 11 }, (_, i) => `guess-${i}`), target.password];
    const answers = await Promise.all(guesses.map((guess) => attempt(target.user.username, guess)));
    expect(answers.filter((answer) => answer.status !== 429)).toHaveLength(5);
    for (const answer of answers.filter((a) => a.status === 429)) expectThrottled(answer);
  });

  it('a successful login leaves the count as it found it, and a wrong password repeated counts once', async () => {
    const user = await createTestUser();
    for (let i = 0; i < 4; i++) expect((await attempt(user.user.username, `wrong-${i}`)).status).toBe(401);
    expect((await attempt(user.user.username, user.password)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await attempt(user.user.username, 'wrong-0')).status).toBe(401);
    expect((await attempt(user.user.username, 'wrong-4')).status).toBe(401);
    expectThrottled(await attempt(user.user.username, 'wrong-5'));
  });

  it('lets any number of simultaneous right-password logins through, and counts none of them', async () => {
    const user = await createTestUser();
    const answers = await Promise.all(Array.from({ length: 20 }, () => attempt(user.user.username, user.password)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(await failuresOf('username', user.user.username)).toBe(0);
    for (let i = 0; i < 5; i++) expect((await attempt(user.user.username, `wrong-${i}`)).status).toBe(401);
    expectThrottled(await attempt(user.user.username, 'wrong-5'));
  });

  it('a window that has ended no longer counts, even before TTL deletes it', async () => {
    const user = await createTestUser();
    for (let i = 0; i < 5; i++) await attempt(user.user.username, `wrong-${i}`);
    expectThrottled(await attempt(user.user.username, user.password));
    await endWindow('username', user.user.username);
    expect((await attempt(user.user.username, 'wrong')).status).toBe(401);
    expect((await attempt(user.user.username, user.password)).status).toBe(200);
  });

  it('of twelve parallel guesses right after a lock-out ends, at most five are checked', async () => {
    const user = await createTestUser();
    for (let i = 0; i < 5; i++) await attempt(user.user.username, `first-${i}`);
    expectThrottled(await attempt(user.user.username, 'first-5'));
    await endWindow('username', user.user.username);
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => attempt(user.user.username, `burst-${i}`)));
    expect(answers.filter((answer) => answer.status !== 429).length).toBeLessThanOrEqual(5);
    expect(answers.filter((answer) => answer.status === 401).length).toBeGreaterThanOrEqual(1);
    expect(await failuresOf('username', user.user.username)).toBeLessThanOrEqual(5);
  });

  it('counts a failure once when the SDK retries the update after losing its answer', async () => {
    const user = await createTestUser();
    let lost = 0;
    dynamo().middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'UpdateItemCommand' && lost === 0) {
          lost++;
          throw Object.assign(new Error('answer lost'), { name: 'TimeoutError', $metadata: {} });
        }
        return result;
      },
      { step: 'finalizeRequest', priority: 'low', name: 'loseAnAnswer' },
    );
    try {
      expect((await attempt(user.user.username, 'wrong-once')).status).toBe(401);
    } finally {
      dynamo().middlewareStack.remove('loseAnAnswer');
    }
    expect(lost).toBe(1);
    expect(await failuresOf('username', user.user.username)).toBe(1);
  });

  it('limits failures per client address across usernames (password spraying)', async () => {
    vi.stubEnv('LOGIN_ADDRESS_FAILURE_LIMIT', '3');
    vi.resetModules();
    try {
      const { handler: throttledObtain } = await import('../functions/obtain');
      const sprayer = '203.0.113.9';
      const victims = await Promise.all(Array.from({ length: 4 }, () => createTestUser()));
      for (const victim of victims.slice(0, 3)) {
        expect((await invoke(throttledObtain, { body: { username: victim.user.username, password: 'Summer2026!' }, sourceIp: sprayer })).status).toBe(401);
      }
      expectThrottled(await invoke(throttledObtain, { body: { username: victims[3]!.user.username, password: 'Summer2026!' }, sourceIp: sprayer }));
      expectThrottled(await invoke(throttledObtain, { body: { username: victims[3]!.user.username, password: victims[3]!.password }, sourceIp: sprayer }));
      // Another client, and the same users' own logins from elsewhere, are untouched.
      expect((await invoke(throttledObtain, { body: { username: victims[3]!.user.username, password: victims[3]!.password }, sourceIp: '203.0.113.10' })).status).toBe(200);
      // An IPv6 client is throttled by its /64: another address in the same prefix is the same client.
      const v6 = (n: number) => invoke(throttledObtain, { body: { username: victims[n]!.user.username, password: 'Winter2026!' }, sourceIp: `2001:db8:1:2::${n + 1}` });
      for (let n = 0; n < 3; n++) expect((await v6(n)).status).toBe(401);
      expectThrottled(await invoke(throttledObtain, { body: { username: victims[3]!.user.username, password: 'Winter2026!' }, sourceIp: '2001:db8:1:2:ffff::9' }));
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });

  it('wrong old passwords at POST /account/password/ count too', async () => {
    const user = await createTestUser();
    const { access } = (await attempt(user.user.username, user.password)).body;
    // The successful login counted nothing: five wrong old passwords, then the lock.
    for (let i = 0; i < 5; i++) {
      const answer = await invoke(password, { headers: bearer(access), body: { old_password: `guess-${i}`, new_password: 'long-enough-pw' } });
      expect(answer.status).toBe(400);
    }
    expectThrottled(await invoke(password, { headers: bearer(access), body: { old_password: user.password, new_password: 'long-enough-pw' } }));
  });
});
