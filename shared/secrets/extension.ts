/**
 * Reading a Secrets Manager secret on Lambda through the AWS Parameters and Secrets Lambda Extension's local
 * HTTP endpoint, which keeps the AWS SDK out of every bundle (verify's above all).
 * https://docs.aws.amazon.com/lambda/latest/dg/with-secrets-manager.html
 */
import { serviceUnavailable } from '../http/errors';
import { describeError, log } from '../log';
import { SettingsError } from '../settings';

type Env = Readonly<Record<string, string | undefined>>;

/** A secret loaded once per container; a failed load is not kept, so the next request tries again. */
export function loadedOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
}

/** The secret's SecretString; 503 while the extension or Secrets Manager is unavailable, SettingsError if it never will be. */
export async function readSecret(secretArn: string, what: string, env: Env = process.env): Promise<string> {
  const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773';
  const url = `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretArn)}`;
  let response: Response;
  let body: { SecretString?: unknown };
  try {
    response = await fetch(url, {
      headers: { 'X-Aws-Parameters-Secrets-Token': env.AWS_SESSION_TOKEN ?? '' },
      signal: AbortSignal.timeout(3000),
    });
    if (response.status >= 500 || response.status === 429) throw new Error(`HTTP ${response.status}`);
    // Anything else (no permission, no such secret) will not heal by itself.
    if (!response.ok) throw new SettingsError(`reading ${what} failed with HTTP ${response.status}`);
    body = (await response.json()) as { SecretString?: unknown };
  } catch (error) {
    if (error instanceof SettingsError) throw error;
    log.warn(`${what} unavailable`, describeError(error));
    throw serviceUnavailable();
  }
  if (typeof body.SecretString !== 'string') throw new SettingsError(`${what} has no SecretString`);
  return body.SecretString;
}
