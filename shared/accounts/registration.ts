/**
 * Signing up (djoser's POST /auth/users/): username, optional email, password (and re_password with
 * USER_CREATE_PASSWORD_RETYPE). Field errors first, all at once (uniqueness among them); then Django's
 * password validators; then the retype check, as djoser's serializer orders them. With SEND_ACTIVATION_EMAIL
 * the user starts inactive and is mailed the activation link. REGISTRATION=closed (the default) leaves it
 * to staff, as djoser does with IsAdminUser.
 */
import { authenticateBearer } from '../auth/bearer';
import { HttpError, notAuthenticated, validationFailed } from '../http/errors';
import type { HttpRequest } from '../http/request';
import type { RequestData } from '../http/request-body';
import { readFields } from '../http/request-body';
import { settings } from '../settings';
import { hashPassword } from '../users/passwords';
import { passwordProblems } from '../users/password-rules';
import { ENTER_A_VALID_EMAIL, hasUsernameCharacters, isEmailAddress, MAX_USERNAME_LENGTH, USERNAME_CHARACTERS } from '../users/user-fields';
import { createUser, deleteUser, findUserByUsername, normalizeUsername, UsernameTakenError, type User } from '../users/users';
import { mailActivation } from './account-mails';
import { checkRetyped } from './fields';

const USERNAME_TAKEN = 'A user with that username already exists.';

/** Who may sign up: anyone when open; staff when closed (anonymous 401, others 403, as DRF's IsAdminUser). */
export async function checkMayRegister(request: HttpRequest): Promise<void> {
  // DRF authenticates every request that sends credentials, so a bad bearer is a 401 even when registration is open.
  const bearer = request.headers.authorization ? await authenticateBearer(request) : undefined;
  if (settings().accounts.registration === 'open') return;
  if (!bearer) throw notAuthenticated();
  if (!bearer.user.isStaff) throw new HttpError(403, { detail: 'You do not have permission to perform this action.' });
}

export async function signUp(data: RequestData): Promise<User> {
  const { userCreatePasswordRetype, sendActivationEmail } = settings().accounts;
  const fieldErrors: Record<string, string[]> = {};
  const rawUsername = typeof data.username === 'string' ? normalizeUsername(data.username.trim()) : undefined;
  if (rawUsername) {
    if ([...rawUsername].length > MAX_USERNAME_LENGTH) fieldErrors.username = [`Ensure this field has no more than ${MAX_USERNAME_LENGTH} characters.`];
    else if (!hasUsernameCharacters(rawUsername)) fieldErrors.username = [USERNAME_CHARACTERS];
    else if (await findUserByUsername(rawUsername)) fieldErrors.username = [USERNAME_TAKEN];
  }
  if (typeof data.email === 'string' && data.email.trim() !== '' && !isEmailAddress(data.email.trim())) fieldErrors.email = [ENTER_A_VALID_EMAIL];
  const fields = readFields(data, userCreatePasswordRetype ? ['username', 'password', 're_password'] : ['username', 'password'], ['email'], fieldErrors);
  const username = normalizeUsername(fields.username);
  const email = fields.email ?? '';
  const problems = passwordProblems(fields.password, { username, email });
  if (problems.length > 0) throw validationFailed({ password: problems });
  if (userCreatePasswordRetype) checkRetyped(fields.password, (fields as { re_password?: string }).re_password);
  let user: User;
  try {
    user = await createUser({
      username,
      email,
      firstName: '',
      lastName: '',
      isActive: !sendActivationEmail,
      isStaff: false,
      isSuperuser: false,
      passwordHash: await hashPassword(fields.password),
    });
  } catch (error) {
    if (error instanceof UsernameTakenError) throw validationFailed({ username: [USERNAME_TAKEN] });
    throw error;
  }
  // A user without an email can never be mailed (Django drops empty recipients): it stays inactive until staff activates it.
  if (sendActivationEmail && email !== '') {
    try {
      await mailActivation(user);
    } catch (error) {
      // All or nothing: the same sign-up can be sent again (a mail that went out anyway names a user that is gone).
      await deleteUser(user).catch(() => undefined);
      throw error;
    }
  }
  return user;
}
