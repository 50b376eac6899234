/** JWKS and OIDC discovery: enough for another party (API Gateway's JWT authorizer, a service) to verify tokens. */
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateStoredKey, type StoredKey } from '../shared/tokens/signing-keys';
import { invoke } from './support/invoke';

async function load(keys: StoredKey[] | undefined, env: Record<string, string> = {}) {
  if (keys) {
    vi.stubEnv('SIGNING_KEY', '');
    vi.stubEnv('SIGNING_KEYS', JSON.stringify({ keys }));
  }
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  vi.resetModules();
  const [jwks, configuration, tokens] = await Promise.all([import('../functions/jwks'), import('../functions/openid-configuration'), import('../shared/tokens/tokens')]);
  return { jwks: jwks.handler, configuration: configuration.handler, tokens };
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('GET /.well-known/jwks.json', () => {
  it('lists the public halves of every key pair, with kid and alg, and lets anyone verify our tokens', async () => {
    const [current, previous] = [await generateStoredKey('RS256'), await generateStoredKey('ES256')];
    const { jwks, tokens } = await load([current, previous]);
    const answer = await invoke(jwks, { method: 'GET', path: '/.well-known/jwks.json' });
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('public, max-age=300');
    expect(answer.body.keys.map((key: { kid: string; alg: string; use: string }) => [key.kid, key.alg, key.use])).toEqual([
      [current.kid, 'RS256', 'sig'],
      [previous.kid, 'ES256', 'sig'],
    ]);
    for (const key of answer.body.keys) for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(secret);
    const token = await tokens.signToken('access', { user_id: 'u' });
    await expect(jwtVerify(token, createLocalJWKSet(answer.body))).resolves.toMatchObject({ payload: { user_id: 'u' } });
  });

  it('lists nothing for HS256, whose key is secret', async () => {
    const { jwks } = await load([await generateStoredKey('HS256')]);
    expect((await invoke(jwks, { method: 'GET' })).body).toEqual({ keys: [] });
  });
});

describe('GET /.well-known/openid-configuration', () => {
  it('names the issuer (ISSUER, else the API_URL the stack passes, never the Host asked), the JWKS and the algorithms', async () => {
    const { configuration } = await load([await generateStoredKey('ES256')], { API_URL: 'https://abc123.execute-api.eu-west-1.amazonaws.com' });
    const answer = await invoke(configuration, { method: 'GET', headers: { host: 'attacker.example.com', 'x-forwarded-proto': 'http' } });
    expect(answer.body).toMatchObject({
      issuer: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
      jwks_uri: 'https://abc123.execute-api.eu-west-1.amazonaws.com/.well-known/jwks.json',
      id_token_signing_alg_values_supported: ['ES256'],
    });
    const unset = await load(undefined, { API_URL: '' });
    expect(await invoke(unset.configuration, { method: 'GET' })).toMatchObject({ status: 500, body: { detail: 'A server error occurred.' } });
    const configured = await load(undefined, { ISSUER: 'https://auth.example.com/' });
    expect((await invoke(configured.configuration, { method: 'GET', headers: { host: 'localhost:8000' } })).body).toMatchObject({
      issuer: 'https://auth.example.com',
      jwks_uri: 'https://auth.example.com/.well-known/jwks.json',
    });
  });
});
