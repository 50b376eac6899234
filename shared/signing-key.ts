import { SettingsError } from './settings';

/**
 * RFC 7518 section 3.2: an HS256 key MUST be at least as long as the hash output (256 bits). Django's
 * SECRET_KEY (50 characters) passes, so a migrating project can keep signing with its own key.
 */
export const MIN_SIGNING_KEY_BYTES = 32;

let cached: Promise<Uint8Array> | undefined;

/**
 * The HMAC key, as the UTF-8 bytes of SIGNING_KEY (the same bytes simplejwt signs with). There is no
 * default: a missing or short key is a configuration error, never a silent fallback.
 */
export function signingKey(): Promise<Uint8Array> {
  cached ??= Promise.resolve().then(() => keyFromEnvironment(process.env));
  return cached;
}

export function keyFromEnvironment(env: Readonly<Record<string, string | undefined>>): Uint8Array {
  const raw = env.SIGNING_KEY;
  if (!raw) throw new SettingsError('SIGNING_KEY is not set');
  const key = new TextEncoder().encode(raw);
  if (key.byteLength < MIN_SIGNING_KEY_BYTES) {
    throw new SettingsError(`SIGNING_KEY must be at least ${MIN_SIGNING_KEY_BYTES} bytes`);
  }
  return key;
}
