/**
 * The bearer's own account (djoser's /auth/users/me/ and set_password/): read it, change its email and names,
 * delete it with the current password. A changed email is re-verified when SEND_ACTIVATION_EMAIL is on: the
 * user is inactive (every session ends) until the link mailed to the new address is followed, as djoser does.
 */
import type { HttpRequest } from '../http/request';
import { readFields, type RequestData } from '../http/request-body';
import { settings } from '../settings';
import { ENTER_A_VALID_EMAIL, isEmailAddress, MAX_NAME_LENGTH } from '../users/user-fields';
import { setProfile, type User } from '../users/users';
import { deleteAccount } from './account-deletion';
import { mailActivation } from './account-mails';
import { checkCurrentPassword } from './password-change';

/** djoser's UserSerializer: email, id, username. */
export const publicProfile = (user: User) => ({ email: user.email, id: user.id, username: user.username });

/** PUT and PATCH alike: every field is optional (djoser's email is, and names are extra). */
export async function updateProfile(user: User, data: RequestData): Promise<User> {
  const fieldErrors: Record<string, string[]> = {};
  if (typeof data.email === 'string' && data.email.trim() !== '' && !isEmailAddress(data.email.trim())) fieldErrors.email = [ENTER_A_VALID_EMAIL];
  for (const name of ['first_name', 'last_name'] as const) {
    if (typeof data[name] === 'string' && [...(data[name] as string).trim()].length > MAX_NAME_LENGTH) fieldErrors[name] = [`Ensure this field has no more than ${MAX_NAME_LENGTH} characters.`];
  }
  const fields = readFields(data, [], ['email', 'first_name', 'last_name'], fieldErrors);
  const email = fields.email ?? user.email;
  const reverify = settings().accounts.sendActivationEmail && email !== user.email && email !== '';
  const updated = await setProfile(user, {
    email,
    firstName: fields.first_name ?? user.firstName,
    lastName: fields.last_name ?? user.lastName,
    ...(reverify ? { isActive: false } : {}),
  });
  if (reverify) await mailActivation(updated);
  return updated;
}

export async function deleteOwnAccount(request: HttpRequest, user: User, data: RequestData): Promise<void> {
  const { current_password } = readFields(data, ['current_password'], []);
  await checkCurrentPassword(request, user, current_password, { currentField: 'current_password', wrongCurrent: 'Invalid password.' });
  await deleteAccount(user);
}
