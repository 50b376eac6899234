/**
 * GET /account/sessions — the bearer's live sessions (a login each: phone, laptop, a script), newest first,
 * so a lost device can be found and ended with DELETE /account/sessions/{id}.
 */
import { authenticateBearer } from '../shared/auth/bearer';
import { endpoint, ok } from '../shared/http/endpoint';
import { liveSessionsOf } from '../shared/sessions/session-store';
import { sessionEndOf, sessionIdOf } from '../shared/sessions/session-tokens';

const isoTime = (seconds: number | undefined) => (seconds === undefined ? null : new Date(seconds * 1000).toISOString().replace('.000Z', 'Z'));

export const handler = endpoint({
  name: 'Session List',
  methods: ['GET'],
  authenticate: authenticateBearer,
  async handle(_request, { user, claims }) {
    const sessions = await liveSessionsOf(user);
    return ok(
      sessions.map((session) => ({
        id: session.id,
        logged_in_at: isoTime(session.authTime),
        last_refreshed_at: isoTime(session.lastRefreshAt),
        expires_at: isoTime(sessionEndOf({ auth_time: session.authTime })),
        client: session.client,
        current: session.id === sessionIdOf(claims),
      })),
    );
  },
});
