/** POST /auth/users/ — sign up (djoser): 201 with the new user; with SEND_ACTIVATION_EMAIL it must be activated first. */
import { publicProfile } from '../shared/accounts/profile';
import { checkMayRegister, signUp } from '../shared/accounts/registration';
import { endpoint } from '../shared/http/endpoint';
import { parseBody } from '../shared/http/request-body';

export const handler = endpoint({
  name: 'User List',
  methods: ['POST'],
  async handle(request) {
    await checkMayRegister(request);
    return { status: 201, body: publicProfile(await signUp(await parseBody(request))) };
  },
});
