/** Ending a user's sessions from the command line. */
import { updateUser } from '../../shared/users/users';
import { onePositional, type Command } from './command';

async function logoutAllCommand(args: string[]): Promise<void> {
  const user = await updateUser(onePositional('logout-all', args), { endSessions: true });
  console.log(`Every session of user '${user.username}' has ended.`);
}

export const SESSION_COMMANDS: readonly Command[] = [
  {
    name: 'logout-all',
    usage: `logout-all USER    Ends every session of the user, on every device.`,
    run: (args) => logoutAllCommand(args),
  },
];
