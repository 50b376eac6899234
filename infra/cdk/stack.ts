/** The deployable stack: the ServerlessJwtAuth construct and the outputs a deployment needs. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ServerlessJwtAuth, type ServerlessJwtAuthProps } from './auth-api';

export interface AuthStackProps extends StackProps {
  readonly auth?: ServerlessJwtAuthProps;
}

export class AuthStack extends Stack {
  readonly auth: ServerlessJwtAuth;

  constructor(scope: Construct, id: string, props: AuthStackProps = {}) {
    super(scope, id, props);
    this.auth = new ServerlessJwtAuth(this, 'Auth', props.auth);
    new CfnOutput(this, 'ApiUrl', { value: this.auth.url, description: 'Base URL of the auth API' });
    new CfnOutput(this, 'UsersTableName', { value: this.auth.usersTable.tableName, description: 'USERS_TABLE for npm run manage -- --aws' });
    new CfnOutput(this, 'BlacklistTableName', { value: this.auth.blacklistTable.tableName });
    new CfnOutput(this, 'SigningKeySecretArn', { value: this.auth.signingKey.secretArn, description: 'Rotate it to end every session' });
  }
}
