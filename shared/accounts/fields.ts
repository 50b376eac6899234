/** The email field of djoser's mail requests: required, and an address. */
import { validationFailed } from '../http/errors';
import { readFields, type RequestData } from '../http/request-body';
import { ENTER_A_VALID_EMAIL, isEmailAddress } from '../users/user-fields';

export function emailField(data: RequestData): string {
  const { email } = readFields(data, ['email'], []);
  if (!isEmailAddress(email)) throw validationFailed({ email: [ENTER_A_VALID_EMAIL] });
  return email;
}

/** djoser's retype check, after the password validators. */
export function checkRetyped(password: string, again: string | undefined): void {
  if (password !== again) throw validationFailed({ non_field_errors: ["The two password fields didn't match."] });
}
