/** The deployable stack: the ServerlessJwtAuth construct and the outputs a deployment needs. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { TABLE_IDS } from '../../shared/tables';
import { ServerlessJwtAuth, tableConstructId, type ServerlessJwtAuthProps } from './auth-api';

export interface AuthStackProps extends StackProps {
  readonly auth?: ServerlessJwtAuthProps;
}

export class AuthStack extends Stack {
  readonly auth: ServerlessJwtAuth;

  constructor(scope: Construct, id: string, props: AuthStackProps = {}) {
    super(scope, id, props);
    this.auth = new ServerlessJwtAuth(this, 'Auth', props.auth);
    new CfnOutput(this, 'ApiUrl', { value: this.auth.url, description: 'Base URL of the auth API' });
    for (const id of TABLE_IDS) {
      new CfnOutput(this, `${tableConstructId(id)}Name`, {
        value: this.auth.tables[id].tableName,
        ...(id === 'users' ? { description: 'USERS_TABLE for npm run manage -- --aws' } : {}),
      });
    }
    new CfnOutput(this, 'SigningKeySecretArn', { value: this.auth.signingKey.secretArn, description: 'Rotate it to end every session' });
  }
}
