/**
 * Changing a password from the API: the old password must be right (guesses count toward the same login
 * throttle as the login form), the new one must pass Django's validators, and every session of the user
 * ends, this one included.
 */
import { validationFailed } from '../http/errors';
import { beginLoginAttempt, endLoginAttemptWithSuccess } from '../users/login-throttle';
import { hashPassword, verifyPassword } from '../users/passwords';
import { passwordProblems } from '../users/password-rules';
import { updateUserById, type User } from '../users/users';

export async function changePassword(user: User, oldPassword: string, newPassword: string): Promise<void> {
  const attempt = await beginLoginAttempt(user.username);
  if (!(await verifyPassword(oldPassword, user.passwordHash))) {
    // Django's PasswordChangeForm wording.
    throw validationFailed({ old_password: ['Your old password was entered incorrectly. Please enter it again.'] });
  }
  await endLoginAttemptWithSuccess(attempt);
  const problems = passwordProblems(newPassword, user);
  if (problems.length > 0) throw validationFailed({ new_password: problems });
  await updateUserById(user.id, { passwordHash: await hashPassword(newPassword), endSessions: true });
}
