/** Password guessing: after LOGIN_FAILURE_LIMIT (5) failures per username, 429, whether the user exists or not. */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { handler as obtain } from '../functions/obtain';
import { handler as password } from '../functions/password';
import { dynamo } from '../shared/store/dynamodb';
import { loginAttemptsKey } from '../shared/users/login-throttle';
import { settings } from '../shared/settings';
import { bearer, invoke, type Answer } from './support/invoke';
import { createTestUser } from './support/users';

const attempt = (username: string, pw: string) => invoke(obtain, { body: { username, password: pw } });

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

  it('a successful login clears the count', async () => {
    const user = await createTestUser();
    for (let i = 0; i < 4; i++) expect((await attempt(user.user.username, 'wrong')).status).toBe(401);
    expect((await attempt(user.user.username, user.password)).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await attempt(user.user.username, 'wrong')).status).toBe(401);
    expect((await attempt(user.user.username, user.password)).status).toBe(200);
  });

  it('a window that has ended no longer counts, even before TTL deletes it', async () => {
    const user = await createTestUser();
    for (let i = 0; i < 5; i++) await attempt(user.user.username, 'wrong');
    expectThrottled(await attempt(user.user.username, user.password));
    await dynamo().send(
      new UpdateCommand({
        TableName: settings().tables.loginAttempts,
        Key: await loginAttemptsKey(user.user.username),
        UpdateExpression: 'SET expiresAt = :past',
        ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 1 },
      }),
    );
    expect((await attempt(user.user.username, 'wrong')).status).toBe(401);
    expect((await attempt(user.user.username, user.password)).status).toBe(200);
  });

  it('wrong old passwords at POST /account/password/ count too', async () => {
    const user = await createTestUser();
    const { access } = (await attempt(user.user.username, user.password)).body;
    // That lone successful login stays counted (clearing it would cost every login a write): four more.
    for (let i = 0; i < 4; i++) {
      const answer = await invoke(password, { headers: bearer(access), body: { old_password: `guess-${i}`, new_password: 'long-enough-pw' } });
      expect(answer.status).toBe(400);
    }
    expectThrottled(await invoke(password, { headers: bearer(access), body: { old_password: user.password, new_password: 'long-enough-pw' } }));
  });
});
