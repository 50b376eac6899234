/** POST /account/logout-all/ — end every session of the bearer, on every device, this one included. */
import { authenticateBearer } from '../shared/auth/bearer';
import { endpoint, ok } from '../shared/http/endpoint';
import { endSessions } from '../shared/users/users';

export const handler = endpoint({
  name: 'Logout All',
  methods: ['POST'],
  authenticate: authenticateBearer,
  async handle(_request, { user }) {
    await endSessions(user);
    return ok({ detail: 'Logged out of every session.' });
  },
});
