/**
 * Moving from Django: users from `dumpdata auth.user` keep their ids and passwords (Django's pbkdf2_sha256,
 * re-hashed at the next login), and tokens the Django app issued keep working here with the same key.
 * The fixtures were made by the reference Django project (../shared/peer-simplejwt).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as obtain } from '../functions/obtain';
import { needsRehash, verifyPassword } from '../shared/users/passwords';
import { findUserById, findUserByUsername } from '../shared/users/users';
import { bearer, invoke } from './support/invoke';
import { AFTER_GRACE, later } from './support/clock';
import { PROJECT_ROOT, runNpm } from './support/processes';
import { claimsOf } from './support/tokens';

const FIXTURES = join(PROJECT_ROOT, 'test/fixtures');
const django = JSON.parse(readFileSync(join(FIXTURES, 'django-tokens.json'), 'utf8')) as {
  signingKey: string;
  access: string;
  refresh: string;
  passwords: Record<string, string>;
  hashVectors: { password: string; encoded: string }[];
};

describe("Django's password hashes", () => {
  it('verify with the vectors Django itself produced, and are marked for re-hashing', async () => {
    for (const { password, encoded } of django.hashVectors) {
      expect(await verifyPassword(password, encoded)).toBe(true);
      expect(await verifyPassword(`${password}x`, encoded)).toBe(false);
      expect(needsRehash(encoded)).toBe(true);
    }
    expect(await verifyPassword('anything', '!FwDmUxwMZgVJsWgey7lcbzALdWqnrhTLIyH9zEn8')).toBe(false);
  });
});

describe('npm run manage -- import-django-users', () => {
  let output: string;
  beforeAll(async () => {
    const result = await runNpm('manage', ['import-django-users', join(FIXTURES, 'django-users.json')]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    output = result.stdout;
  });

  it('keeps ids, names, flags and hashes, and skips users already present', async () => {
    expect(output).toContain('Imported 4 of 4 users.');
    expect(await findUserByUsername('grace')).toMatchObject({ id: '2', email: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper', isActive: true, isStaff: false });
    expect(await findUserById('1')).toMatchObject({ username: 'admin', isStaff: true, isSuperuser: true });
    expect(await findUserByUsername('former')).toMatchObject({ isActive: false });
    const again = await runNpm('manage', ['import-django-users', join(FIXTURES, 'django-users.json')]);
    expect(again.stdout).toContain('Imported 0 of 4 users.');
    expect(again.stdout).toContain('Skipped grace: That username is already taken.');
  });

  it('logs Django users in with their Django passwords, and re-hashes them with scrypt on the way', async () => {
    const before = (await findUserByUsername('grace'))!.passwordHash;
    expect(before).toMatch(/^pbkdf2_sha256\$/);
    const answer = await invoke(obtain, { body: { username: 'grace', password: django.passwords.grace } });
    expect(answer.status).toBe(200);
    expect(claimsOf(answer.body.access)).toMatchObject({ user_id: '2', email: 'grace@example.com', full_name: 'Grace Hopper' });
    expect((await findUserByUsername('grace'))!.passwordHash).toMatch(/^\$scrypt\$ln=17,/);
    expect((await invoke(obtain, { body: { username: 'grace', password: django.passwords.grace } })).status).toBe(200);
    expect((await invoke(obtain, { body: { username: 'grace', password: 'wrong' } })).status).toBe(401);
    expect((await invoke(obtain, { body: { username: 'former', password: django.passwords.former } })).status).toBe(401);
    expect((await invoke(obtain, { body: { username: 'nopass', password: '' + 'anything' } })).status).toBe(401);
  });

  it('never lets a login\'s re-hash undo a change made meanwhile (a new password, ended sessions)', async () => {
    const { setPassword, upgradePasswordHash, UserChangedError } = await import('../shared/users/users');
    const stale = (await findUserByUsername('admin'))!;
    expect(stale.passwordHash).toMatch(/^pbkdf2_sha256\$/);
    await setPassword((await findUserByUsername('admin'))!, '$scrypt$changed-meanwhile');
    await expect(upgradePasswordHash(stale, 'rehashed')).rejects.toBeInstanceOf(UserChangedError);
    expect((await findUserByUsername('admin'))!.passwordHash).toBe('$scrypt$changed-meanwhile');
  });

  it('answers bad files with one line', async () => {
    const result = await runNpm('manage', ['import-django-users', join(FIXTURES, 'django-tokens.json')]);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toMatch(/^Error: .* is not a dumpdata list\.$/);
  });
});

describe('tokens issued by the Django app', () => {
  it('verify, authenticate and refresh here with the same signing key (numeric user_id included)', async () => {
    await runNpm('manage', ['import-django-users', join(FIXTURES, 'django-users.json')]);
    vi.stubEnv('SIGNING_KEY', django.signingKey);
    vi.resetModules();
    try {
      const [{ handler: verify }, { handler: profile }, { handler: refresh }] = await Promise.all([
        import('../functions/verify'),
        import('../functions/profile'),
        import('../functions/refresh'),
      ]);
      expect(claimsOf(django.access).user_id).toBe(2);
      expect(await invoke(verify, { body: { token: django.access } })).toMatchObject({ status: 200, body: {} });
      expect(await invoke(profile, { method: 'GET', headers: bearer(django.access) })).toMatchObject({
        status: 200,
        body: { id: '2', username: 'grace', email: 'grace@example.com' },
      });
      const rotated = await invoke(refresh, { body: { refresh: django.refresh } });
      expect(rotated.status).toBe(200);
      expect(claimsOf(rotated.body.refresh)).toMatchObject({ user_id: 2, token_type: 'refresh', sid: expect.stringMatching(/^[0-9a-f]{32}$/) });
      expect(await later(AFTER_GRACE, () => invoke(refresh, { body: { refresh: django.refresh } }))).toMatchObject({ status: 401, body: { detail: 'Token is blacklisted' } });
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});
