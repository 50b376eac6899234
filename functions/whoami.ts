/**
 * GET /account/whoami — an example of a route behind the authorizer: it does no checking of its own and
 * answers with what the authorizer passed on (the Lambda authorizer's context, or the JWT authorizer's claims).
 * Its OPTIONS route has no authorizer, so a browser's preflight reaches it and is answered.
 */
import type { APIGatewayProxyEventV2WithRequestContext, APIGatewayEventRequestContextV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { answerBeforeHandler } from '../shared/http/endpoint';

type Authorized = APIGatewayEventRequestContextV2 & { authorizer?: { lambda?: Record<string, unknown>; jwt?: { claims?: Record<string, unknown> } } };

export async function handler(event: APIGatewayProxyEventV2WithRequestContext<Authorized>): Promise<APIGatewayProxyStructuredResultV2> {
  const early = answerBeforeHandler(event);
  if (early) return early;
  const { lambda, jwt } = event.requestContext.authorizer ?? {};
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
    body: JSON.stringify(lambda ?? jwt?.claims ?? {}),
  };
}
