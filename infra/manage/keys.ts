/** The signing key set: rotate, promote, retire and list keys, locally or in a key set file (the cloud secret's value). */
import { parseArgs } from 'node:util';
import { ALGORITHMS, loadSettings } from '../../shared/settings';
import { generateStoredKey } from '../../shared/tokens/signing-keys';
import { keySetFile, readKeySetFile, writeKeySetFile } from '../local/key-file';
import { CommandError, operatorPath, type Command } from './command';

/**
 * The key set file a key command works on: `--file` (for instance the cloud secret's value, fetched and
 * put back with the AWS CLI), else the local one in the data folder.
 */
function keySetPath(command: string, file: string | undefined, dataDir: string | undefined): string {
  if (file) return operatorPath(file);
  if (!dataDir) throw new CommandError(`${command} with --aws needs --file: see "Rotating keys in the cloud" in the README.`);
  if (process.env.SIGNING_KEY) throw new CommandError('SIGNING_KEY is set, so the local key set is not in use: rotate by changing SIGNING_KEY.');
  return keySetFile(dataDir);
}

const KEY_FILE_OPTION = { file: { type: 'string' } } as const;

async function rotateKeyCommand(args: string[], dataDir: string | undefined): Promise<void> {
  const { values } = parseArgs({ args, options: { algorithm: { type: 'string' }, next: { type: 'boolean', default: false }, ...KEY_FILE_OPTION } });
  const path = keySetPath('rotate-key', values.file, dataDir);
  const algorithm = values.algorithm === undefined ? loadSettings().algorithm : ALGORITHMS.find((candidate) => candidate.toLowerCase() === values.algorithm!.toLowerCase());
  if (!algorithm) throw new CommandError(`--algorithm must be one of ${ALGORITHMS.join(', ')}`, 2);
  const key = await generateStoredKey(algorithm);
  const [current, ...others] = readKeySetFile(path);
  if (values.next) {
    // Published and verifying before it signs: every verifier can know it first (promote-key later).
    writeKeySetFile(path, [current!, key, ...others]);
    console.log(`New ${algorithm} key ${key.kid} verifies (and is published) but does not sign yet: promote-key ${key.kid} when every verifier has it.`);
    return;
  }
  writeKeySetFile(path, [key, current!, ...others]);
  console.log(`New ${algorithm} key ${key.kid} signs from now on; the previous keys still verify. Restart npm start to use it.`);
}

async function promoteKeyCommand(args: string[], dataDir: string | undefined): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: KEY_FILE_OPTION });
  if (positionals.length !== 1) throw new CommandError('promote-key takes exactly one kid.', 2);
  const path = keySetPath('promote-key', values.file, dataDir);
  const keys = readKeySetFile(path);
  const key = keys.find((candidate) => candidate.kid === positionals[0]);
  if (!key) throw new CommandError(`no key ${positionals[0]}; list-keys shows them.`);
  writeKeySetFile(path, [key, ...keys.filter((candidate) => candidate !== key)]);
  console.log(`Key ${key.kid} signs from now on; the others still verify.`);
}

async function retireKeyCommand(args: string[], dataDir: string | undefined): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: KEY_FILE_OPTION });
  if (positionals.length !== 1) throw new CommandError('retire-key takes exactly one kid.', 2);
  const kid = positionals[0]!;
  const path = keySetPath('retire-key', values.file, dataDir);
  const keys = readKeySetFile(path);
  if (!keys.some((key) => key.kid === kid)) throw new CommandError(`no key ${kid}; list-keys shows them.`);
  if (keys[0]!.kid === kid) throw new CommandError(`${kid} is the signing key: rotate-key first, then retire it.`);
  writeKeySetFile(path, keys.filter((key) => key.kid !== kid));
  console.log(`Key ${kid} retired: tokens it signed no longer verify. Restart npm start to apply.`);
}

async function listKeysCommand(args: string[], dataDir: string | undefined): Promise<void> {
  const { values } = parseArgs({ args, options: KEY_FILE_OPTION });
  readKeySetFile(keySetPath('list-keys', values.file, dataDir)).forEach((key, index) =>
    console.log(`${key.kid}  ${key.alg.padEnd(5)}  ${index === 0 ? 'signs and verifies' : 'verifies'}`),
  );
}

export const KEY_COMMANDS: readonly Command[] = [
  {
    name: 'rotate-key',
    usage: `rotate-key [--algorithm HS256|RS256|ES256|EdDSA] [--next] [--file F]
    A new key signs from now on (of ALGORITHM unless given); earlier keys still verify. With --next
    it is only published and verifies, until promote-key.`,
    fileOnly: true,
    run: (args, { dataDir }) => rotateKeyCommand(args, dataDir),
  },
  {
    name: 'promote-key',
    usage: `promote-key KID [--file F]  That key signs from now on.`,
    fileOnly: true,
    run: (args, { dataDir }) => promoteKeyCommand(args, dataDir),
  },
  {
    name: 'retire-key',
    usage: `retire-key KID [--file F]   Tokens signed by that key stop verifying.`,
    fileOnly: true,
    run: (args, { dataDir }) => retireKeyCommand(args, dataDir),
  },
  {
    name: 'list-keys',
    usage: `list-keys [--file F]        The key set, signing key first.
    These work on the local key set, or on the key set file F (e.g. the cloud secret's value).`,
    fileOnly: true,
    run: (args, { dataDir }) => listKeysCommand(args, dataDir),
  },
];
