/** Whatever happens, no log line carries a password, a token or the signing key. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../infra/local/dynamodb-local';
import { ROUTES } from '../infra/routes';
import type { LambdaHandler } from '../shared/http/endpoint';
import { AFTER_GRACE, later } from './support/clock';
import { bearer, invoke } from './support/invoke';
import { createTestUser } from './support/users';

const captured: string[] = [];
const capture = (...args: unknown[]) => void captured.push(args.map(String).join(' '));

beforeAll(() => {
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) vi.spyOn(console, level).mockImplementation(capture);
  const write = (chunk: unknown) => (captured.push(String(chunk)), true);
  vi.spyOn(process.stdout, 'write').mockImplementation(write);
  vi.spyOn(process.stderr, 'write').mockImplementation(write);
});
afterAll(() => vi.restoreAllMocks());

async function loadHandlers(): Promise<Record<string, LambdaHandler>> {
  vi.resetModules();
  const entries = await Promise.all(
    ROUTES.map(async (route) => [route.name, ((await import(`../functions/${route.name}.ts`)) as { handler: LambdaHandler }).handler] as const),
  );
  return Object.fromEntries(entries);
}

describe('logs', () => {
  it('hold no password, token or key through logins, refreshes, replays, failures and faults', async () => {
    const secrets: string[] = [process.env.SIGNING_KEY!, process.env.SECRET_KEY!];
    const { user, password } = await createTestUser();
    secrets.push(password);
    let h = await loadHandlers();

    const tokens = (await invoke(h.obtain!, { body: { username: user.username, password } })).body;
    await invoke(h.obtain!, { body: { username: user.username, password: 'a-wrong-password-123' } });
    await invoke(h.obtain!, { body: { username: 'typed-a-password-here-by-mistake', password: 'x' } });
    secrets.push('a-wrong-password-123', 'typed-a-password-here-by-mistake');
    const rotated = (await invoke(h.refresh!, { body: { refresh: tokens.refresh } })).body;
    await invoke(h.refresh!, { body: { refresh: tokens.refresh } }); // a retry
    await later(AFTER_GRACE, () => invoke(h.refresh!, { body: { refresh: tokens.refresh } })); // a replay
    await invoke(h.verify!, { body: { token: rotated.access } });
    await invoke(h.profile!, { method: 'GET', headers: bearer(rotated.access) });
    await invoke(h.obtain!, { body: `{"username":"${user.username}","password":"${password}"`, headers: { 'content-type': 'application/json' } });
    await invoke(h.password!, { headers: bearer(rotated.access), body: { old_password: 'not-it-at-all', new_password: 'next-password-99' } });
    secrets.push('not-it-at-all', 'next-password-99');
    await invoke(h.logout!, { body: { refresh: rotated.refresh } });
    for (const token of [tokens.access, tokens.refresh, rotated.access, rotated.refresh]) secrets.push(token, token.split('.')[2]!);

    // DynamoDB unreachable: the 503 path logs too.
    vi.stubEnv('DYNAMODB_ENDPOINT', `http://127.0.0.1:${await freePort()}`);
    h = await loadHandlers();
    await invoke(h.obtain!, { body: { username: user.username, password } });
    await invoke(h.profile!, { method: 'GET', headers: bearer(rotated.access) });
    // No signing key at all: the misconfiguration path.
    vi.stubEnv('SIGNING_KEY', '');
    h = await loadHandlers();
    await invoke(h.verify!, { body: { token: rotated.access } });
    vi.unstubAllEnvs();
    vi.resetModules();

    const output = captured.join('\n');
    expect(output).toMatch(/dynamodb unavailable/); // the capture works: fault lines were written
    expect(output).toMatch(/misconfigured: SIGNING_KEY is not set/);
    for (const secret of secrets) expect(output).not.toContain(secret);
  });
});
