/** POST /account/password/ — change the bearer's password; every session of the user ends. */
import { authenticateBearer } from '../shared/auth/bearer';
import { endpoint, ok } from '../shared/http/endpoint';
import { changePassword } from '../shared/accounts/password-change';
import { parseBody, stringFields } from '../shared/http/request-body';

export const handler = endpoint({
  name: 'Change Password',
  methods: ['POST'],
  authenticate: authenticateBearer,
  async handle(request, { user }) {
    const { old_password, new_password } = stringFields(await parseBody(request), ['old_password', 'new_password']);
    await changePassword(request, user, old_password, new_password);
    return ok({ detail: 'Password changed. Every session has ended: log in again.' });
  },
});
