/** POST /auth/users/resend_activation/ — mail the activation link again (djoser): 204 whether or not the email has an inactive account. */
import { resendActivation } from '../shared/accounts/activation';
import { endpoint, noContent } from '../shared/http/endpoint';
import { parseBody } from '../shared/http/request-body';

export const handler = endpoint({
  name: 'Resend Activation',
  methods: ['POST'],
  async handle(request) {
    await resendActivation(request, await parseBody(request));
    return noContent();
  },
});
