/** Key sets: asymmetric algorithms, kids, rotation without breaking live tokens, retirement, iss/aud. */
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Algorithm } from '../shared/settings';
import { generateStoredKey, type StoredKey } from '../shared/tokens/signing-keys';

async function withKeys(keys: StoredKey[], extraEnv: Record<string, string> = {}) {
  vi.stubEnv('SIGNING_KEY', '');
  vi.stubEnv('SIGNING_KEYS', JSON.stringify({ keys }));
  for (const [name, value] of Object.entries(extraEnv)) vi.stubEnv(name, value);
  vi.resetModules();
  const tokens = await import('../shared/tokens/tokens');
  const problem = (token: string) =>
    tokens.decodeToken(token).then(
      () => 'accepted',
      (error: { problem?: string }) => error.problem ?? String(error),
    );
  return { ...tokens, problem };
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('key sets', () => {
  for (const alg of ['RS256', 'ES256', 'EdDSA'] as Algorithm[]) {
    it(`${alg}: tokens name their key and verify with it`, async () => {
      const key = await generateStoredKey(alg);
      const { signToken, problem } = await withKeys([key]);
      const token = await signToken('access', { user_id: 'u' });
      expect(decodeProtectedHeader(token)).toEqual({ alg, typ: 'JWT', kid: key.kid });
      expect(await problem(token)).toBe('accepted');
    });
  }

  it('HS256 tokens keep simplejwt\'s exact header', async () => {
    const { signToken } = await withKeys([await generateStoredKey('HS256')]);
    expect(decodeProtectedHeader(await signToken('access', { user_id: 'u' }))).toEqual({ alg: 'HS256', typ: 'JWT' });
  });

  it('rotation: a new key signs, tokens of the previous key keep verifying until it is retired', async () => {
    for (const alg of ['RS256', 'HS256'] as Algorithm[]) {
      const [old, fresh] = [await generateStoredKey(alg), await generateStoredKey(alg)];
      const before = await (await withKeys([old])).signToken('access', { user_id: 'u' });
      const rotated = await withKeys([fresh, old]);
      expect(await rotated.problem(before), alg).toBe('accepted');
      const after = await rotated.signToken('access', { user_id: 'u' });
      if (alg !== 'HS256') expect(decodeProtectedHeader(after).kid).toBe(fresh.kid);
      const retired = await withKeys([fresh]);
      expect(await retired.problem(before), alg).toBe('Token is invalid');
      expect(await retired.problem(after), alg).toBe('accepted');
    }
  });

  it('refuses algorithm confusion: an HS256 token keyed with the public key, or a kid with another alg', async () => {
    const rsa = await generateStoredKey('RS256');
    const { problem } = await withKeys([rsa]);
    const { d, p, q, dp, dq, qi, ...publicJwk } = rsa.privateJwk!;
    const now = Math.floor(Date.now() / 1000);
    const claims = { token_type: 'access', exp: now + 60, iat: now, jti: 'j'.repeat(32), user_id: 'u' };
    for (const secret of [JSON.stringify(publicJwk), publicJwk.n!]) {
      const confused = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: rsa.kid }).sign(new TextEncoder().encode(secret));
      expect(await problem(confused)).toBe('Token is invalid');
      const noKid = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret));
      expect(await problem(noKid)).toBe('Token is invalid');
    }
  });

  it('ISSUER and AUDIENCE: tokens carry them, and tokens without them are refused', async () => {
    const key = await generateStoredKey('ES256');
    const plain = await (await withKeys([key])).signToken('access', { user_id: 'u' });
    const scoped = await withKeys([key], { ISSUER: 'https://auth.example.com', AUDIENCE: 'my-api' });
    const token = await scoped.signToken('access', { user_id: 'u' });
    expect(decodeJwt(token)).toMatchObject({ iss: 'https://auth.example.com', aud: 'my-api', scope: 'access' });
    expect(decodeJwt(await scoped.signToken('refresh', { user_id: 'u' })).scope).toBeUndefined();
    expect(await scoped.problem(token)).toBe('accepted');
    expect(await scoped.problem(plain)).toBe('Token is invalid');
  });

  it('refuses a weak secret, a key pair without its private half or of the wrong kind, and duplicate kids', async () => {
    const { signToken } = await withKeys([{ kid: 'k', alg: 'HS256', secret: 'short' }]);
    await expect(signToken('access', {})).rejects.toThrow('at least 32 bytes');
    for (const privateJwk of [undefined, { kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA' }, { kty: 'RSA', n: 'x', e: 'AQAB' }]) {
      const broken = await withKeys([{ kid: 'k', alg: 'RS256', ...(privateJwk ? { privateJwk } : {}) }]);
      await expect(broken.signToken('access', {})).rejects.toThrow('without its private JWK of the right kind');
    }
    const key = await generateStoredKey('ES256');
    await expect((await withKeys([key, { ...key }])).signToken('access', {})).rejects.toThrow('two keys with kid');
  });

  it('publishes only the public members of a key pair, whatever else its JWK holds', async () => {
    const rsa = await generateStoredKey('RS256');
    const { publicJwks } = await (async () => {
      await withKeys([{ ...rsa, privateJwk: { ...rsa.privateJwk!, oth: [{ r: 'secret', d: 'secret', t: 'secret' }] as never, k: 'secret' } }]);
      return import('../shared/tokens/discovery');
    })();
    const [published] = (await publicJwks()).keys as Record<string, unknown>[];
    expect(Object.keys(published!).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
  });
});
