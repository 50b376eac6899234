/**
 * The local secrets, made on first use in the data folder (owner-only files):
 * - the key set, `<data>/signing-keys.json`, with one key of ALGORITHM, rotated and retired by
 *   `npm run manage`. A key made by earlier versions in `<data>/signing-key` is kept as a verifying key, so
 *   tokens signed with it stay valid;
 * - the service's SECRET_KEY, `<data>/secret-key`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Algorithm } from '../../shared/settings';
import { generateStoredKey, parseKeySet, type StoredKey } from '../../shared/tokens/signing-keys';

export const keySetFile = (dataDir: string) => join(dataDir, 'signing-keys.json');

export async function ensureLocalKeySet(dataDir: string, algorithm: Algorithm): Promise<StoredKey[]> {
  const file = keySetFile(dataDir);
  if (!existsSync(file)) {
    const legacyFile = join(dataDir, 'signing-key');
    const legacy: StoredKey[] = existsSync(legacyFile) ? [{ kid: 'legacy', alg: 'HS256', secret: readFileSync(legacyFile, 'utf8').trim() }] : [];
    const keys = legacy[0]?.alg === algorithm ? legacy : [await generateStoredKey(algorithm), ...legacy];
    try {
      writeFileSync(file, serialize(keys), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // another process made it first
    }
  }
  return readLocalKeySet(dataDir);
}

/** The local SECRET_KEY, made on first use. */
export function ensureLocalSecretKey(dataDir: string): string {
  const file = join(dataDir, 'secret-key');
  try {
    writeFileSync(file, `${randomBytes(48).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // made earlier, or by another process just now
  }
  return readFileSync(file, 'utf8').trim();
}

export function readLocalKeySet(dataDir: string): StoredKey[] {
  return readKeySetFile(keySetFile(dataDir));
}

/** A key set file, or a file holding one bare HS256 secret (what the CDK stack's secret starts as). */
export function readKeySetFile(file: string): StoredKey[] {
  const text = readFileSync(file, 'utf8').trim();
  return text.startsWith('{') ? parseKeySet(file, text) : parseKeySet(file, JSON.stringify({ keys: [{ kid: 'initial', alg: 'HS256', secret: text }] }));
}

/** Replaces the file in one step (write aside, then rename), so a reader never sees half a key set. */
export function writeKeySetFile(file: string, keys: readonly StoredKey[]): void {
  writeFileSync(`${file}.new`, serialize(keys), { mode: 0o600 });
  renameSync(`${file}.new`, file);
}

const serialize = (keys: readonly StoredKey[]) => `${JSON.stringify({ keys }, null, 2)}\n`;
