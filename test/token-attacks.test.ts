/**
 * Forged and mangled tokens at every endpoint that takes one: each refused with the contract's body for
 * that endpoint (profile's "messages" list, refresh/verify's token_not_valid, logout's "Invalid token.").
 */
import { generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as logout } from '../functions/logout';
import { handler as profile } from '../functions/profile';
import { handler as refresh } from '../functions/refresh';
import { handler as verify } from '../functions/verify';
import { issueTokenPair } from '../shared/sessions/session-tokens';
import { tokenClaimsFor } from '../shared/users/users';
import { bearer, invoke } from './support/invoke';
import { claimsFor, forge, now, unsigned } from './support/tokens';
import { createTestUser } from './support/users';
import { AFTER_GRACE, later } from './support/clock';

type Attack = [name: string, make: (type: 'access' | 'refresh') => Promise<string>, problem: string];

let attacks: Attack[];
let userId: string;

beforeAll(async () => {
  const { user } = await createTestUser();
  userId = user.id;
  const valid = (type: 'access' | 'refresh', overrides: Record<string, unknown> = {}) => claimsFor(type, userId, overrides);
  const [rsa, ec] = await Promise.all([generateKeyPair('RS256'), generateKeyPair('ES256')]);
  const emptyKey = new Uint8Array(0);
  attacks = [
    ...['none', 'None', 'NONE', 'nOnE'].map((alg): Attack => [`alg "${alg}"`, async (type) => unsigned(valid(type), alg), 'Token is invalid']),
    ['an empty signature', async (type) => unsigned(valid(type), 'HS256'), 'Token is invalid'],
    ['HMAC with an empty key', async (type) => unsigned(valid(type), 'HS256', await hmacEmptyKey(valid(type), emptyKey)), 'Token is invalid'],
    ['HS384 with our key', (type) => forge(valid(type), { alg: 'HS384' }), 'Token is invalid'],
    ['HS512 with our key', (type) => forge(valid(type), { alg: 'HS512' }), 'Token is invalid'],
    ['RS256', (type) => forge(valid(type), { alg: 'RS256', key: rsa.privateKey }), 'Token is invalid'],
    ['ES256', (type) => forge(valid(type), { alg: 'ES256', key: ec.privateKey }), 'Token is invalid'],
    [
      'an attacker jwk/jku/x5u/kid header',
      async (type) =>
        forge(valid(type), {
          alg: 'RS256',
          key: rsa.privateKey,
          header: { jwk: await crypto.subtle.exportKey('jwk', rsa.publicKey), jku: 'https://evil.example/jwks', x5u: 'https://evil.example/x5', kid: 'evil' },
        }),
      'Token is invalid',
    ],
    ...(['exp', 'iat', 'jti', 'token_type'] as const).map((claim): Attack => [`no ${claim}`, (type) => forge(valid(type, { [claim]: undefined })), 'Token is invalid']),
    ['nbf in the future', (type) => forge(valid(type, { nbf: now() + 3600 })), 'Token is invalid'],
    ['exp as a string', (type) => forge(valid(type, { exp: String(now() + 600) })), 'Token is invalid'],
    ['expired', (type) => forge(valid(type, { iat: now() - 99_999, exp: now() - 60 })), 'Token is expired'],
    ['the other token type', (type) => forge(valid(type === 'access' ? 'refresh' : 'access')), 'Token has wrong type'],
  ];
});

/** A token HMAC-signed with an empty key: what a verifier that accepts any key would take. */
async function hmacEmptyKey(claims: Record<string, unknown>, key: Uint8Array): Promise<string> {
  const { createHmac } = await import('node:crypto');
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return createHmac('sha256', key).update(`${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`).digest('base64url');
}

describe('token attacks', () => {
  it('profile refuses each with the messages list and WWW-Authenticate', async () => {
    for (const [name, make, problem] of attacks) {
      const answer = await invoke(profile, { method: 'GET', headers: bearer(await make('access')) });
      expect(answer.status, name).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="api"');
      expect(answer.body, name).toEqual({
        detail: 'Given token not valid for any token type',
        code: 'token_not_valid',
        messages: [{ token_class: 'AccessToken', token_type: 'access', message: problem }],
      });
    }
  });

  it('refresh refuses each with token_not_valid', async () => {
    for (const [name, make, problem] of attacks) {
      const answer = await invoke(refresh, { body: { refresh: await make('refresh') } });
      expect(answer, name).toMatchObject({ status: 401, body: { detail: problem, code: 'token_not_valid' } });
    }
  });

  it('verify refuses each (a token of either type is fine there, so "the other type" is accepted)', async () => {
    for (const [name, make, problem] of attacks) {
      const answer = await invoke(verify, { body: { token: await make('access') } });
      if (problem === 'Token has wrong type') expect(answer.status, name).toBe(200);
      else expect(answer, name).toMatchObject({ status: 401, body: { detail: problem, code: 'token_not_valid' } });
    }
  });

  it('logout refuses each with "Invalid token."', async () => {
    for (const [name, make] of attacks) {
      expect(await invoke(logout, { body: { refresh: await make('refresh') } }), name).toMatchObject({ status: 400, body: { detail: 'Invalid token.' } });
    }
  });

  it('a blacklisted refresh token stays refused however it is re-encoded, because the blacklist is keyed on jti', async () => {
    const { user } = await createTestUser();
    const { refresh: token } = await issueTokenPair(tokenClaimsFor(user));
    const [header, payload, signature] = token.split('.');
    // jose accepts a padded signature: a different string for the same token.
    const padded = `${header}.${payload}.${signature}=`;
    expect((await invoke(verify, { body: { token: padded } })).status).toBe(200);
    const rotated = await invoke(refresh, { body: { refresh: padded } });
    expect(rotated.status).toBe(200);
    const variants = [token, ` ${token}`, `${token}\t`];
    // Within the reuse grace, each is recognised as the token already rotated: its one successor again.
    for (const variant of variants) {
      expect(await invoke(refresh, { body: { refresh: variant } }), variant).toMatchObject({ status: 200, body: { refresh: rotated.body.refresh } });
    }
    for (const variant of variants) {
      expect(await later(AFTER_GRACE, () => invoke(refresh, { body: { refresh: variant } })), variant).toMatchObject({
        status: 401,
        body: { detail: 'Token is blacklisted', code: 'token_not_valid' },
      });
    }
    // Padding jose does not accept is refused before the blacklist is asked.
    expect((await invoke(refresh, { body: { refresh: `${padded}=` } })).status).toBe(401);
  });
});
