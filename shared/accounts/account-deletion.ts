/**
 * Deleting an account: the user and its username go in one transaction (its tokens are refused from then on:
 * "User not found"), then everything else keyed to it: its sessions and its failed-login count.
 */
import { deleteSessionsOf } from '../sessions/session-store';
import { clearLoginFailures } from '../users/login-throttle';
import { deleteUser, type User } from '../users/users';

export async function deleteAccount(user: User): Promise<void> {
  await deleteUser(user);
  await Promise.all([deleteSessionsOf(user.id), clearLoginFailures(user.username)]);
}
