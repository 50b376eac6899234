/** /auth/users/me/ — the bearer's own account (djoser): GET it, PUT or PATCH email and names, DELETE it with the current password. */
import { deleteOwnAccount, publicProfile, updateProfile } from '../shared/accounts/profile';
import { authenticateBearer } from '../shared/auth/bearer';
import { endpoint, noContent, ok } from '../shared/http/endpoint';
import { parseBody } from '../shared/http/request-body';

export const handler = endpoint({
  name: 'User',
  methods: ['GET', 'PUT', 'PATCH', 'DELETE'],
  authenticate: authenticateBearer,
  async handle(request, { user }) {
    if (request.method === 'DELETE') {
      await deleteOwnAccount(request, user, await parseBody(request));
      return noContent();
    }
    if (request.method === 'PUT' || request.method === 'PATCH') return ok(publicProfile(await updateProfile(user, await parseBody(request))));
    return ok(publicProfile(user));
  },
});
