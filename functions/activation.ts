/** POST /auth/users/activation/ — follow the activation link's uid and token (djoser): 204, or 403 if already active. */
import { activate } from '../shared/accounts/activation';
import { endpoint, noContent } from '../shared/http/endpoint';
import { parseBody } from '../shared/http/request-body';

export const handler = endpoint({
  name: 'Activation',
  methods: ['POST'],
  async handle(request) {
    await activate(request, await parseBody(request));
    return noContent();
  },
});
