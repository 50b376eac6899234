/**
 * Amazon SES (API v2): one SendEmail per mail, simple content (text and HTML), from the stack's verified
 * identity. The client is built once per container and loaded only by the functions that mail.
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html
 */
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import type { Mail } from './templates';

let client: SESv2Client | undefined;

export function ses(): SESv2Client {
  // Three attempts of at most 2 s to connect and 5 s to answer stay inside the function's 25 s timeout.
  client ??= new SESv2Client({ maxAttempts: 3, requestHandler: { connectionTimeout: 2000, requestTimeout: 5000, throwOnRequestTimeout: true } });
  return client;
}

export async function sendWithSes(from: string, mail: Mail): Promise<void> {
  const identity = process.env.SES_IDENTITY_ARN;
  await ses().send(
    new SendEmailCommand({
      FromEmailAddress: from,
      ...(identity ? { FromEmailAddressIdentityArn: identity } : {}),
      Destination: { ToAddresses: [mail.to] },
      Content: {
        Simple: {
          Subject: { Data: mail.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: mail.text, Charset: 'UTF-8' }, Html: { Data: mail.html, Charset: 'UTF-8' } },
        },
      },
    }),
  );
}
