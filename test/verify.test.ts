import { beforeAll, describe, expect, it } from 'vitest';
import { handler as verify } from '../functions/verify';
import { issueTokenPair } from '../shared/sessions/session-tokens';
import { invoke } from './support/invoke';
import { claimsFor, forge, now, tamper } from './support/tokens';

describe('POST /api/token/verify/', () => {
  let pair: { access: string; refresh: string };
  beforeAll(async () => {
    pair = await issueTokenPair({ user_id: 'some-user' });
  });

  it('answers {} for a valid access or refresh token', async () => {
    expect(await invoke(verify, { body: { token: pair.access } })).toMatchObject({ status: 200, body: {} });
    expect(await invoke(verify, { body: { token: pair.refresh } })).toMatchObject({ status: 200, body: {} });
    expect(await invoke(verify, { body: { token: `  ${pair.access}  ` } })).toMatchObject({ status: 200, body: {} });
  });

  it('answers 401 token_not_valid for garbage, a bad signature and an expired token', async () => {
    for (const token of ['garbage', tamper(pair.access, { user_id: 'admin' }), '123']) {
      const answer = await invoke(verify, { body: { token } });
      expect(answer).toMatchObject({ status: 401, body: { detail: 'Token is invalid', code: 'token_not_valid' } });
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="api"');
    }
    const expired = await forge(claimsFor('access', 'u', { iat: now() - 2000, exp: now() - 1000 }));
    expect(await invoke(verify, { body: { token: expired } })).toMatchObject({
      status: 401,
      body: { detail: 'Token is expired', code: 'token_not_valid' },
    });
  });

  it('does not consult the blacklist: verify makes no DynamoDB call (README, "Where this service knowingly differs")', async () => {
    const { handler: logout } = await import('../functions/logout');
    const { refresh } = await issueTokenPair({ user_id: 'some-user' });
    expect((await invoke(logout, { body: { refresh } })).status).toBe(200);
    expect(await invoke(verify, { body: { token: refresh } })).toMatchObject({ status: 200, body: {} });
  });

  it('answers 400 for a missing token field', async () => {
    expect(await invoke(verify, { body: {} })).toMatchObject({ status: 400, body: { token: ['This field is required.'] } });
  });
});
