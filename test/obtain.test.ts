import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as obtain } from '../functions/obtain';
import { invoke } from './support/invoke';
import { createTestUser, type TestUser } from './support/users';

const NO_ACCOUNT = { detail: 'No active account found with the given credentials' };

describe('POST /api/token/ (obtain)', () => {
  let alice: TestUser;
  let inactive: TestUser;
  beforeAll(async () => {
    [alice, inactive] = await Promise.all([
      createTestUser({ email: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell', isStaff: true }),
      createTestUser({ isActive: false }),
    ]);
  });

  it('answers an access + refresh pair carrying the contract claims', async () => {
    const answer = await invoke(obtain, { path: '/api/token/', body: { username: alice.user.username, password: alice.password } });
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body).sort()).toEqual(['access', 'refresh']);
    for (const [type, lifetime] of [['access', 900], ['refresh', 604800]] as const) {
      const token = answer.body[type];
      expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
      const claims = decodeJwt(token);
      expect(claims).toMatchObject({
        token_type: type,
        user_id: alice.user.id,
        email: 'alice@example.com',
        is_staff: true,
        full_name: 'Alice Liddell',
      });
      expect(claims.jti).toMatch(/^[0-9a-f]{32}$/);
      expect(Number.isInteger(claims.iat)).toBe(true);
      expect(claims.exp! - claims.iat!).toBe(lifetime);
    }
  });

  it('refuses a wrong password, an unknown user and an inactive user with one answer', async () => {
    const answers = await Promise.all([
      invoke(obtain, { body: { username: alice.user.username, password: 'wrong' } }),
      invoke(obtain, { body: { username: 'nobody-at-all', password: 'whatever' } }),
      invoke(obtain, { body: { username: inactive.user.username, password: inactive.password } }),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(NO_ACCOUNT);
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="api"');
    }
  });
});
