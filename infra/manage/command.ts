/** What every manage command is, and the helpers they share: one-line errors, positionals, field checks. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ENTER_A_VALID_EMAIL, hasUsernameCharacters, isEmailAddress, MAX_NAME_LENGTH, MAX_USERNAME_LENGTH, USERNAME_CHARACTERS } from '../../shared/users/user-fields';
import type { Prompter } from '../local/prompt';

export interface CommandContext {
  readonly prompt: Prompter;
  /** The local data folder; undefined with --aws or when a key command works on --file alone. */
  readonly dataDir: string | undefined;
}

export interface Command {
  readonly name: string;
  /** Its lines in `manage --help`: the synopsis, then what it does, indented. */
  readonly usage: string;
  /** Given `--file`, a key command touches nothing else: no database, no AWS. */
  readonly fileOnly?: boolean;
  run(args: string[], context: CommandContext): Promise<void>;
}

/** A failure to report as one line, "Error: <message>", with a non-zero exit. */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function onePositional(command: string, args: string[], what = 'username'): string {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw new CommandError(`${command} takes exactly one ${what}.`, 2);
  return positionals[0]!;
}

export function usernameProblem(username: string): string | undefined {
  if (username === '') return 'This field cannot be blank.';
  if ([...username].length > MAX_USERNAME_LENGTH) return `Ensure this value has at most ${MAX_USERNAME_LENGTH} characters.`;
  return hasUsernameCharacters(username) ? undefined : USERNAME_CHARACTERS;
}

export function emailProblem(email: string): string | undefined {
  return email === '' || isEmailAddress(email) ? undefined : ENTER_A_VALID_EMAIL;
}

export function nameProblem(name: string): string | undefined {
  return [...name].length > MAX_NAME_LENGTH ? `Ensure this value has at most ${MAX_NAME_LENGTH} characters.` : undefined;
}

/** A path as the operator typed it: relative to the shell's directory (npm runs scripts from the project root, and keeps the shell's in INIT_CWD). */
export function operatorPath(path: string): string {
  return resolve(process.env.INIT_CWD ?? process.cwd(), path);
}

/**
 * The API trims what it receives, as Django REST framework's CharField does, so a password that starts or
 * ends with whitespace could be set here but never typed at a login: refused.
 */
export function passwordSpacingProblem(password: string): string | undefined {
  return password !== password.trim() ? 'Passwords cannot start or end with spaces: logins trim them, as Django REST framework does.' : undefined;
}

export function check(problem: string | undefined): void {
  if (problem) throw new CommandError(problem);
}
