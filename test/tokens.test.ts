import { generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { issueTokenPair } from '../shared/sessions/session-tokens';
import { decodeToken, signToken, TokenError, type TokenType } from '../shared/tokens/tokens';
import { claimsFor, claimsOf, forge, now, tamper, unsigned } from './support/tokens';

async function problemOf(token: string, expected?: TokenType): Promise<string> {
  try {
    await decodeToken(token, expected);
  } catch (error) {
    if (error instanceof TokenError) return error.problem;
    throw error;
  }
  return 'accepted';
}

describe('token module', () => {
  it('issues tokens with simplejwt claims, a 32-hex jti and the configured lifetimes', async () => {
    const pair = await issueTokenPair({ user_id: 'u1', email: 'a@b.c', is_staff: false, full_name: 'A B' });
    const access = claimsOf(pair.access);
    const refresh = claimsOf(pair.refresh);
    expect(Object.keys(access)).toEqual(['token_type', 'exp', 'iat', 'jti', 'user_id', 'email', 'is_staff', 'full_name']);
    expect(access.token_type).toBe('access');
    expect(refresh.token_type).toBe('refresh');
    expect(access.exp - access.iat).toBe(900);
    expect(refresh.exp - refresh.iat).toBe(604800);
    expect(access.jti).toMatch(/^[0-9a-f]{32}$/);
    expect(access.jti).not.toBe(refresh.jti);
  });

  it('never lets a caller choose token_type, exp, iat or jti', async () => {
    const token = await signToken('access', { user_id: 'u1', token_type: 'refresh', exp: 1, iat: 1, jti: 'mine' });
    const claims = claimsOf(token);
    expect(claims.token_type).toBe('access');
    expect(claims.exp).toBeGreaterThan(now());
    expect(claims.jti).not.toBe('mine');
  });

  it('accepts its own tokens and checks the expected type', async () => {
    const { access, refresh } = await issueTokenPair({ user_id: 'u1' });
    await expect(decodeToken(access, 'access')).resolves.toMatchObject({ token_type: 'access', user_id: 'u1' });
    await expect(decodeToken(refresh)).resolves.toMatchObject({ token_type: 'refresh' });
    expect(await problemOf(refresh, 'access')).toBe('Token has wrong type');
    expect(await problemOf(access, 'refresh')).toBe('Token has wrong type');
  });

  it('reports an expired token as expired', async () => {
    const token = await forge(claimsFor('access', 'u1', { iat: now() - 1000, exp: now() - 10 }));
    expect(await problemOf(token, 'access')).toBe('Token is expired');
  });

  describe('refuses as invalid', () => {
    const cases: [string, () => Promise<string>][] = [
      ['garbage', async () => 'garbage'],
      ['an empty string', async () => ''],
      ['a tampered payload', async () => tamper(await forge(claimsFor('access', 'u1')), { user_id: 'someone-else' })],
      ['a token signed with another key', async () => forge(claimsFor('access', 'u1'), { key: new TextEncoder().encode('x'.repeat(40)) })],
      ['alg "none"', async () => unsigned(claimsFor('access', 'u1'))],
      ['alg "None"', async () => unsigned(claimsFor('access', 'u1'), 'None')],
      ['alg "NONE"', async () => unsigned(claimsFor('access', 'u1'), 'NONE')],
      ['alg "nOnE"', async () => unsigned(claimsFor('access', 'u1'), 'nOnE')],
      ['HS256 with an empty signature', async () => unsigned(claimsFor('access', 'u1'), 'HS256')],
      ['HS384 signed with our key', async () => forge(claimsFor('access', 'u1'), { alg: 'HS384' })],
      ['HS512 signed with our key', async () => forge(claimsFor('access', 'u1'), { alg: 'HS512' })],
      ['RS256', async () => forge(claimsFor('access', 'u1'), { alg: 'RS256', key: (await generateKeyPair('RS256')).privateKey })],
      ['ES256', async () => forge(claimsFor('access', 'u1'), { alg: 'ES256', key: (await generateKeyPair('ES256')).privateKey })],
      ['a token without exp', async () => forge(claimsFor('access', 'u1', { exp: undefined }))],
      ['a token without iat', async () => forge(claimsFor('access', 'u1', { iat: undefined }))],
      ['a token without jti', async () => forge(claimsFor('access', 'u1', { jti: undefined }))],
      ['a token without token_type', async () => forge(claimsFor('access', 'u1', { token_type: undefined }))],
      ['exp as a string', async () => forge(claimsFor('access', 'u1', { exp: String(now() + 600) }))],
      ['a numeric jti', async () => forge(claimsFor('access', 'u1', { jti: 12345 }))],
      ['nbf in the future', async () => forge(claimsFor('access', 'u1', { nbf: now() + 600 }))],
      ['iat in the future', async () => forge(claimsFor('access', 'u1', { iat: now() + 600 }))],
      ['an absurdly long token', async () => `${await forge(claimsFor('access', 'u1'))}${'A'.repeat(20_000)}`],
    ];
    for (const [name, make] of cases) {
      it(name, async () => {
        expect(await problemOf(await make(), 'access')).toBe('Token is invalid');
      });
    }
  });

  it('never lets the token choose the key: jwk, jku and x5u are ignored, an unknown kid is refused', async () => {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const jwk = await crypto.subtle.exportKey('jwk', publicKey);
    const attacker = await forge(claimsFor('access', 'u1'), {
      alg: 'RS256',
      key: privateKey,
      header: { jwk, jku: 'https://attacker.example/jwks.json', x5u: 'https://attacker.example/cert', kid: 'attacker' },
    });
    expect(await problemOf(attacker, 'access')).toBe('Token is invalid');
    const ours = await forge(claimsFor('access', 'u1'), { header: { jku: 'https://attacker.example', x5u: 'https://attacker.example/x5' } });
    expect(await problemOf(ours, 'access')).toBe('accepted');
    const unknownKid = await forge(claimsFor('access', 'u1'), { header: { kid: '../../etc/passwd' } });
    expect(await problemOf(unknownKid, 'access')).toBe('Token is invalid');
  });
});
