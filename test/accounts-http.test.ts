/**
 * The account flows over HTTP against the real `npm start`, as a newcomer follows them: sign up, read the
 * activation mail from .data/mail, activate, log in; reset the password by mail (old sessions end, the new
 * password works); a used or expired link refused; delete the account.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../infra/local/dynamodb-local';
import { apiFetch } from './support/api-fetch';
import { startServer, type Server } from './support/processes';
import { lastLink, mailsTo } from './support/mail';
import { TEST_TABLE_ENV } from './support/tables';

let server: Server;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'accounts-'));
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(await freePort()), REGISTRATION: 'open', PASSWORD_RESET_TIMEOUT: '4' };
  // A developer's shell: npm start's own DynamoDB Local, keys and mail folder.
  for (const name of ['DYNAMODB_ENDPOINT', 'SIGNING_KEY', 'SECRET_KEY', 'API_URL', 'MAIL_DIR', ...Object.keys(TEST_TABLE_ENV)]) delete env[name];
  server = await startServer(env);
});
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function http(method: string, path: string, json?: unknown, access?: string) {
  const response = await apiFetch(`${server.url}${path}`, {
    method,
    headers: { ...(json === undefined ? {} : { 'content-type': 'application/json' }), ...(access ? { authorization: `Bearer ${access}` } : {}) },
    ...(json === undefined ? {} : { body: JSON.stringify(json) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}
const mailDir = () => join(dataDir, 'mail');

describe('accounts by email, through npm start', () => {
  it('sign up, activate from the mailed link, log in, reset the password by mail, delete the account', async () => {
    const alice = { username: 'alice', email: 'alice@example.com', password: 'S3cure-pass-123' };
    expect(await http('POST', '/auth/users/', alice)).toMatchObject({ status: 201, body: { username: 'alice', email: 'alice@example.com' } });
    expect((await http('POST', '/api/token/', alice)).status).toBe(401);
    const activation = lastLink(alice.email, mailDir());
    expect(activation.url).toMatch(new RegExp(`^${server.url}/#/activate/`));
    expect(server.output()).toContain('mail to alice@example.com: "Account activation on');
    expect(await http('POST', '/auth/users/activation/', { uid: activation.uid, token: activation.token })).toMatchObject({ status: 204 });
    expect(await http('POST', '/auth/users/activation/', { uid: activation.uid, token: activation.token })).toMatchObject({ status: 403, body: { detail: 'Stale token for given user.' } });
    const session = (await http('POST', '/api/token/', alice)).body;
    expect(await http('GET', '/auth/users/me/', undefined, session.access)).toMatchObject({ status: 200, body: { username: 'alice', email: 'alice@example.com' } });

    expect(await http('POST', '/auth/users/reset_password/', { email: alice.email })).toMatchObject({ status: 204 });
    const reset = lastLink(alice.email, mailDir());
    expect(reset.url).toContain('/#/password/reset/confirm/');
    expect(await http('POST', '/auth/users/reset_password_confirm/', { uid: reset.uid, token: reset.token, new_password: 'a-new-long-password-7' })).toMatchObject({ status: 204 });
    expect(await http('POST', '/auth/users/reset_password_confirm/', { uid: reset.uid, token: reset.token, new_password: 'another-long-password-8' })).toMatchObject({
      status: 400,
      body: { token: ['Invalid token for given user.'] },
    });
    expect((await http('POST', '/api/token/refresh/', { refresh: session.refresh })).status).toBe(401);
    expect((await http('POST', '/api/token/', alice)).status).toBe(401);
    const renewed = (await http('POST', '/api/token/', { ...alice, password: 'a-new-long-password-7' })).body;
    expect(renewed.access).toBeDefined();

    expect(await http('DELETE', '/auth/users/me/', { current_password: 'a-new-long-password-7' }, renewed.access)).toMatchObject({ status: 204 });
    expect((await http('POST', '/api/token/', { ...alice, password: 'a-new-long-password-7' })).status).toBe(401);
  });

  it('refuses a link past PASSWORD_RESET_TIMEOUT', async () => {
    const bob = { username: 'bob', email: 'bob@example.com', password: 'S3cure-pass-123' };
    await http('POST', '/auth/users/', bob);
    await http('POST', '/auth/users/activation/', lastLink(bob.email, mailDir()));
    await http('POST', '/auth/users/reset_password/', { email: bob.email });
    const reset = lastLink(bob.email, mailDir());
    expect(mailsTo(bob.email, mailDir())).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 5500));
    expect(await http('POST', '/auth/users/reset_password_confirm/', { uid: reset.uid, token: reset.token, new_password: 'a-new-long-password-7' })).toMatchObject({
      status: 400,
      body: { token: ['Invalid token for given user.'] },
    });
  });
});
