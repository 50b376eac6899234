/** POST /api/token/ — username and password for an access + refresh pair (simplejwt TokenObtainPairView). */
import { logIn } from '../shared/auth/credentials';
import { endpoint } from '../shared/http/endpoint';
import { parseBody, stringFields } from '../shared/http/request-body';
import { checkLoginOrigin, tokenPairResponse } from '../shared/sessions/refresh-cookie';
import { issueTokenPair } from '../shared/sessions/session-tokens';
import { tokenClaimsFor } from '../shared/users/users';

export const handler = endpoint({
  name: 'Custom Token Obtain Pair',
  methods: ['POST'],
  async handle(request) {
    checkLoginOrigin(request);
    const { username, password } = stringFields(await parseBody(request), ['username', 'password']);
    const { user, session } = await logIn(username, password, { address: request.sourceIp, userAgent: request.headers['user-agent'] });
    return tokenPairResponse(request, { ...(await issueTokenPair({ ...tokenClaimsFor(user), ...session }, { issuedAt: session.auth_time })) }, { login: true });
  },
});
