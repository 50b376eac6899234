import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, verifyPassword } from '../shared/users/passwords';
import { passwordProblems } from '../shared/users/password-rules';

describe('password hashing', () => {
  it('stores scrypt at N=2^17, r=8, p=1 in a self-describing PHC string with a random salt', async () => {
    const [first, second] = await Promise.all([hashPassword('correct horse'), hashPassword('correct horse')]);
    expect(first).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain('correct horse');
  });

  it('verifies the right password and refuses others', async () => {
    const stored = await hashPassword('correct horse');
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('correct horse ', stored)).toBe(false);
    expect(await verifyPassword('Correct horse', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('keeps verifying hashes written with other parameters, and flags weaker ones for rehashing', async () => {
    const stored = await hashPassword('pw');
    expect(needsRehash(stored)).toBe(false);
    // A hash at ln=14 (as an older release might have written), recomputed here with node:crypto.
    const { scryptSync } = await import('node:crypto');
    const salt = Buffer.from('0123456789abcdef');
    const key = scryptSync('pw', salt, 32, { N: 2 ** 14, r: 8, p: 1 });
    const older = `$scrypt$ln=14,r=8,p=1$${salt.toString('base64').replace(/=+$/, '')}$${key.toString('base64').replace(/=+$/, '')}`;
    expect(await verifyPassword('pw', older)).toBe(true);
    expect(needsRehash(older)).toBe(true);
  });

  it('never hashes or matches a password with a NUL character (HMAC would pad "pw" to "pw\\0")', async () => {
    const stored = await hashPassword('pw');
    expect(await verifyPassword('pw\u0000', stored)).toBe(false);
    await expect(hashPassword('pw\u0000')).rejects.toThrow('Null characters');
  });

  it('treats an unreadable or hostile stored value as a mismatch', async () => {
    for (const stored of ['', 'plaintext', 'pbkdf2_sha256$1$salt$hash', '$scrypt$ln=40,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']) {
      expect(await verifyPassword('pw', stored)).toBe(false);
    }
  });
});

describe("Django's password validators", () => {
  it('accepts a long, unrelated password', () => {
    expect(passwordProblems('v3ry-l0ng-and-unrelated', { username: 'admin', email: 'admin@example.com' })).toEqual([]);
  });

  it("names each problem in Django's words", () => {
    expect(passwordProblems('admin', { username: 'admin' })).toEqual([
      'The password is too similar to the username.',
      'This password is too short. It must contain at least 8 characters.',
    ]);
    expect(passwordProblems('12345678')).toEqual(['This password is entirely numeric.']);
    expect(passwordProblems('ada.lovelace', { email: 'ada.lovelace@example.com' })).toEqual([
      'The password is too similar to the email address.',
    ]);
  });
});
