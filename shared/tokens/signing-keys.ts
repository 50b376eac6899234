/**
 * The keys tokens are signed and verified with. A key set is an ordered list: the first key signs, every
 * key verifies (until it is removed), so a new key can take over while tokens signed by the previous ones
 * keep working until they expire. Each key has a `kid` (carried in every token's header) and one fixed
 * algorithm: HS256 (a shared secret, simplejwt's default) or RS256, ES256, EdDSA (a key pair whose public
 * half anyone can fetch from /.well-known/jwks.json).
 *
 * Where the keys come from, first match wins:
 *   SIGNING_KEY_SECRET_ARN  on Lambda: a Secrets Manager secret holding a key set (JSON) or an HS256 secret
 *   SIGNING_KEYS            a key set (JSON), as the local runner passes the one in its data folder
 *   SIGNING_KEY             one HS256 secret (the bytes simplejwt signs with: a Django SECRET_KEY works)
 * There is no default: a missing or weak key is a configuration error, never a silent fallback.
 */
import { createHash } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { loadedOnce, readSecret } from '../secrets/extension';
import { ALGORITHMS, SettingsError, type Algorithm } from '../settings';

/**
 * RFC 7518 section 3.2: an HS256 key MUST be at least as long as the hash output (256 bits). Django's
 * SECRET_KEY (50 characters) passes, so a migrating project can keep signing with its own key.
 */
export const MIN_SIGNING_KEY_BYTES = 32;

/** A key as stored: a secret for HS256, a private JWK otherwise. */
export interface StoredKey {
  readonly kid: string;
  readonly alg: Algorithm;
  readonly secret?: string;
  readonly privateJwk?: JWK;
}

export interface SigningKey {
  readonly kid: string;
  readonly alg: Algorithm;
  readonly signWith: CryptoKey;
  readonly verifyWith: CryptoKey;
  /** Published in the JWKS; absent for HS256, whose key is secret. */
  readonly publicJwk?: JWK;
}

export interface KeySet {
  /** Signs every new token. */
  readonly current: SigningKey;
  readonly byKid: ReadonlyMap<string, SigningKey>;
  /** HS256 keys, tried for tokens without a kid (issued before kids, or by a Django app sharing the key). */
  readonly withoutKid: readonly SigningKey[];
}

type Env = Readonly<Record<string, string | undefined>>;

export const signingKeys: () => Promise<KeySet> = loadedOnce(() => loadKeySet(process.env));

/** Loads the key set `env` names, as a request would, to stop a process at start on a bad one. */
export async function checkSigningKeys(env: Env): Promise<void> {
  await loadKeySet(env);
}

async function loadKeySet(env: Env): Promise<KeySet> {
  if (env.SIGNING_KEY_SECRET_ARN) return keySetFromText('the signing key secret', await readSecret(env.SIGNING_KEY_SECRET_ARN, 'the signing key secret', env));
  if (env.SIGNING_KEYS) return keySetFromText('SIGNING_KEYS', env.SIGNING_KEYS);
  if (!env.SIGNING_KEY) throw new SettingsError('SIGNING_KEY is not set');
  return buildKeySet([hmacStoredKey(checkedSecret('SIGNING_KEY', env.SIGNING_KEY))]);
}

/** A key set (JSON), or a bare HS256 secret. */
async function keySetFromText(name: string, text: string): Promise<KeySet> {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return buildKeySet([hmacStoredKey(checkedSecret(name, trimmed))]);
  return buildKeySet(parseKeySet(name, trimmed));
}

export function parseKeySet(name: string, json: string): StoredKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new SettingsError(`${name} is not a valid key set (JSON)`);
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new SettingsError(`${name} has no keys`);
  const kids = new Set<string>();
  return keys.map((key: Partial<StoredKey>) => {
    if (typeof key.kid !== 'string' || key.kid === '' || !ALGORITHMS.includes(key.alg as Algorithm)) {
      throw new SettingsError(`${name} has a key without a kid or with an unknown alg`);
    }
    if (kids.has(key.kid)) throw new SettingsError(`${name} has two keys with kid ${key.kid}`);
    kids.add(key.kid);
    if (key.alg === 'HS256') return { kid: key.kid, alg: 'HS256', secret: checkedSecret(name, String(key.secret ?? '')) };
    const jwk = key.privateJwk;
    const shape = KEY_SHAPE[key.alg as Exclude<Algorithm, 'HS256'>];
    if (typeof jwk !== 'object' || jwk === null || jwk.kty !== shape.kty || (shape.crv && jwk.crv !== shape.crv) || typeof jwk.d !== 'string') {
      throw new SettingsError(`${name} has a ${key.alg} key without its private JWK of the right kind`);
    }
    return { kid: key.kid, alg: key.alg as Algorithm, privateJwk: jwk };
  });
}

/** What each key pair algorithm's JWK must be, and the members of its public half (an allow-list). */
const KEY_SHAPE = {
  RS256: { kty: 'RSA', crv: undefined, publicMembers: ['kty', 'n', 'e'] },
  ES256: { kty: 'EC', crv: 'P-256', publicMembers: ['kty', 'crv', 'x', 'y'] },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', publicMembers: ['kty', 'crv', 'x'] },
} as const;

function checkedSecret(name: string, secret: string): string {
  if (!secret) throw new SettingsError(`${name} is empty`);
  if (new TextEncoder().encode(secret).byteLength < MIN_SIGNING_KEY_BYTES) {
    throw new SettingsError(`${name} must be at least ${MIN_SIGNING_KEY_BYTES} bytes`);
  }
  return secret;
}

/** An HS256 secret's kid: a digest, so it names the key without revealing anything of it. */
function hmacStoredKey(secret: string): StoredKey {
  return { kid: createHash('sha256').update(`kid:${secret}`).digest('base64url').slice(0, 16), alg: 'HS256', secret };
}

/** WebCrypto's names for the key pair algorithms (imported directly: jose's importJWK would double verify's bundle code). */
const WEBCRYPTO_ALGORITHM = {
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
  EdDSA: { name: 'Ed25519' },
} as const;

async function buildKeySet(stored: readonly StoredKey[]): Promise<KeySet> {
  const keys = await Promise.all(stored.map(loadKey));
  return {
    current: keys[0]!,
    byKid: new Map(keys.map((key) => [key.kid, key])),
    withoutKid: keys.filter((key) => key.alg === 'HS256'),
  };
}

async function loadKey(stored: StoredKey): Promise<SigningKey> {
  if (stored.alg === 'HS256') {
    const bytes = new TextEncoder().encode(stored.secret!);
    const key = await crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    return { kid: stored.kid, alg: 'HS256', signWith: key, verifyWith: key };
  }
  const privateJwk = stored.privateJwk!;
  const publicJwk = Object.fromEntries(
    KEY_SHAPE[stored.alg].publicMembers.map((member) => [member, (privateJwk as Record<string, unknown>)[member]]),
  ) as JWK;
  const algorithm = WEBCRYPTO_ALGORITHM[stored.alg];
  const [signWith, verifyWith] = await Promise.all([
    crypto.subtle.importKey('jwk', privateJwk as JsonWebKey, algorithm, false, ['sign']),
    crypto.subtle.importKey('jwk', publicJwk as JsonWebKey, algorithm, false, ['verify']),
  ]);
  return {
    kid: stored.kid,
    alg: stored.alg,
    signWith,
    verifyWith,
    publicJwk: { ...publicJwk, kid: stored.kid, alg: stored.alg, use: 'sig' },
  };
}

/** A new key of `alg`, with a random kid, for a key set. */
export async function generateStoredKey(alg: Algorithm): Promise<StoredKey> {
  const kid = crypto.randomUUID().replaceAll('-', '').slice(0, 16);
  if (alg === 'HS256') return { kid, alg, secret: Buffer.from(crypto.getRandomValues(new Uint8Array(48))).toString('base64url') };
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  return { kid, alg, privateJwk: await exportJWK(privateKey) };
}
