/** POST /auth/users/reset_password/ — mail a password-reset link (djoser): 204 whether or not the email has an account. */
import { requestPasswordReset } from '../shared/accounts/password-reset';
import { endpoint, noContent } from '../shared/http/endpoint';
import { parseBody } from '../shared/http/request-body';

export const handler = endpoint({
  name: 'Reset Password',
  methods: ['POST'],
  async handle(request) {
    await requestPasswordReset(request, await parseBody(request));
    return noContent();
  },
});
