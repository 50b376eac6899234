/** GET /account/profile — the tutorial's ProfileView: who the bearer of this access token is. */
import { authenticateBearer } from '../shared/auth/bearer';
import { endpoint, ok } from '../shared/http/endpoint';

export const handler = endpoint({
  name: 'Profile',
  methods: ['GET'],
  authenticate: authenticateBearer,
  async handle(_request, { user }) {
    return ok({ id: user.id, username: user.username, email: user.email });
  },
});
