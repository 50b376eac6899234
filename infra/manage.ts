/**
 * `npm run manage -- <command>`: user administration in the spirit of Django's manage.py, on the same
 * tables `npm start` serves (DynamoDB Local in the data folder, or DYNAMODB_ENDPOINT).
 */
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { hashPassword, isCheckableHash } from '../shared/users/passwords';
import { loadSettings } from '../shared/settings';
import { generateStoredKey } from '../shared/tokens/signing-keys';
import { passwordProblems, type PasswordOwner } from '../shared/users/password-rules';
import {
  createUser,
  findUserByUsername,
  MAX_USERNAME_LENGTH,
  normalizeUsername,
  updateUser,
  UserIdTakenError,
  UsernameTakenError,
  UserNotFoundError,
} from '../shared/users/users';
import { LocalSetupError } from './local/dynamodb-local';
import { prepareLocalEnvironment } from './local/environment';
import { keySetFile, readKeySetFile, writeKeySetFile } from './local/key-file';
import { InputClosedError, Prompter } from './local/prompt';

const USAGE = `Usage: npm run manage -- [--aws] <command> [options]

  --aws    Work on deployed tables: USERS_TABLE names the stack's UsersTableName output, and AWS
           credentials and region come from the usual chain (AWS_PROFILE, AWS_REGION, ...).
           Without it, the local tables npm start uses.

Commands:
  createsuperuser [--noinput] [--username U] [--email E] [--first-name F] [--last-name L]
      Asks for what is missing. With --noinput the password comes from SUPERUSER_PASSWORD.
  createuser      [--noinput] [--username U] [--email E] [--first-name F] [--last-name L]
      The same for a user without staff rights; with --noinput the password comes from USER_PASSWORD.
  changepassword  [USER] [--noinput]
      Asks twice for the new password; with --noinput it comes from NEW_PASSWORD.
  deactivate USER    The user can no longer log in; every session of the user ends.
  activate USER      Undoes deactivate (ended sessions stay ended).
  logout-all USER    Ends every session of the user, on every device.
  rotate-key [--algorithm HS256|RS256|ES256|EdDSA] [--next] [--file F]
      A new key signs from now on (of ALGORITHM unless given); earlier keys still verify. With --next
      it is only published and verifies, until promote-key.
  promote-key KID [--file F]  That key signs from now on.
  retire-key KID [--file F]   Tokens signed by that key stop verifying.
  list-keys [--file F]        The key set, signing key first.
      These work on the local key set, or on the key set file F (e.g. the cloud secret's value).
  import-django-users FILE
      Imports the users of \`python manage.py dumpdata auth.user\` (JSON), keeping ids, usernames, emails,
      names, flags and password hashes: Django's pbkdf2_sha256 hashes verify, and are replaced at each
      user's next login. Users whose username is already here are skipped.`;

/** A failure to report as one line, "Error: <message>", with a non-zero exit. */
class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

const MAX_NAME_LENGTH = 150;
const MAX_EMAIL_LENGTH = 254;

function usernameProblem(username: string): string | undefined {
  if (username === '') return 'This field cannot be blank.';
  if ([...username].length > MAX_USERNAME_LENGTH) return `Ensure this value has at most ${MAX_USERNAME_LENGTH} characters.`;
  // Django's UnicodeUsernameValidator.
  if (!/^[\p{L}\p{N}_.@+-]+$/u.test(username)) {
    return 'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.';
  }
  return undefined;
}

function emailProblem(email: string): string | undefined {
  if (email === '') return undefined;
  if (email.length > MAX_EMAIL_LENGTH || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/u.test(email)) return 'Enter a valid email address.';
  return undefined;
}

function nameProblem(name: string): string | undefined {
  return [...name].length > MAX_NAME_LENGTH ? `Ensure this value has at most ${MAX_NAME_LENGTH} characters.` : undefined;
}

function check(problem: string | undefined): void {
  if (problem) throw new CommandError(problem);
}

interface CreateOptions {
  readonly superuser: boolean;
  readonly args: string[];
}

async function createCommand({ superuser, args }: CreateOptions, prompt: Prompter): Promise<void> {
  const passwordVariable = superuser ? 'SUPERUSER_PASSWORD' : 'USER_PASSWORD';
  const { values } = parseArgs({
    args,
    options: {
      noinput: { type: 'boolean', default: false },
      'no-input': { type: 'boolean', default: false },
      username: { type: 'string' },
      email: { type: 'string' },
      'first-name': { type: 'string' },
      'last-name': { type: 'string' },
    },
  });
  const noInput = values.noinput || values['no-input'];
  let username = values.username === undefined ? undefined : normalizeUsername(values.username.trim());
  let email = values.email?.trim();
  const firstName = values['first-name']?.trim() ?? '';
  const lastName = values['last-name']?.trim() ?? '';
  check(nameProblem(firstName));
  check(nameProblem(lastName));
  let password: string;

  if (noInput) {
    if (username === undefined) throw new CommandError('You must use --username with --noinput.');
    check(usernameProblem(username));
    check(emailProblem(email ?? ''));
    password = process.env[passwordVariable] ?? (superuser ? process.env.DJANGO_SUPERUSER_PASSWORD : undefined) ?? '';
    if (password === '') throw new CommandError(`Set ${passwordVariable} to the new user's password when using --noinput.`);
  } else {
    if (username !== undefined) {
      check(usernameProblem(username));
      if (await findUserByUsername(username)) throw new CommandError('That username is already taken.');
    }
    while (username === undefined) {
      const fallback = await defaultUsername();
      const answer = normalizeUsername(
        (await prompt.ask(fallback ? `Username (leave blank to use '${fallback}'): ` : 'Username: ')).trim(),
      );
      const candidate = answer === '' && fallback ? fallback : answer;
      const problem = usernameProblem(candidate) ?? ((await findUserByUsername(candidate)) ? 'That username is already taken.' : undefined);
      if (problem) console.error(`Error: ${problem}`);
      else username = candidate;
    }
    while (email === undefined) {
      const answer = (await prompt.ask('Email address: ')).trim();
      const problem = emailProblem(answer);
      if (problem) console.error(`Error: ${problem}`);
      else email = answer;
    }
    password = await askNewPassword(prompt, { username, email, firstName, lastName }, { allowBypass: true });
  }

  try {
    await createUser({
      username,
      email: email ?? '',
      firstName,
      lastName,
      isActive: true,
      isStaff: superuser,
      isSuperuser: superuser,
      passwordHash: await hashPassword(password),
    });
  } catch (error) {
    if (error instanceof UsernameTakenError) throw new CommandError(error.message);
    throw error;
  }
  console.log(superuser ? 'Superuser created successfully.' : 'User created successfully.');
}

/** The login name of whoever runs the command, as Django offers it, when it is a valid and free username. */
async function defaultUsername(): Promise<string | undefined> {
  let name: string;
  try {
    name = normalizeUsername(userInfo().username.toLowerCase());
  } catch {
    return undefined;
  }
  if (usernameProblem(name)) return undefined;
  return (await findUserByUsername(name)) ? undefined : name;
}

/**
 * Password, then again, like Django's createsuperuser: blank and mismatched answers ask again; a
 * password that breaks the validators is accepted only if the operator says so (createsuperuser) or is
 * refused (changepassword, after three attempts).
 */
async function askNewPassword(prompt: Prompter, owner: PasswordOwner, { allowBypass }: { allowBypass: boolean }): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const password = await prompt.askSecret('Password: ');
    const again = await prompt.askSecret('Password (again): ');
    let problems: string[];
    if (password !== again) problems = [allowBypass ? "Your passwords didn't match." : 'Passwords do not match. Please try again.'];
    else if (password.trim() === '') problems = ["Blank passwords aren't allowed."];
    else {
      const rules = passwordProblems(password, owner);
      if (rules.length === 0) return password;
      if (allowBypass) {
        for (const problem of rules) console.error(problem);
        const bypass = (await prompt.ask('Bypass password validation and create user anyway? [y/N]: ')).trim().toLowerCase();
        if (bypass === 'y' || bypass === 'yes') return password;
        continue;
      }
      problems = rules;
    }
    for (const problem of problems) console.error(allowBypass ? `Error: ${problem}` : problem);
    if (!allowBypass && attempt >= 3) throw new CommandError(`Aborting password change for user '${owner.username}' after 3 attempts`);
  }
}

async function changePasswordCommand(args: string[], prompt: Prompter): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { noinput: { type: 'boolean', default: false }, 'no-input': { type: 'boolean', default: false } },
  });
  if (positionals.length > 1) throw new CommandError('changepassword takes one username.', 2);
  const username = positionals[0] ?? userInfo().username;
  const user = await findUserByUsername(username);
  if (!user) throw new CommandError(`user '${username}' does not exist`);
  let password: string;
  if (values.noinput || values['no-input']) {
    password = process.env.NEW_PASSWORD ?? '';
    if (password === '') throw new CommandError('Set NEW_PASSWORD to the new password when using --noinput.');
  } else {
    console.log(`Changing password for user '${user.username}'`);
    password = await askNewPassword(prompt, user, { allowBypass: false });
  }
  await updateUser(user.username, { passwordHash: await hashPassword(password), endSessions: true });
  console.log(`Password changed successfully for user '${user.username}'`);
}

function onePositional(command: string, args: string[], what = 'username'): string {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new CommandError(`${command} takes exactly one ${what}.`, 2);
  return positionals[0]!;
}

async function setActiveCommand(args: string[], active: boolean): Promise<void> {
  const username = onePositional(active ? 'activate' : 'deactivate', args);
  const user = await updateUser(username, active ? { isActive: true } : { isActive: false, endSessions: true });
  console.log(`User '${user.username}' ${active ? 'activated' : 'deactivated'}.`);
}

async function logoutAllCommand(args: string[]): Promise<void> {
  const user = await updateUser(onePositional('logout-all', args), { endSessions: true });
  console.log(`Every session of user '${user.username}' has ended.`);
}

/** The stack's users table in AWS, through the SDK's usual credential and region chain. */
function deployedTables(): { close(): void } {
  if (!process.env.USERS_TABLE) throw new CommandError("With --aws, set USERS_TABLE to the stack's UsersTableName output.");
  if (process.env.DYNAMODB_ENDPOINT) throw new CommandError('--aws and DYNAMODB_ENDPOINT contradict each other; unset one.');
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return { close() {} };
}

interface DjangoUserRecord {
  readonly model?: unknown;
  readonly pk?: unknown;
  readonly fields?: Record<string, unknown>;
}

async function importDjangoUsersCommand(args: string[]): Promise<void> {
  const file = onePositional('import-django-users', args, 'file');
  let records: DjangoUserRecord[];
  try {
    records = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CommandError(`cannot read ${file} as JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!Array.isArray(records)) throw new CommandError(`${file} is not a dumpdata list.`);
  const users = records.filter((record) => record?.model === 'auth.user');
  if (users.length === 0) throw new CommandError(`${file} holds no auth.user records (from: python manage.py dumpdata auth.user).`);
  let imported = 0;
  const skipped: string[] = [];
  const uncheckable: string[] = [];
  for (const { pk, fields = {} } of users) {
    const text = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string) : '');
    const username = normalizeUsername(text('username'));
    const problem = usernameProblem(username) ?? (pk === undefined || pk === null ? 'no primary key' : undefined);
    if (problem) {
      skipped.push(`${username || '(no username)'}: ${problem}`);
      continue;
    }
    try {
      await createUser({
        id: String(pk),
        username,
        email: text('email'),
        firstName: text('first_name'),
        lastName: text('last_name'),
        isActive: fields.is_active === true,
        isStaff: fields.is_staff === true,
        isSuperuser: fields.is_superuser === true,
        passwordHash: text('password'),
        ...(text('date_joined') ? { dateJoined: text('date_joined') } : {}),
      });
      imported++;
      if (!text('password').startsWith('!') && !isCheckableHash(text('password'))) uncheckable.push(username);
    } catch (error) {
      if (!(error instanceof UsernameTakenError) && !(error instanceof UserIdTakenError)) throw error;
      skipped.push(`${username}: ${error.message}`);
    }
  }
  console.log(`Imported ${imported} of ${users.length} users.`);
  for (const line of skipped) console.log(`Skipped ${line}`);
  if (uncheckable.length > 0) {
    console.log(`These users' password hashes use a Django hasher this service cannot check; they need a new password (changepassword): ${uncheckable.join(', ')}`);
  }
}

/**
 * The key set file a key command works on: `--file` (for instance the cloud secret's value, fetched and
 * put back with the AWS CLI), else the local one in the data folder.
 */
function keySetPath(command: string, file: string | undefined, dataDir: string | undefined): string {
  if (file) return file;
  if (!dataDir) throw new CommandError(`${command} with --aws needs --file: see "Rotating keys in the cloud" in the README.`);
  if (process.env.SIGNING_KEY) throw new CommandError('SIGNING_KEY is set, so the local key set is not in use: rotate by changing SIGNING_KEY.');
  return keySetFile(dataDir);
}

const KEY_FILE_OPTION = { file: { type: 'string' } } as const;

async function rotateKeyCommand(args: string[], dataDir: string | undefined): Promise<void> {
  const { values } = parseArgs({ args, options: { algorithm: { type: 'string' }, next: { type: 'boolean', default: false }, ...KEY_FILE_OPTION } });
  const path = keySetPath('rotate-key', values.file, dataDir);
  const algorithm = (values.algorithm ? loadSettings({ ALGORITHM: values.algorithm }) : loadSettings()).algorithm;
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

type Command = (args: string[], prompt: Prompter, dataDir: string | undefined) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  createsuperuser: (args, prompt) => createCommand({ superuser: true, args }, prompt),
  createuser: (args, prompt) => createCommand({ superuser: false, args }, prompt),
  changepassword: changePasswordCommand,
  deactivate: (args) => setActiveCommand(args, false),
  activate: (args) => setActiveCommand(args, true),
  'logout-all': logoutAllCommand,
  'import-django-users': (args) => importDjangoUsersCommand(args),
  'rotate-key': (args, _prompt, dataDir) => rotateKeyCommand(args, dataDir),
  'retire-key': (args, _prompt, dataDir) => retireKeyCommand(args, dataDir),
  'list-keys': (args, _prompt, dataDir) => listKeysCommand(args, dataDir),
  'promote-key': (args, _prompt, dataDir) => promoteKeyCommand(args, dataDir),
};

/** Key commands given a key set file touch nothing else: no database, no AWS. */
const FILE_ONLY_COMMANDS = new Set(['rotate-key', 'retire-key', 'list-keys', 'promote-key']);

async function main(argv: string[]): Promise<number> {
  const aws = argv[0] === '--aws';
  const [name, ...args] = aws ? argv.slice(1) : argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    console.log(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`Error: unknown command '${name}'. Commands: ${Object.keys(COMMANDS).join(', ')}.`);
    return 2;
  }
  // A signal becomes an ordinary exit, so the local database is left on the way out.
  process.on('SIGINT', () => process.exit(130));
  process.on('SIGTERM', () => process.exit(143));
  const fileOnly = FILE_ONLY_COMMANDS.has(name) && args.some((arg) => arg === '--file' || arg.startsWith('--file='));
  const local: { close(): void; dataDir?: string } = fileOnly ? { close() {} } : aws ? deployedTables() : await prepareLocalEnvironment();
  const prompt = new Prompter();
  try {
    await command(args, prompt, local.dataDir);
    return 0;
  } finally {
    prompt.done();
    local.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof CommandError) {
      console.error(`Error: ${error.message}`);
      process.exit(error.exitCode);
    }
    if (error instanceof InputClosedError) {
      console.error(`\nError: ${error.message}.`);
      process.exit(1);
    }
    if (error instanceof UserNotFoundError || error instanceof LocalSetupError) {
      console.error(`Error: ${error.message}`);
      process.exit(1);
    }
    // parseArgs reports unknown or malformed options as TypeErrors with a readable message.
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`Error: ${error.message}`);
      process.exit(2);
    }
    console.error(`Error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    process.exit(1);
  },
);
