/**
 * Password reset (djoser's POST /auth/users/reset_password/ and reset_password_confirm/). The request answers
 * 204 after the same time whether or not an active account has that email (a mail goes to every active one:
 * Django's emails are not unique). The confirmation checks Django's validators (without the user, as djoser),
 * the retype, the uid, then the token, in djoser's order; the new password ends every session of the user,
 * and the link is used up with the old password.
 */
import type { HttpRequest } from '../http/request';
import { readFields, type RequestData } from '../http/request-body';
import { settings } from '../settings';
import { clearLoginFailures } from '../users/login-throttle';
import { hashPassword, isCheckableHash } from '../users/passwords';
import { passwordProblems } from '../users/password-rules';
import { findUsersByEmail, setPassword, UserChangedError } from '../users/users';
import { validationFailed } from '../http/errors';
import { answerNoSoonerThan, countMailRequest, mailPasswordReset } from './account-mails';
import { invalidToken, userOfLink } from './link-check';
import { checkRetyped, emailField } from './fields';

export async function requestPasswordReset(request: HttpRequest, data: RequestData): Promise<void> {
  const started = performance.now();
  const email = emailField(data);
  await countMailRequest(email, request.sourceIp);
  for (const user of await findUsersByEmail(email)) if (user.isActive && isCheckableHash(user.passwordHash)) await mailPasswordReset(user);
  await answerNoSoonerThan(started);
}

export async function confirmPasswordReset(request: HttpRequest, data: RequestData): Promise<void> {
  const retype = settings().accounts.passwordResetConfirmRetype;
  const fields = readFields(data, retype ? ['uid', 'token', 'new_password', 're_new_password'] : ['uid', 'token', 'new_password'], []);
  const problems = passwordProblems(fields.new_password);
  if (problems.length > 0) throw validationFailed({ new_password: problems });
  if (retype) checkRetyped(fields.new_password, (fields as { re_new_password?: string }).re_new_password);
  const user = await userOfLink(fields.uid, fields.token, request.sourceIp);
  try {
    await setPassword(user, await hashPassword(fields.new_password));
  } catch (error) {
    // Changed meanwhile (another reset, say): the token no longer matches the user.
    if (error instanceof UserChangedError) throw invalidToken();
    throw error;
  }
  await clearLoginFailures(user.username);
}
