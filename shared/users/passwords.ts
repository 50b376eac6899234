/**
 * Password hashing with node:crypto's scrypt at OWASP's recommended cost (N=2^17, r=8, p=1: 128 MiB and
 * a few hundred milliseconds per hash). Stored in the PHC string format, which names its own parameters,
 * so the cost can be raised later while old hashes keep verifying:
 *   $scrypt$ln=17,r=8,p=1$<salt, base64>$<key, base64>
 * Hashes imported from Django (`pbkdf2_sha256$<iterations>$<salt>$<key, base64>`) verify too, and are
 * replaced by a scrypt hash at the user's next successful login (needsRehash).
 */
import { pbkdf2, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

interface ScryptParameters {
  readonly ln: number;
  readonly r: number;
  readonly p: number;
}

export const CURRENT_PARAMETERS: ScryptParameters = { ln: 17, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;

function derive(password: string, salt: Buffer, { ln, r, p }: ScryptParameters, keyBytes: number): Promise<Buffer> {
  const N = 2 ** ln;
  // Node refuses more than 32 MiB by default; scrypt needs 128 * N * r * p bytes.
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r * p };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyBytes, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

const b64 = (bytes: Buffer): string => bytes.toString('base64').replace(/=+$/, '');

/**
 * scrypt keys HMAC-SHA256 with the password, and HMAC pads short keys with zero bytes: "pw" and "pw\0"
 * would derive the same key. A NUL character is therefore never hashed and never matches.
 */
const hasNul = (password: string) => password.includes('\0');

export async function hashPassword(password: string): Promise<string> {
  if (hasNul(password)) throw new RangeError('Null characters are not allowed in passwords.');
  const salt = randomBytes(SALT_BYTES);
  const { ln, r, p } = CURRENT_PARAMETERS;
  const key = await derive(password, salt, CURRENT_PARAMETERS, KEY_BYTES);
  return `$scrypt$ln=${ln},r=${r},p=${p}$${b64(salt)}$${b64(key)}`;
}

interface ParsedHash {
  readonly parameters: ScryptParameters;
  readonly salt: Buffer;
  readonly key: Buffer;
}

const PHC_SCRYPT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,})\$([A-Za-z0-9+/]{32,})$/;

function parseHash(stored: string): ParsedHash | undefined {
  const match = PHC_SCRYPT.exec(stored);
  if (!match) return undefined;
  const [ln, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  // Bounds keep a corrupted or hostile stored value from demanding gigabytes or minutes.
  if (ln < 10 || ln > 22 || r < 1 || r > 32 || p < 1 || p > 16) return undefined;
  return { parameters: { ln, r, p }, salt: Buffer.from(match[4]!, 'base64'), key: Buffer.from(match[5]!, 'base64') };
}

/**
 * Compares in constant time. An unreadable stored hash is a mismatch that still costs a full hash, so
 * no answer comes back faster than a real check.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (hasNul(password)) return spendHashTime(password).then(() => false);
  const django = parseDjangoHash(stored);
  if (django) return verifyDjangoHash(password, django);
  const parsed = parseHash(stored);
  if (!parsed) {
    await spendHashTime(password);
    return false;
  }
  const candidate = await derive(password, parsed.salt, parsed.parameters, parsed.key.byteLength);
  return timingSafeEqual(candidate, parsed.key);
}

interface DjangoHash {
  readonly iterations: number;
  readonly salt: string;
  readonly key: Buffer;
}

/** Django's PBKDF2PasswordHasher format. (Django's unusable passwords start with "!" and match nothing.) */
const DJANGO_PBKDF2 = /^pbkdf2_sha256\$(\d{1,8})\$([^$]{1,128})\$([A-Za-z0-9+/]{43}=)$/;

function parseDjangoHash(stored: string): DjangoHash | undefined {
  const match = DJANGO_PBKDF2.exec(stored);
  if (!match) return undefined;
  const iterations = Number(match[1]);
  // Django has used 10,000 to 1,000,000 (5.2); bounds keep a hostile value from costing seconds.
  if (iterations < 1000 || iterations > 2_000_000) return undefined;
  return { iterations, salt: match[2]!, key: Buffer.from(match[3]!, 'base64') };
}

async function verifyDjangoHash(password: string, { iterations, salt, key }: DjangoHash): Promise<boolean> {
  const candidate = await new Promise<Buffer>((resolve, reject) =>
    pbkdf2(password, salt, iterations, key.byteLength, 'sha256', (error, derived) => (error ? reject(error) : resolve(derived))),
  );
  return timingSafeEqual(candidate, key);
}

/** Whether the stored value is a hash this service can check (and not, say, Django's argon2 or "!"). */
export function isCheckableHash(stored: string): boolean {
  return parseHash(stored) !== undefined || parseDjangoHash(stored) !== undefined;
}

/** Does the work of one verification at the current cost, for a username that does not exist. */
export async function spendHashTime(password: string): Promise<void> {
  await derive(password, randomBytes(SALT_BYTES), CURRENT_PARAMETERS, KEY_BYTES);
}

/** True when the stored hash is weaker than what hashPassword writes today. */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored);
  if (!parsed) return true;
  const { ln, r, p } = parsed.parameters;
  return ln < CURRENT_PARAMETERS.ln || r < CURRENT_PARAMETERS.r || p < CURRENT_PARAMETERS.p;
}
