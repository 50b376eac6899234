/** Users from a Django project: `python manage.py dumpdata auth.user` in, users with their ids and hashes here. */
import { readFileSync } from 'node:fs';
import { isCheckableHash } from '../../shared/users/passwords';
import { createUser, normalizeUsername, UserIdTakenError, UsernameTakenError } from '../../shared/users/users';
import { CommandError, onePositional, operatorPath, usernameProblem, type Command } from './command';

interface DjangoUserRecord {
  readonly model?: unknown;
  readonly pk?: unknown;
  readonly fields?: Record<string, unknown>;
}

async function importDjangoUsersCommand(args: string[]): Promise<void> {
  const file = operatorPath(onePositional('import-django-users', args, 'file'));
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CommandError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  let records: DjangoUserRecord[];
  try {
    records = JSON.parse(text);
  } catch (error) {
    throw new CommandError(`${file} is not JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!Array.isArray(records)) throw new CommandError(`${file} is not a dumpdata list.`);
  const users = records.filter((record) => record?.model === 'auth.user');
  const otherModels = [...new Set(records.filter((record) => record?.model !== 'auth.user').map((record) => String(record?.model)))];
  if (users.length === 0) throw new CommandError(`${file} holds no auth.user records (from: python manage.py dumpdata auth.user).`);
  let imported = 0;
  const skipped: string[] = [];
  const uncheckable: string[] = [];
  const withoutPassword: string[] = [];
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
      // Django marks an unusable password with "!"; nothing logs in with one, as there.
      if (text('password') === '') withoutPassword.push(username);
      else if (!text('password').startsWith('!') && !isCheckableHash(text('password'))) uncheckable.push(username);
    } catch (error) {
      if (!(error instanceof UsernameTakenError) && !(error instanceof UserIdTakenError)) throw error;
      skipped.push(`${username}: ${error.message}`);
    }
  }
  console.log(`Imported ${imported} of ${users.length} users.`);
  for (const line of skipped) console.log(`Skipped ${line}`);
  if (otherModels.length > 0) console.log(`Skipped the records that are not auth.user: ${otherModels.join(', ')}.`);
  if (withoutPassword.length > 0) console.log(`These users have no password; they need one (changepassword): ${withoutPassword.join(', ')}`);
  if (uncheckable.length > 0) {
    console.log(`These users' password hashes use a Django hasher this service cannot check; they need a new password (changepassword): ${uncheckable.join(', ')}`);
  }
}

export const IMPORT_COMMANDS: readonly Command[] = [
  {
    name: 'import-django-users',
    usage: `import-django-users FILE
    Imports the users of \`python manage.py dumpdata auth.user\` (JSON), keeping ids, usernames, emails,
    names, flags and password hashes: Django's pbkdf2_sha256 hashes verify, and are replaced at each
    user's next login. Users whose username is already here are skipped.`,
    run: (args) => importDjangoUsersCommand(args),
  },
];
