/** POST /auth/users/reset_password_confirm/ — a new password with the reset link's uid and token (djoser): 204; every session ends. */
import { confirmPasswordReset } from '../shared/accounts/password-reset';
import { endpoint, noContent } from '../shared/http/endpoint';
import { parseBody } from '../shared/http/request-body';

export const handler = endpoint({
  name: 'Reset Password Confirm',
  methods: ['POST'],
  async handle(request) {
    await confirmPasswordReset(request, await parseBody(request));
    return noContent();
  },
});
