/** POST /auth/users/set_password/ — change the bearer's password (djoser): 204; every session of the user ends. */
import { changePassword } from '../shared/accounts/password-change';
import { authenticateBearer } from '../shared/auth/bearer';
import { endpoint, noContent } from '../shared/http/endpoint';
import { readFields, parseBody } from '../shared/http/request-body';
import { settings } from '../shared/settings';

export const handler = endpoint({
  name: 'Set Password',
  methods: ['POST'],
  authenticate: authenticateBearer,
  async handle(request, { user }) {
    const retype = settings().accounts.setPasswordRetype;
    const fields = readFields(await parseBody(request), retype ? ['current_password', 'new_password', 're_new_password'] : ['current_password', 'new_password'], []);
    await changePassword(request, user, fields.current_password, fields.new_password, {
      currentField: 'current_password',
      wrongCurrent: 'Invalid password.',
      retype,
      retyped: (fields as { re_new_password?: string }).re_new_password,
    });
    return noContent();
  },
});
