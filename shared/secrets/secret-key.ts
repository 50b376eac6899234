/**
 * The service's own secret, as Django's SECRET_KEY: it keys the hashes that nobody outside may compute and
 * that must not change when signing keys rotate (the login throttle's keys and password fingerprints, a
 * rotated refresh token's successor, the session started for a token that had none). Each purpose gets
 * its own HMAC key, derived from the secret with HKDF-SHA256 (RFC 5869), so no two uses can be confused.
 *
 * Where it comes from: SECRET_KEY_SECRET_ARN (on Lambda: a Secrets Manager secret), else SECRET_KEY (the
 * local runner keeps one in its data folder). There is no default: a missing or short one is a
 * configuration error.
 */
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { SettingsError } from '../settings';
import { loadedOnce, readSecret } from './extension';

export const MIN_SECRET_KEY_BYTES = 32;

type Env = Readonly<Record<string, string | undefined>>;

const secretKey = loadedOnce(() => loadSecretKey(process.env));
const purposeKeys = new Map<string, Buffer>();

async function loadSecretKey(env: Env): Promise<Uint8Array> {
  if (env.SECRET_KEY_SECRET_ARN) return checkedSecretKey('the secret key secret', await readSecret(env.SECRET_KEY_SECRET_ARN, 'the secret key secret', env));
  if (!env.SECRET_KEY) throw new SettingsError('SECRET_KEY is not set');
  return checkedSecretKey('SECRET_KEY', env.SECRET_KEY);
}

export function checkedSecretKey(name: string, value: string): Uint8Array {
  const bytes = new TextEncoder().encode(value.trim());
  if (bytes.byteLength < MIN_SECRET_KEY_BYTES) throw new SettingsError(`${name} must be at least ${MIN_SECRET_KEY_BYTES} bytes`);
  return bytes;
}

/**
 * Django's salted_hmac(key_salt, value) with SHA-256: HMAC keyed with SHA-256(key_salt + SECRET_KEY), as
 * lowercase hex. For what must match Django's own constructions (account link tokens).
 */
export async function djangoSaltedHmac(keySalt: string, value: string): Promise<string> {
  const key = createHash('sha256').update(keySalt).update(await secretKey()).digest();
  return createHmac('sha256', key).update(value).digest('hex');
}

/** HMAC-SHA256 of `value` under the key for `purpose`, as lowercase hex (64 characters). */
export async function keyedHash(purpose: string, value: string): Promise<string> {
  let key = purposeKeys.get(purpose);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', await secretKey(), new Uint8Array(0), `serverless-simplejwt:${purpose}`, 32));
    purposeKeys.set(purpose, key);
  }
  return createHmac('sha256', key).update(value).digest('hex');
}
