/** A user's sessions and login throttle from the command line: list them, end one or all, unlock the login. */
import { parseArgs } from 'node:util';
import { endSessionOf, liveSessionsOf } from '../../shared/sessions/session-store';
import { sessionEndOf } from '../../shared/sessions/session-tokens';
import { clearLoginFailures } from '../../shared/users/login-throttle';
import { endSessions, requireUserByUsername } from '../../shared/users/users';
import { CommandError, onePositional, type Command } from './command';

const time = (seconds: number | undefined) => (seconds === undefined ? '-' : new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' '));

async function sessionsCommand(args: string[]): Promise<void> {
  const user = await requireUserByUsername(onePositional('sessions', args));
  const sessions = await liveSessionsOf(user);
  if (sessions.length === 0) {
    console.log(`User '${user.username}' has no live session.`);
    return;
  }
  console.log('SESSION                           LOGGED IN (UTC)      LAST REFRESH         ENDS                 CLIENT');
  for (const session of sessions) {
    const ends = sessionEndOf({ auth_time: session.authTime });
    console.log(`${session.id}  ${time(session.authTime)}  ${time(session.lastRefreshAt).padEnd(19)}  ${time(ends)}  ${session.client || '-'}`);
  }
}

async function endSessionCommand(args: string[]): Promise<void> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 2) throw new CommandError('end-session takes a username and a session id.', 2);
  const user = await requireUserByUsername(positionals[0]!);
  if (!(await endSessionOf(user.id, positionals[1]!))) throw new CommandError(`User '${user.username}' has no live session ${positionals[1]}; sessions ${user.username} lists them.`);
  console.log(`Session ${positionals[1]} of user '${user.username}' has ended.`);
}

async function logoutAllCommand(args: string[]): Promise<void> {
  const user = await endSessions(await requireUserByUsername(onePositional('logout-all', args)));
  console.log(`Every session of user '${user.username}' has ended.`);
}

async function unlockCommand(args: string[]): Promise<void> {
  const user = await requireUserByUsername(onePositional('unlock', args));
  await clearLoginFailures(user.username);
  console.log(`Failed logins of user '${user.username}' forgotten: the login throttle lets them in again.`);
}

export const SESSION_COMMANDS: readonly Command[] = [
  { name: 'sessions', usage: `sessions USER      Lists the user's live sessions, newest login first.`, run: sessionsCommand },
  { name: 'end-session', usage: `end-session USER SESSION  Ends one session: its tokens stop working.`, run: endSessionCommand },
  { name: 'logout-all', usage: `logout-all USER    Ends every session of the user, on every device.`, run: logoutAllCommand },
  { name: 'unlock', usage: `unlock USER        Forgets the user's failed logins, lifting a login throttle lock-out.`, run: unlockCommand },
];
