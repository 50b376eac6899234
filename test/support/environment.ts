/** Points every test worker at the run's DynamoDB Local and gives it this run's signing key. */
import { inject } from 'vitest';
import { TEST_TABLE_ENV } from './tables';

process.env.DYNAMODB_ENDPOINT = inject('dynamodbEndpoint');
process.env.SIGNING_KEY = inject('signingKey');
process.env.SECRET_KEY = inject('secretKey');
process.env.MAIL_DIR = inject('mailDir');
Object.assign(process.env, TEST_TABLE_ENV);
process.env.AWS_REGION = 'us-east-1';
delete process.env.AWS_ACCESS_KEY_ID;
delete process.env.AWS_SECRET_ACCESS_KEY;
delete process.env.AWS_PROFILE;
process.env.API_URL = 'https://auth.test.example';
