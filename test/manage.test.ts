/** `npm run manage` as an operator uses it, on the test run's DynamoDB Local. */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { handler as obtain } from '../functions/obtain';
import { findUserByUsername } from '../shared/users/users';
import { invoke } from './support/invoke';
import { mailsTo } from './support/mail';
import { PROJECT_ROOT, runNpm } from './support/processes';

const manage = (args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}) =>
  runNpm('manage', args, { input: options.input ?? '', env: { ...process.env, ...options.env }, ...(options.cwd ? { cwd: options.cwd } : {}) });
const fresh = () => `op-${randomUUID().slice(0, 8)}`;
const canLogIn = async (username: string, password: string) =>
  (await invoke(obtain, { body: { username, password } })).status === 200;

describe('npm run manage', () => {
  it('createsuperuser asks for username, email and password, and warns about a weak one', async () => {
    const username = fresh();
    const result = await manage(['createsuperuser'], { input: `${username}\n${username}@example.com\nshort\nshort\ny\n` });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Username (leave blank to use');
    expect(result.stdout).toContain('Email address: ');
    expect(result.stdout).toContain('Password (again): ');
    expect(result.stderr).toContain('This password is too short. It must contain at least 8 characters.');
    expect(result.stdout).toContain('Superuser created successfully.');
    expect(result.stdout + result.stderr).not.toContain('short\n');
    const user = await findUserByUsername(username);
    expect(user).toMatchObject({ email: `${username}@example.com`, isStaff: true, isSuperuser: true, isActive: true });
    expect(await canLogIn(username, 'short')).toBe(true);
  });

  it('createsuperuser asks again after mismatched or blank passwords, and refuses a taken username', async () => {
    const username = fresh();
    const input = `${username}\n\nfirst-try-pass\nsecond-try-pass\n\n\ngood-password-1\ngood-password-1\n`;
    const result = await manage(['createsuperuser'], { input });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("Error: Your passwords didn't match.");
    expect(result.stderr).toContain("Error: Blank passwords aren't allowed.");
    expect(await canLogIn(username, 'good-password-1')).toBe(true);

    const again = await manage(['createsuperuser', '--noinput', '--username', username], { env: { SUPERUSER_PASSWORD: 'x-password-2' } });
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe('Error: That username is already taken.');
  });

  it('--noinput takes the password from SUPERUSER_PASSWORD, and needs --username', async () => {
    const username = fresh();
    const result = await manage(['createsuperuser', '--noinput', '--username', username, '--email', 'ops@example.com'], {
      env: { SUPERUSER_PASSWORD: 'from-the-environment' },
    });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(await canLogIn(username, 'from-the-environment')).toBe(true);

    const missing = await manage(['createsuperuser', '--noinput'], { env: { SUPERUSER_PASSWORD: 'x' } });
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('Error: You must use --username with --noinput (or set DJANGO_SUPERUSER_USERNAME).');
    const noPassword = await manage(['createsuperuser', '--noinput', '--username', fresh()], { env: { SUPERUSER_PASSWORD: '' } });
    expect(noPassword.code).toBe(1);
    expect(noPassword.stderr).toContain('SUPERUSER_PASSWORD');
  });

  it('createuser makes a user without staff rights, with names for full_name', async () => {
    const username = fresh();
    const result = await manage(['createuser', '--noinput', '--username', username, '--first-name', 'Grace', '--last-name', 'Hopper'], {
      env: { USER_PASSWORD: 'user-password-1' },
    });
    expect(result.code).toBe(0);
    expect(await findUserByUsername(username)).toMatchObject({ isStaff: false, isSuperuser: false, firstName: 'Grace', lastName: 'Hopper' });
  });

  it('refuses bad usernames and emails in one line', async () => {
    const badName = await manage(['createuser', '--noinput', '--username', 'no spaces!'], { env: { USER_PASSWORD: 'pw-123456' } });
    expect(badName.code).toBe(1);
    expect(badName.stderr.trim()).toBe('Error: Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.');
    const badEmail = await manage(['createuser', '--noinput', '--username', fresh(), '--email', 'not-an-email'], { env: { USER_PASSWORD: 'pw-123456' } });
    expect(badEmail.code).toBe(1);
    expect(badEmail.stderr.trim()).toBe('Error: Enter a valid email address.');
  });

  it('changepassword asks twice, gives up after three failed attempts, and changes the password', async () => {
    const username = fresh();
    await manage(['createuser', '--noinput', '--username', username], { env: { USER_PASSWORD: 'old-password-1' } });

    const giveUp = await manage(['changepassword', username], { input: 'aaaaaaaa1\nbbbbbbbb1\n12345678\n12345678\nshort\nshort\n' });
    expect(giveUp.code).toBe(1);
    expect(giveUp.stderr).toContain('Passwords do not match. Please try again.');
    expect(giveUp.stderr).toContain('This password is entirely numeric.');
    expect(giveUp.stderr.trim().split('\n').at(-1)).toBe(`Error: Aborting password change for user '${username}' after 3 attempts`);
    expect(await canLogIn(username, 'old-password-1')).toBe(true);

    const changed = await manage(['changepassword', username], { input: 'new-password-77\nnew-password-77\n' });
    expect(changed.code).toBe(0);
    expect(changed.stdout).toContain(`Password changed successfully for user '${username}'`);
    expect(await canLogIn(username, 'new-password-77')).toBe(true);
    expect(await canLogIn(username, 'old-password-1')).toBe(false);
  });

  it('logout-all, changepassword and deactivate end the sessions a user already has', async () => {
    const { handler: refresh } = await import('../functions/refresh');
    const username = fresh();
    await manage(['createuser', '--noinput', '--username', username], { env: { USER_PASSWORD: 'first-password-1' } });
    const loginRefresh = async (pw: string) => (await invoke(obtain, { body: { username, password: pw } })).body.refresh as string;
    const stillWorks = async (token: string) => (await invoke(refresh, { body: { refresh: token } })).status === 200;

    let token = await loginRefresh('first-password-1');
    expect((await manage(['logout-all', username])).stdout.trim()).toBe(`Every session of user '${username}' has ended.`);
    expect(await stillWorks(token)).toBe(false);

    token = await loginRefresh('first-password-1');
    expect((await manage(['changepassword', username], { input: 'second-password-2\nsecond-password-2\n' })).code).toBe(0);
    expect(await stillWorks(token)).toBe(false);

    token = await loginRefresh('second-password-2');
    await manage(['deactivate', username]);
    await manage(['activate', username]);
    expect(await stillWorks(token)).toBe(false);
    expect(await stillWorks(await loginRefresh('second-password-2'))).toBe(true);
  });

  it('sessions lists the live sessions, end-session ends one, unlock lifts a login throttle lock-out', async () => {
    const username = fresh();
    await manage(['createuser', '--noinput', '--username', username], { env: { USER_PASSWORD: 'session-password-3' } });
    const logIn = async (userAgent: string) =>
      (await invoke(obtain, { body: { username, password: 'session-password-3' }, headers: { 'user-agent': userAgent } })).body as { access: string; refresh: string };
    const phone = await logIn('Phone/1.0');
    await logIn('Laptop/2.0');
    const listed = await manage(['sessions', username]);
    expect(listed.code).toBe(0);
    const sid = JSON.parse(Buffer.from(phone.access.split('.')[1]!, 'base64url').toString()).sid as string;
    expect(listed.stdout).toContain(sid);
    expect(listed.stdout).toMatch(/Phone\/1\.0/);
    expect(listed.stdout).toMatch(/Laptop\/2\.0/);
    expect((await manage(['end-session', username, sid])).stdout.trim()).toBe(`Session ${sid} of user '${username}' has ended.`);
    expect((await manage(['sessions', username])).stdout).not.toContain(sid);
    const again = await manage(['end-session', username, sid]);
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toMatch(/^Error: User '.*' has no live session/);

    for (let i = 0; i < 5; i++) await invoke(obtain, { body: { username, password: `guess-${i}` } });
    expect((await invoke(obtain, { body: { username, password: 'session-password-3' } })).status).toBe(429);
    expect((await manage(['unlock', username])).code).toBe(0);
    expect(await canLogIn(username, 'session-password-3')).toBe(true);
    // A password change and a reactivation lift it too.
    for (let i = 0; i < 5; i++) await invoke(obtain, { body: { username, password: `guess-${i}` } });
    expect((await manage(['changepassword', username, '--noinput'], { env: { NEW_PASSWORD: 'session-password-4' } })).code).toBe(0);
    expect(await canLogIn(username, 'session-password-4')).toBe(true);
    for (let i = 0; i < 5; i++) await invoke(obtain, { body: { username, password: `guess-${i}` } });
    await manage(['deactivate', username]);
    expect((await manage(['deactivate', username])).stdout.trim()).toBe(`User '${username}' is already inactive.`);
    await manage(['activate', username]);
    expect(await canLogIn(username, 'session-password-4')).toBe(true);
  });

  it('deactivate and activate switch login off and on', async () => {
    const username = fresh();
    await manage(['createuser', '--noinput', '--username', username], { env: { USER_PASSWORD: 'some-password-9' } });
    expect((await manage(['deactivate', username])).stdout.trim()).toBe(`User '${username}' deactivated.`);
    expect(await canLogIn(username, 'some-password-9')).toBe(false);
    expect((await manage(['activate', username])).stdout.trim()).toBe(`User '${username}' activated.`);
    expect(await canLogIn(username, 'some-password-9')).toBe(true);
  });

  it('--aws needs the deployed table name and starts no local database', async () => {
    const result = await manage(['--aws', 'deactivate', 'someone'], { env: { USERS_TABLE: '', DYNAMODB_ENDPOINT: '' } });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe("Error: With --aws, set USERS_TABLE to the stack's UsersTableName output.");
  });

  it("rotates a key set file, such as the cloud secret's value, starting from a bare HS256 secret", async () => {
    const { mkdtempSync, writeFileSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = join(mkdtempSync(join(tmpdir(), 'keys-')), 'secret.json');
    const bare = 'b'.repeat(64);
    writeFileSync(file, bare);
    // No USERS_TABLE, no DynamoDB: with --file nothing else is touched.
    const noTables = { USERS_TABLE: '', DYNAMODB_ENDPOINT: '' };
    const rotated = await manage(['--aws', 'rotate-key', '--algorithm', 'RS256', '--next', '--file', file], { env: noTables });
    expect(rotated.code).toBe(0);
    const keys = JSON.parse(readFileSync(file, 'utf8')).keys as { kid: string; alg: string; secret?: string }[];
    // --next: published and verifying, not yet signing.
    expect(keys.map((key) => key.alg)).toEqual(['HS256', 'RS256']);
    expect(keys[0]!.secret).toBe(bare);
    expect((await manage(['--aws', 'promote-key', keys[1]!.kid, '--file', file], { env: noTables })).code).toBe(0);
    const listed = await manage(['--aws', 'list-keys', '--file', file], { env: noTables });
    expect(listed.stdout.trim().split('\n')).toEqual([`${keys[1]!.kid}  RS256  signs and verifies`, 'initial  HS256  verifies']);
    const withoutFile = await manage(['--aws', 'rotate-key'], { env: { USERS_TABLE: 'unused', DYNAMODB_ENDPOINT: '' } });
    expect(withoutFile.stderr.trim()).toBe('Error: rotate-key with --aws needs --file: see "Rotating keys in the cloud" in the README.');
  });

  it('answers bad input with one clear line and a non-zero exit', async () => {
    const cases: [string[], number, string][] = [
      [['deactivate', 'no-such-user-anywhere'], 1, "Error: User 'no-such-user-anywhere' does not exist."],
      [['changepassword', 'no-such-user-anywhere'], 1, "Error: User 'no-such-user-anywhere' does not exist."],
      [['activate'], 2, 'Error: activate takes exactly one username.'],
      [['frobnicate'], 2, 'Error: unknown command'],
      [['createuser', '--bogus'], 2, "Error: Unknown option '--bogus'"],
      [['--aws', 'activate', 'someone'], 1, '--aws and DYNAMODB_ENDPOINT contradict each other'],
    ];
    for (const [args, code, message] of cases) {
      const result = await manage(args);
      expect(result.code).toBe(code);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toContain(message);
    }
  });

  it('--help for all commands and for one; one-line errors without class names', async () => {
    const all = await manage(['--help']);
    expect(all.code).toBe(0);
    for (const command of ['createsuperuser', 'users', 'set-staff', 'delete-user', 'sessions', 'unlock', 'rotate-key']) expect(all.stdout).toContain(command);
    const one = await manage(['set-staff', '--help']);
    expect(one).toMatchObject({ code: 0 });
    expect(one.stdout.trim()).toBe('Usage: npm run manage -- [--aws] set-staff USER on|off  Gives or takes staff rights (is_staff).');
    const missing = await manage(['changepassword', 'nobody-at-all', '--noinput'], { env: { NEW_PASSWORD: 'whatever-1' } });
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.stderr.trim()).toBe("Error: User 'nobody-at-all' does not exist.");
    const badAlgorithm = await manage(['rotate-key', '--algorithm', 'HS999', '--file', '/nonexistent/keys.json']);
    expect(badAlgorithm.stderr.trim()).toBe('Error: --algorithm must be one of HS256, RS256, ES256, EdDSA');
  });

  it('send-test-mail writes one mail the way account mails go, and refuses a non-address', async () => {
    const address = `${fresh()}@example.com`;
    const result = await manage(['send-test-mail', address]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Test mail written to ${process.env.MAIL_DIR}`);
    const mails = mailsTo(address);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toMatch(/^Test mail from /);
    const refused = await manage(['send-test-mail', 'not-an-address']);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe("Error: 'not-an-address' is not an email address.");
  });

  it("createsuperuser --noinput takes Django's DJANGO_SUPERUSER_* variables, and refuses a password no login could type", async () => {
    const username = fresh();
    const made = await manage(['createsuperuser', '--noinput'], {
      env: { DJANGO_SUPERUSER_USERNAME: username, DJANGO_SUPERUSER_EMAIL: 'boss@example.com', DJANGO_SUPERUSER_PASSWORD: 'boss-password-1' },
    });
    expect(made).toMatchObject({ code: 0 });
    expect(await findUserByUsername(username)).toMatchObject({ email: 'boss@example.com', isSuperuser: true });
    const spaced = await manage(['createuser', '--noinput', '--username', fresh()], { env: { USER_PASSWORD: ' padded-password ' } });
    expect(spaced.code).toBe(1);
    expect(spaced.stderr.trim()).toBe('Error: Passwords cannot start or end with spaces: logins trim them, as Django REST framework does.');
  });

  it('users lists them, set-staff switches staff rights, delete-user removes a user and its sessions', async () => {
    const username = fresh();
    await manage(['createuser', '--noinput', '--username', username, '--email', 'list@example.com'], { env: { USER_PASSWORD: 'list-password-1' } });
    const listed = await manage(['users']);
    expect(listed.stdout).toMatch(new RegExp(`${username}\\s+yes\\s+no\\s+no\\s+\\d{4}-\\d{2}-\\d{2}\\s+list@example.com`));
    expect((await manage(['set-staff', username, 'on'])).stdout.trim()).toBe(`User '${username}' is now staff. Access tokens say so from their next refresh.`);
    expect((await findUserByUsername(username))!.isStaff).toBe(true);
    expect((await manage(['set-staff', username, 'on'])).stdout.trim()).toBe(`User '${username}' is already staff.`);
    expect(await canLogIn(username, 'list-password-1')).toBe(true);
    expect((await manage(['delete-user', username], { input: 'n\n' })).stdout).toContain('Nothing was deleted.');
    expect((await manage(['delete-user', username, '--noinput'])).stdout.trim()).toBe(`User '${username}' deleted.`);
    expect(await findUserByUsername(username)).toBeUndefined();
    expect(await canLogIn(username, 'list-password-1')).toBe(false);
  });

  it('reads a file from the directory the command is typed in, and says what it skipped and why', async () => {
    const dir = mkdtempSync(join(PROJECT_ROOT, 'test', '.tmp-import-'));
    try {
      const [noPassword, other] = [`np-${randomUUID().slice(0, 6)}`, `ot-${randomUUID().slice(0, 6)}`];
      writeFileSync(
        join(dir, 'dump.json'),
        JSON.stringify([
          { model: 'auth.user', pk: 900000 + Math.floor(Math.random() * 99999), fields: { username: noPassword, password: '', is_active: true } },
          { model: 'auth.group', pk: 1, fields: { name: other } },
        ]),
      );
      const result = await manage(['import-django-users', 'dump.json'], { cwd: dir });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Imported 1 of 1 users.');
      expect(result.stdout).toContain('Skipped the records that are not auth.user: auth.group.');
      expect(result.stdout).toContain(`These users have no password; they need one (changepassword): ${noPassword}`);
      expect(result.stdout).not.toContain('hasher');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Ctrl-C at a prompt says "Operation cancelled." as Django does', async () => {
    const child = spawn('npm', ['run', '-s', 'manage', '--', 'createsuperuser'], { cwd: PROJECT_ROOT, env: process.env, detached: true });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 300 && !/Username/.test(output); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(output).toMatch(/Username/);
    process.kill(-child.pid!, 'SIGINT'); // a terminal's Ctrl-C reaches the whole process group
    expect(await exited).not.toBe(0);
    expect(output).toContain('Operation cancelled.');
  });
});
