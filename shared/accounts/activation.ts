/**
 * Activation (djoser's POST /auth/users/activation/ and resend_activation/). The link's token was made while
 * the user was inactive; followed again once active, it is djoser's 403 "Stale token for given user.".
 */
import { HttpError } from '../http/errors';
import type { HttpRequest } from '../http/request';
import { readFields, type RequestData } from '../http/request-body';
import { settings } from '../settings';
import { isCheckableHash } from '../users/passwords';
import { clearLoginFailures } from '../users/login-throttle';
import { findUsersByEmail, setActive, UserChangedError } from '../users/users';
import { answerNoSoonerThan, countMailRequest, mailActivation } from './account-mails';
import { invalidToken, userOfLink } from './link-check';
import { emailField } from './fields';

export async function activate(request: HttpRequest, data: RequestData): Promise<void> {
  const { uid, token } = readFields(data, ['uid', 'token'], []);
  const user = await userOfLink(uid, token, request.sourceIp, (current) => ({ ...current, isActive: false }));
  if (user.isActive) throw new HttpError(403, { detail: 'Stale token for given user.' });
  try {
    await setActive(user, true);
  } catch (error) {
    // Activated (or changed) meanwhile: the link is used up either way.
    if (error instanceof UserChangedError) throw invalidToken();
    throw error;
  }
  await clearLoginFailures(user.username);
}

/** 204 whether or not an inactive account has that email (djoser 2.2.1 and later), after the same time. */
export async function resendActivation(request: HttpRequest, data: RequestData): Promise<void> {
  const started = performance.now();
  const email = emailField(data);
  await countMailRequest(email, request.sourceIp);
  if (settings().accounts.sendActivationEmail) {
    for (const user of await findUsersByEmail(email)) if (!user.isActive && isCheckableHash(user.passwordHash)) await mailActivation(user);
  }
  await answerNoSoonerThan(started);
}
