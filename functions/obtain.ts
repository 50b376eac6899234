/** POST /api/token/ — username and password for an access + refresh pair (simplejwt TokenObtainPairView). */
import { authenticateCredentials } from '../shared/credentials';
import { endpoint, ok } from '../shared/http';
import { parseBody, stringFields } from '../shared/request-body';
import { newSessionClaims } from '../shared/sessions';
import { issueTokenPair } from '../shared/tokens';
import { tokenClaimsFor } from '../shared/users';

export const handler = endpoint({
  name: 'Custom Token Obtain Pair',
  methods: ['POST'],
  async handle(request) {
    const { username, password } = stringFields(await parseBody(request), ['username', 'password']);
    const user = await authenticateCredentials(username, password);
    return ok({ ...(await issueTokenPair({ ...tokenClaimsFor(user), ...newSessionClaims(user.sessionGeneration) })) });
  },
});
