/**
 * Changing a password from the API: the old password must be right (guesses count toward the same login
 * throttle as the login form), the new one must pass Django's validators, and every session of the user
 * ends, this one included. The write is conditional on the user as read, so a change made meanwhile (by
 * an operator, say) is never undone: the request then answers as if that change had come first.
 */
import { authenticateBearer } from '../auth/bearer';
import { HttpError, validationFailed } from '../http/errors';
import type { HttpRequest } from '../http/request';
import { beginLoginAttempt, clearLoginFailures, endLoginAttemptWithSuccess } from '../users/login-throttle';
import { hashPassword, verifyPassword } from '../users/passwords';
import { passwordProblems } from '../users/password-rules';
import { setPassword, UserChangedError, type User } from '../users/users';
import { checkRetyped } from './fields';

/** How the form names and answers things: this service's /account/password/ (Django's PasswordChangeForm) or djoser's set_password. */
export interface PasswordForm {
  readonly currentField: string;
  readonly wrongCurrent: string;
  /** djoser's SET_PASSWORD_RETYPE: the new password typed again, checked after the validators. */
  readonly retyped?: string | undefined;
  readonly retype?: boolean;
}

export const DJANGO_PASSWORD_CHANGE: PasswordForm = { currentField: 'old_password', wrongCurrent: 'Your old password was entered incorrectly. Please enter it again.' };

/** A known password, then a new one: throttled as logins, checked by Django's validators with the user, and every session ends. */
export async function checkCurrentPassword(request: HttpRequest, user: User, password: string, form: Pick<PasswordForm, 'currentField' | 'wrongCurrent'>): Promise<void> {
  const attempt = await beginLoginAttempt(user.username, password, request.sourceIp);
  if (!(await verifyPassword(password, user.passwordHash))) throw validationFailed({ [form.currentField]: [form.wrongCurrent] });
  await endLoginAttemptWithSuccess(attempt);
}

export async function changePassword(request: HttpRequest, user: User, oldPassword: string, newPassword: string, form: PasswordForm = DJANGO_PASSWORD_CHANGE): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await changeAsRead(request, user, oldPassword, newPassword, form);
    } catch (error) {
      if (!(error instanceof UserChangedError)) throw error;
      if (attempt === 2) throw new HttpError(409, { detail: 'The account changed while the password was being changed. Try again.' });
      // Ended sessions or deactivation answer as the bearer check now does; a re-hashed password is tried again.
      ({ user } = await authenticateBearer(request));
    }
  }
}

async function changeAsRead(request: HttpRequest, user: User, oldPassword: string, newPassword: string, form: PasswordForm): Promise<void> {
  await checkCurrentPassword(request, user, oldPassword, form);
  const problems = passwordProblems(newPassword, user);
  if (problems.length > 0) throw validationFailed({ new_password: problems });
  if (form.retype) checkRetyped(newPassword, form.retyped);
  await setPassword(user, await hashPassword(newPassword));
  await clearLoginFailures(user.username);
}
