/**
 * On Lambda the key comes from Secrets Manager through the Parameters and Secrets extension's local HTTP
 * endpoint. The extension only exists inside Lambda, so a server speaking its documented protocol takes its
 * place here.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { LambdaHandler } from '../shared/http/endpoint';
import { invoke } from './support/invoke';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:SigningKey-AbCdEf';
const SECRET_VALUE = 'k'.repeat(64);

let server: Server;
let requests: { url: string; token: string | undefined }[];
let answer: { status: number; body: unknown };

beforeEach(async () => {
  requests = [];
  answer = { status: 200, body: { Name: 'SigningKey', SecretString: SECRET_VALUE } };
  server = createServer((request, response) => {
    requests.push({ url: request.url!, token: request.headers['x-aws-parameters-secrets-token'] as string | undefined });
    response.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  vi.stubEnv('SIGNING_KEY', '');
  vi.stubEnv('SIGNING_KEY_SECRET_ARN', SECRET_ARN);
  vi.stubEnv('PARAMETERS_SECRETS_EXTENSION_HTTP_PORT', String(port));
  vi.stubEnv('AWS_SESSION_TOKEN', 'session-token-of-the-function');
  vi.resetModules();
});

afterEach(() => {
  server.close();
  vi.unstubAllEnvs();
  vi.resetModules();
});

async function freshModules() {
  const [{ handler: verify }, tokens] = await Promise.all([import('../functions/verify'), import('../shared/sessions/session-tokens')]);
  return { verify: verify as LambdaHandler, tokens };
}

describe('signing key from Secrets Manager', () => {
  it('is read once per container, with the session token the extension requires', async () => {
    const { verify, tokens } = await freshModules();
    const { access } = await tokens.issueTokenPair({ user_id: 'u' });
    expect(await invoke(verify, { body: { token: access } })).toMatchObject({ status: 200 });
    expect(await invoke(verify, { body: { token: access } })).toMatchObject({ status: 200 });
    expect(requests).toEqual([{ url: `/secretsmanager/get?secretId=${encodeURIComponent(SECRET_ARN)}`, token: 'session-token-of-the-function' }]);
    // The secret's value is the key: a token signed with it by anyone else verifies too.
    const { SignJWT } = await import('jose');
    const now = Math.floor(Date.now() / 1000);
    const outside = await new SignJWT({ token_type: 'access', exp: now + 60, iat: now, jti: 'j'.repeat(32), user_id: 'u' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode(SECRET_VALUE));
    expect(await invoke(verify, { body: { token: outside } })).toMatchObject({ status: 200 });
  });

  it('answers 503 while the extension cannot answer, and recovers on a later request', async () => {
    answer = { status: 502, body: { message: 'upstream failure' } };
    const { verify } = await freshModules();
    const first = await invoke(verify, { body: { token: 'x.y.z' } });
    expect(first).toMatchObject({ status: 503, body: { code: 'service_unavailable' } });
    expect(first.headers['retry-after']).toBeDefined();
    answer = { status: 200, body: { SecretString: SECRET_VALUE } };
    expect(await invoke(verify, { body: { token: 'x.y.z' } })).toMatchObject({ status: 401, body: { detail: 'Token is invalid' } });
    expect(requests).toHaveLength(2);
  });

  it('never blames the token when the key cannot be read: 503, not "Token is invalid"', async () => {
    const { SignJWT } = await import('jose');
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ token_type: 'access', exp: now + 60, iat: now, jti: 'j'.repeat(32), user_id: 'u' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode(SECRET_VALUE));
    answer = { status: 500, body: 'not json' };
    expect(await invoke((await freshModules()).verify, { body: { token } })).toMatchObject({ status: 503 });
  });

  it('answers 500 (a misconfiguration, logged) when the secret is forbidden or too short', async () => {
    answer = { status: 400, body: { message: 'AccessDeniedException' } };
    expect(await invoke((await freshModules()).verify, { body: { token: 'x.y.z' } })).toMatchObject({ status: 500, body: { detail: 'A server error occurred.' } });
    vi.resetModules();
    answer = { status: 200, body: { SecretString: 'short' } };
    expect(await invoke((await freshModules()).verify, { body: { token: 'x.y.z' } })).toMatchObject({ status: 500 });
  });
});

describe('SECRET_KEY from Secrets Manager', () => {
  it('is read through the extension, once per container, beside the signing key', async () => {
    const SECRET_KEY_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:SecretKey-GhIjKl';
    vi.stubEnv('SECRET_KEY', '');
    vi.stubEnv('SECRET_KEY_SECRET_ARN', SECRET_KEY_ARN);
    vi.resetModules();
    const [{ handler: refresh }, tokens] = await Promise.all([import('../functions/refresh'), import('../shared/sessions/session-tokens')]);
    const { createTestUser } = await import('./support/users');
    const { tokenClaimsFor } = await import('../shared/users/users');
    const { user } = await createTestUser();
    // A token without a session: its rotation derives the session id and the successor with SECRET_KEY.
    const { refresh: token } = await tokens.issueTokenPair(tokenClaimsFor(user));
    const first = await invoke(refresh, { body: { refresh: token } });
    expect(first.status).toBe(200);
    expect((await invoke(refresh, { body: { refresh: token } })).body.refresh).toBe(first.body.refresh);
    const secretReads = requests.filter((request) => request.url.includes(encodeURIComponent(SECRET_KEY_ARN)));
    expect(secretReads).toEqual([{ url: `/secretsmanager/get?secretId=${encodeURIComponent(SECRET_KEY_ARN)}`, token: 'session-token-of-the-function' }]);
  });

  it('answers 500, logged as a misconfiguration, when SECRET_KEY is missing', async () => {
    vi.stubEnv('SECRET_KEY', '');
    vi.resetModules();
    const { handler: obtain } = await import('../functions/obtain');
    expect(await invoke(obtain, { body: { username: 'someone', password: 'something' } })).toMatchObject({ status: 500, body: { detail: 'A server error occurred.' } });
  });
});
