/** `npm start` as a developer meets it: its own DynamoDB Local, data kept across restarts, CORS, clear failures. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../infra/local/dynamodb-local';
import { apiFetch } from './support/api-fetch';
import { PROJECT_ROOT, runNpm, startServer, type Server } from './support/processes';
import { TEST_TABLE_ENV } from './support/tables';

const tempDirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'runner-'));
  tempDirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** An environment without the test run's settings: what a developer's shell would have. */
function developerEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const name of ['DYNAMODB_ENDPOINT', 'SIGNING_KEY', 'SECRET_KEY', 'API_URL', 'MAIL_DIR', ...Object.keys(TEST_TABLE_ENV)]) if (!(name in extra)) delete env[name];
  return env;
}

const post = (url: string, path: string, json: unknown) =>
  apiFetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(json) });

describe('npm start with its own DynamoDB Local', () => {
  it('keeps users and the signing key across restarts, and manage works whether or not it runs', async () => {
    const dataDir = tempDir();
    const env = developerEnv({ DATA_DIR: dataDir, PORT: String(await freePort()) });

    // manage with no server running starts DynamoDB Local on the data folder itself.
    const created = await runNpm('manage', ['createsuperuser', '--noinput', '--username', 'admin', '--email', 'a@example.com'], {
      env: { ...env, SUPERUSER_PASSWORD: 'admin' },
    });
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(statSync(join(dataDir, 'signing-keys.json')).mode & 0o777).toBe(0o600);

    let server: Server = await startServer(env);
    let access: string;
    try {
      const login = await post(server.url, '/api/token/', { username: 'admin', password: 'admin' });
      expect(login.status).toBe(200);
      ({ access } = (await login.json()) as { access: string });
      // manage while the server runs uses the server's DynamoDB Local.
      const made = await runNpm('manage', ['createuser', '--noinput', '--username', 'second'], { env: { ...env, USER_PASSWORD: 'second-pass' } });
      expect(made.code).toBe(0);
    } finally {
      await server.stop();
    }

    server = await startServer(env);
    try {
      expect((await post(server.url, '/api/token/', { username: 'second', password: 'second-pass' })).status).toBe(200);
      // Same key after the restart: the earlier access token is still good.
      const profile = await apiFetch(`${server.url}/account/profile`, { headers: { authorization: `Bearer ${access}` } });
      expect(profile.status).toBe(200);
      expect(await profile.json()).toMatchObject({ username: 'admin' });
      expect(server.output()).not.toContain(access);
    } finally {
      await server.stop();
    }
  });
});

/** DynamoDB Local processes whose database lives under `dataDir`. */
function javaProcessesFor(dataDir: string): string[] {
  const { stdout } = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return stdout.split('\n').filter((line) => line.includes('DynamoDBLocal.jar') && line.includes(dataDir));
}

describe('one DynamoDB Local shared by npm start and manage', () => {
  it('outlives whichever process started it while another still uses it, and stops with the last', async () => {
    const dataDir = tempDir();
    const env = developerEnv({ DATA_DIR: dataDir, PORT: String(await freePort()) });
    // manage starts the database, then waits at its first prompt.
    const manage = spawn('npm', ['run', '-s', 'manage', '--', 'createsuperuser'], { cwd: PROJECT_ROOT, env });
    let manageOutput = '';
    manage.stdout.on('data', (chunk: Buffer) => (manageOutput += chunk.toString()));
    const manageExit = new Promise<number | null>((resolve) => manage.on('exit', resolve));
    for (const started = Date.now(); !manageOutput.includes('Username'); ) {
      if (Date.now() - started > 60_000) throw new Error(`manage never prompted: ${manageOutput}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const server = await startServer(env);
    try {
      manage.stdin.end('shared\nshared@example.com\nshared-password\nshared-password\n');
      expect(await manageExit).toBe(0);
      // manage has gone; the database it started must still serve the server.
      const login = await post(server.url, '/api/token/', { username: 'shared', password: 'shared-password' });
      expect(login.status).toBe(200);
      expect(javaProcessesFor(dataDir)).toHaveLength(1);
    } finally {
      await server.stop();
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(javaProcessesFor(dataDir)).toEqual([]);
  });

  it('leaves no DynamoDB Local running when setup fails after starting it', async () => {
    const dataDir = tempDir();
    // A users table named like the blacklist table: the key schemas clash after DynamoDB Local started.
    const result = await runNpm('manage', ['deactivate', 'anyone'], {
      env: developerEnv({ DATA_DIR: dataDir, USERS_TABLE: 'clash-table', BLACKLIST_TABLE: 'clash-table' }),
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^Error: Table clash-table exists with key/);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(javaProcessesFor(dataDir)).toEqual([]);
  });
});

describe('key rotation on the local key set', () => {
  it('keeps tokens signed before a rotation valid after it, and stops those of a retired key', async () => {
    const env = developerEnv({ DATA_DIR: tempDir(), DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT, ...TEST_TABLE_ENV, ALGORITHM: 'ES256' });
    const username = `rot-${Date.now()}`;
    const created = await runNpm('manage', ['createsuperuser', '--noinput', '--username', username], { env: { ...env, SUPERUSER_PASSWORD: 'rotation-pass-1' } });
    expect(created.code).toBe(0);
    const serve = async <T>(action: (url: string) => Promise<T>): Promise<T> => {
      const server = await startServer({ ...env, PORT: String(await freePort()) });
      try {
        return await action(server.url);
      } finally {
        await server.stop();
      }
    };
    const login = async (url: string) => ((await (await post(url, '/api/token/', { username, password: 'rotation-pass-1' })).json()) as { access: string }).access;
    const verifies = async (url: string, token: string) => (await post(url, '/api/token/verify/', { token })).status === 200;
    const kidOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid as string;

    const before = await serve(login);
    const rotated = await runNpm('manage', ['rotate-key'], { env });
    expect(rotated.stdout).toMatch(/^New ES256 key \w+ signs from now on/);
    const after = await serve(async (url) => {
      expect(await verifies(url, before)).toBe(true);
      const token = await login(url);
      const jwks = (await (await apiFetch(`${url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
      expect(jwks.keys.map((key) => key.kid)).toEqual([kidOf(token), kidOf(before)]);
      return token;
    });
    expect(kidOf(after)).not.toBe(kidOf(before));
    expect((await runNpm('manage', ['retire-key', kidOf(after)], { env })).stderr).toContain('is the signing key');
    expect((await runNpm('manage', ['retire-key', kidOf(before)], { env })).code).toBe(0);
    await serve(async (url) => {
      expect(await verifies(url, before)).toBe(false);
      expect(await verifies(url, after)).toBe(true);
    });
  });
});

describe('npm start on a shared DynamoDB', () => {
  let server: Server;
  beforeAll(async () => {
    server = await startServer(
      developerEnv({
        DATA_DIR: tempDir(),
        PORT: String(await freePort()),
        DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT,
        ...TEST_TABLE_ENV,
        CORS_ALLOWED_ORIGINS: 'https://app.example.com',
      }),
    );
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers CORS preflights for configured origins only', async () => {
    const preflight = (origin: string) =>
      apiFetch(`${server.url}/api/token/`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const allowed = await preflight('https://app.example.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');
    expect(allowed.headers.get('access-control-allow-headers')).toContain('content-type');
    const other = await preflight('https://evil.example.com');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();

    const actual = await apiFetch(`${server.url}/api/token/verify/`, {
      method: 'POST',
      headers: { origin: 'https://app.example.com', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(actual.status).toBe(400);
    expect(actual.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });

  it('puts protected routes behind the authorizer, as API Gateway does', async () => {
    const whoami = (authorization?: string) => apiFetch(`${server.url}/account/whoami`, { headers: authorization ? { authorization } : {} });
    const missing = await whoami();
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ message: 'Unauthorized' });
    const refused = await whoami('Bearer garbage');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ message: 'Forbidden' });
    const { createTestUser } = await import('./support/users');
    const { user, password } = await createTestUser();
    const { access } = (await (await post(server.url, '/api/token/', { username: user.username, password })).json()) as { access: string };
    const allowed = await whoami(`Bearer ${access}`);
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toMatchObject({ user_id: user.id, username: user.username });
  });

  it('logs method, path and status, never a body or a header', async () => {
    await post(server.url, '/api/token/', { username: 'nobody', password: 'secret-in-a-body' });
    await apiFetch(`${server.url}/account/profile`, { headers: { authorization: 'Bearer secret-in-a-header' } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.output()).toMatch(/POST \/api\/token\/ 401/);
    expect(server.output()).not.toContain('secret-in-a');
  });

  it('refuses a port in use with one clear line', async () => {
    const port = new URL(server.url).port;
    const result = spawnSync('npm', ['start'], {
      cwd: PROJECT_ROOT,
      env: developerEnv({ DATA_DIR: tempDir(), PORT: port, DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`Error: port ${port} is in use; give another: npm start -- ${Number(port) + 1}`);
  });
});

describe('without Java', () => {
  it('says so in one line, with how to fix it', async () => {
    const bin = tempDir();
    symlinkSync(process.execPath, join(bin, 'node'));
    const result = spawnSync(process.execPath, [join(PROJECT_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'infra/start.ts'], {
      cwd: PROJECT_ROOT,
      env: developerEnv({ PATH: bin, DATA_DIR: tempDir(), PORT: String(await freePort()) }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Error: Java was not found\. DynamoDB Local needs Java 17 or newer: install it .*openjdk-17-jre-headless/);
  });
});

/** Every process whose parent chain leads to `pid` (Linux /proc). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const [child, of] of parents) if (of === parent && !found.includes(child)) (found.push(child), visit(child));
  };
  visit(pid);
  return found;
}
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
async function waitUntil(condition: () => boolean, seconds: number): Promise<boolean> {
  for (const started = Date.now(); Date.now() - started < seconds * 1000; await new Promise((resolve) => setTimeout(resolve, 200))) if (condition()) return true;
  return condition();
}

describe('stopping npm start', () => {
  async function start(dataDir: string, port: number) {
    const child = spawn('npm', ['start', '--', String(port)], { cwd: PROJECT_ROOT, env: developerEnv({ DATA_DIR: dataDir }), stdio: 'ignore' });
    const url = `http://127.0.0.1:${port}`;
    expect(await waitUntil(() => readdirSyncSafe(join(dataDir, 'dynamodb-local.users')).length > 0, 60)).toBe(true);
    for (let i = 0; i < 300; i++) {
      if (await apiFetch(`${url}/api/token/`).then(() => true, () => false)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const record = JSON.parse(readFileSync(join(dataDir, 'dynamodb-local.json'), 'utf8')) as { pid: number };
    return { npm: child.pid!, url, java: record.pid, tree: [child.pid!, ...descendants(child.pid!)] };
  }
  const readdirSyncSafe = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };

  it('SIGTERM to the npm process ends the server, its DynamoDB Local and every process of the tree', async () => {
    const { npm, url, java, tree } = await start(tempDir(), await freePort());
    expect((await apiFetch(`${url}/api/token/`)).status).toBe(405);
    expect(tree.length).toBeGreaterThanOrEqual(3);
    process.kill(npm, 'SIGTERM');
    expect(await waitUntil(() => [...tree, java].every((pid) => !alive(pid)), 20)).toBe(true);
    expect(await apiFetch(`${url}/api/token/`).then(() => 'answered', () => 'refused')).toBe('refused');
  });

  it('kill -9 of the server leaves no DynamoDB Local listening: its watchdog stops it', async () => {
    const { url, java, tree } = await start(tempDir(), await freePort());
    const server = tree.find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('infra/start.ts') && !readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sh'))!;
    process.kill(server, 'SIGKILL');
    expect(await waitUntil(() => !alive(java), 20)).toBe(true);
    expect(await apiFetch(`${url}/api/token/`).then(() => 'answered', () => 'refused')).toBe('refused');
    for (const pid of tree) if (alive(pid)) process.kill(pid, 'SIGTERM');
  });
});

describe('npm start refuses a bad setting before serving, in one line', () => {
  const startOnce = (env: NodeJS.ProcessEnv, args: string[] = []) =>
    spawnSync('npm', ['start', '--', ...args], { cwd: PROJECT_ROOT, env: developerEnv({ DATA_DIR: tempDir(), ...env }), encoding: 'utf8', timeout: 60_000 });

  it.each([
    [{ PORT: '' }, [], /^Error: PORT must be a port number from 0 to 65535, not ""$/],
    [{}, ['http://x'], /^Error: the port must be a port number from 0 to 65535, not "\/\/x"$/],
    [{ SIGNING_KEYS: '{bad' }, [], /^Error: SIGNING_KEYS is not a valid key set \(JSON\)$/],
    [{ CORS_ALLOWED_ORIGINS: 'app.example.com' }, [], /^Error: CORS_ALLOWED_ORIGINS must list origins such as https:\/\/app\.example\.com/],
    [{ ACCESS_TOKEN_LIFETIME: '30d' }, [], /^Error: ACCESS_TOKEN_LIFETIME must not be longer than REFRESH_TOKEN_LIFETIME$/],
  ])('%o %o', (env, args, message) => {
    const result = startOnce(env as NodeJS.ProcessEnv, args as string[]);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(message as RegExp);
  });
});
