/**
 * Following a mailed link: the uid must name a user and the token must be that user's, with djoser's answers
 * when they are not. Wrong tokens count against the user and the client address, as wrong passwords do at
 * login, so a token cannot be guessed by trying.
 */
import { validationFailed } from '../http/errors';
import { settings } from '../settings';
import { addressPrefix, countInScopes, forgetInScopes, scopeKey, type Scope } from '../users/throttle';
import { findUserById, type User } from '../users/users';
import { throttled } from './account-mails';
import { checkToken, decodeUid } from './account-links';

export const invalidUid = () => validationFailed({ uid: ["Invalid user id or user doesn't exist."] });
export const invalidToken = () => validationFailed({ token: ['Invalid token for given user.'] });

/** The user the link names, if its token matches `state` (the user as now, or as when the link was made). */
export async function userOfLink(uid: string, token: string, address: string | undefined, state: (user: User) => User = (user) => user): Promise<User> {
  const userId = decodeUid(uid);
  const user = userId === undefined ? undefined : await findUserById(userId);
  if (!user) throw invalidUid();
  const scopes = await wrongTokenScopes(user, address);
  await countInScopes(scopes, token.slice(0, 64), throttled);
  if (!(await checkToken(state(user), token))) throw invalidToken();
  await forgetInScopes(scopes, token.slice(0, 64));
  return user;
}

async function wrongTokenScopes(user: User, address: string | undefined): Promise<Scope[]> {
  const { loginFailureLimit, loginFailureWindow, loginAddressFailureLimit, loginAddressFailureWindow } = settings();
  return Promise.all([
    ...(loginFailureLimit > 0 ? [scopeKey('link-user', user.id).then((key) => ({ key, limit: loginFailureLimit, window: loginFailureWindow }))] : []),
    ...(address && loginAddressFailureLimit > 0 ? [scopeKey('link-address', addressPrefix(address)).then((key) => ({ key, limit: loginAddressFailureLimit, window: loginAddressFailureWindow }))] : []),
  ]);
}
