/**
 * DELETE /account/sessions/{id} — end one of the bearer's sessions: its refresh token stops working, and its
 * access tokens at the profile (and behind the authorizer once its cache expires). A session that is not
 * the bearer's, or not live, is 404.
 */
import { authenticateBearer } from '../shared/auth/bearer';
import { endpoint, noContent } from '../shared/http/endpoint';
import { notFound } from '../shared/http/errors';
import { endSessionOf } from '../shared/sessions/session-store';

export const handler = endpoint({
  name: 'Session',
  methods: ['DELETE'],
  authenticate: authenticateBearer,
  async handle(request, { user }) {
    const sid = request.pathParameters.id ?? '';
    if (!/^[0-9a-f]{32}$/.test(sid) || !(await endSessionOf(user.id, sid))) throw notFound();
    return noContent();
  },
});
