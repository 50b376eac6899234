/** User administration as Django's manage.py has it: createsuperuser, createuser, changepassword, (de)activate. */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { hashPassword } from '../../shared/users/passwords';
import { passwordProblems, type PasswordOwner } from '../../shared/users/password-rules';
import { deleteAccount } from '../../shared/accounts/account-deletion';
import { clearLoginFailures } from '../../shared/users/login-throttle';
import {
  createUser,
  findUserByUsername,
  listUsers,
  setStaff,
  normalizeUsername,
  requireUserByUsername,
  setActive,
  setPassword,
  UserChangedError,
  UsernameTakenError,
  type User,
} from '../../shared/users/users';
import type { Prompter } from '../local/prompt';
import { check, CommandError, emailProblem, nameProblem, onePositional, passwordSpacingProblem, usernameProblem, type Command } from './command';

async function createCommand(superuser: boolean, args: string[], prompt: Prompter): Promise<void> {
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
    // As Django's createsuperuser --noinput: DJANGO_SUPERUSER_<FIELD> stand in for missing options.
    if (superuser) {
      username ??= process.env.DJANGO_SUPERUSER_USERNAME ? normalizeUsername(process.env.DJANGO_SUPERUSER_USERNAME.trim()) : undefined;
      email ??= process.env.DJANGO_SUPERUSER_EMAIL?.trim();
    }
    if (username === undefined) throw new CommandError(`You must use --username with --noinput${superuser ? ' (or set DJANGO_SUPERUSER_USERNAME)' : ''}.`);
    check(usernameProblem(username));
    check(emailProblem(email ?? ''));
    password = process.env[passwordVariable] ?? (superuser ? process.env.DJANGO_SUPERUSER_PASSWORD : undefined) ?? '';
    if (password === '') throw new CommandError(`Set ${passwordVariable} to the new user's password when using --noinput.`);
    check(passwordSpacingProblem(password));
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
    else if (passwordSpacingProblem(password)) problems = [passwordSpacingProblem(password)!];
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
  const user = await requireUserByUsername(positionals[0] ?? userInfo().username);
  let password: string;
  if (values.noinput || values['no-input']) {
    password = process.env.NEW_PASSWORD ?? '';
    if (password === '') throw new CommandError('Set NEW_PASSWORD to the new password when using --noinput.');
    check(passwordSpacingProblem(password));
  } else {
    console.log(`Changing password for user '${user.username}'`);
    password = await askNewPassword(prompt, user, { allowBypass: false });
  }
  await changedAsRead(user, () => hashPassword(password).then((hash) => setPassword(user, hash)));
  await clearLoginFailures(user.username);
  console.log(`Password changed successfully for user '${user.username}'`);
}

async function setActiveCommand(args: string[], active: boolean): Promise<void> {
  const user = await requireUserByUsername(onePositional(active ? 'activate' : 'deactivate', args));
  if (user.isActive === active) {
    console.log(`User '${user.username}' is already ${active ? 'active' : 'inactive'}.`);
    return;
  }
  await changedAsRead(user, () => setActive(user, active));
  // A reactivated user starts with a clean slate at the login throttle.
  if (active) await clearLoginFailures(user.username);
  console.log(`User '${user.username}' ${active ? 'activated' : 'deactivated'}.`);
}

/** A change based on the user as read; if the user changed while the command ran, nothing is overwritten. */
async function changedAsRead(user: User, change: () => Promise<User>): Promise<void> {
  try {
    await change();
  } catch (error) {
    if (error instanceof UserChangedError) throw new CommandError(`User '${user.username}' changed while the command ran; nothing was changed. Run it again.`);
    throw error;
  }
}

async function usersCommand(args: string[]): Promise<void> {
  parseArgs({ args, options: {} });
  const users = (await listUsers()).sort((a, b) => a.username.localeCompare(b.username));
  if (users.length === 0) {
    console.log('No users yet: npm run manage -- createsuperuser');
    return;
  }
  const width = Math.max(8, ...users.map((user) => user.username.length));
  console.log(`${'USERNAME'.padEnd(width)}  ACTIVE  STAFF  SUPERUSER  JOINED      EMAIL`);
  const flag = (value: boolean) => (value ? 'yes' : 'no');
  for (const user of users) {
    console.log(
      `${user.username.padEnd(width)}  ${flag(user.isActive).padEnd(6)}  ${flag(user.isStaff).padEnd(5)}  ${flag(user.isSuperuser).padEnd(9)}  ${user.dateJoined.slice(0, 10).padEnd(10)}  ${user.email}`,
    );
  }
}

async function setStaffCommand(args: string[]): Promise<void> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const flag = positionals[1]?.toLowerCase();
  if (positionals.length !== 2 || (flag !== 'on' && flag !== 'off')) throw new CommandError('set-staff takes a username and on or off.', 2);
  const user = await requireUserByUsername(positionals[0]!);
  const staff = flag === 'on';
  if (user.isStaff === staff) {
    console.log(`User '${user.username}' is already ${staff ? '' : 'not '}staff.`);
    return;
  }
  await changedAsRead(user, () => setStaff(user, staff));
  console.log(`User '${user.username}' is ${staff ? 'now' : 'no longer'} staff. Access tokens say so from their next refresh.`);
}

async function deleteUserCommand(args: string[], prompt: Prompter): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { noinput: { type: 'boolean', default: false }, 'no-input': { type: 'boolean', default: false } } });
  if (positionals.length !== 1) throw new CommandError('delete-user takes exactly one username.', 2);
  const user = await requireUserByUsername(positionals[0]!);
  if (!values.noinput && !values['no-input']) {
    const answer = (await prompt.ask(`Delete user '${user.username}' and every session of it? This cannot be undone. [y/N]: `)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') {
      console.log('Nothing was deleted.');
      return;
    }
  }
  await deleteAccount(user);
  console.log(`User '${user.username}' deleted.`);
}

export const USER_COMMANDS: readonly Command[] = [
  {
    name: 'createsuperuser',
    usage: `createsuperuser [--noinput] [--username U] [--email E] [--first-name F] [--last-name L]
    Asks for what is missing. With --noinput the password comes from SUPERUSER_PASSWORD.`,
    run: (args, { prompt }) => createCommand(true, args, prompt),
  },
  {
    name: 'createuser',
    usage: `createuser      [--noinput] [--username U] [--email E] [--first-name F] [--last-name L]
    The same for a user without staff rights; with --noinput the password comes from USER_PASSWORD.`,
    run: (args, { prompt }) => createCommand(false, args, prompt),
  },
  {
    name: 'changepassword',
    usage: `changepassword  [USER] [--noinput]
    Asks twice for the new password; with --noinput it comes from NEW_PASSWORD.`,
    run: (args, { prompt }) => changePasswordCommand(args, prompt),
  },
  {
    name: 'users',
    usage: `users              Lists the users: username, active, staff, superuser, date joined, email.`,
    run: (args) => usersCommand(args),
  },
  {
    name: 'set-staff',
    usage: `set-staff USER on|off  Gives or takes staff rights (is_staff).`,
    run: (args) => setStaffCommand(args),
  },
  {
    name: 'delete-user',
    usage: `delete-user USER [--noinput]  Deletes the user and its sessions, after asking.`,
    run: (args, { prompt }) => deleteUserCommand(args, prompt),
  },
  {
    name: 'deactivate',
    usage: `deactivate USER    The user can no longer log in; every session of the user ends.`,
    run: (args) => setActiveCommand(args, false),
  },
  {
    name: 'activate',
    usage: `activate USER      Undoes deactivate (ended sessions stay ended).`,
    run: (args) => setActiveCommand(args, true),
  },
];
