import { serviceUnavailable } from './errors';
import { describeError, log } from './log';
import { SettingsError } from './settings';

/**
 * RFC 7518 section 3.2: an HS256 key MUST be at least as long as the hash output (256 bits). Django's
 * SECRET_KEY (50 characters) passes, so a migrating project can keep signing with its own key.
 */
export const MIN_SIGNING_KEY_BYTES = 32;

type Env = Readonly<Record<string, string | undefined>>;

let cached: Promise<Uint8Array> | undefined;

/**
 * The HMAC key: the UTF-8 bytes of SIGNING_KEY (the same bytes simplejwt signs with), or on Lambda of the
 * Secrets Manager secret named by SIGNING_KEY_SECRET_ARN, read once per container and kept. There is no
 * default: a missing or short key is a configuration error, never a silent fallback.
 */
export function signingKey(): Promise<Uint8Array> {
  cached ??= loadSigningKey(process.env).catch((error: unknown) => {
    cached = undefined; // a failed read is retried by the next request
    throw error;
  });
  return cached;
}

async function loadSigningKey(env: Env): Promise<Uint8Array> {
  const secretArn = env.SIGNING_KEY_SECRET_ARN;
  return secretArn ? checkedKey('the signing key secret', await readSecret(secretArn, env)) : keyFromEnvironment(env);
}

export function keyFromEnvironment(env: Env): Uint8Array {
  const raw = env.SIGNING_KEY;
  if (!raw) throw new SettingsError('SIGNING_KEY is not set');
  return checkedKey('SIGNING_KEY', raw);
}

function checkedKey(name: string, raw: string): Uint8Array {
  const key = new TextEncoder().encode(raw);
  if (key.byteLength < MIN_SIGNING_KEY_BYTES) throw new SettingsError(`${name} must be at least ${MIN_SIGNING_KEY_BYTES} bytes`);
  return key;
}

/**
 * Through the AWS Parameters and Secrets Lambda Extension's local HTTP endpoint, which keeps the AWS SDK
 * out of every bundle (verify's above all).
 * https://docs.aws.amazon.com/lambda/latest/dg/with-secrets-manager.html
 */
async function readSecret(secretArn: string, env: Env): Promise<string> {
  const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773';
  const url = `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretArn)}`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { 'X-Aws-Parameters-Secrets-Token': env.AWS_SESSION_TOKEN ?? '' },
      signal: AbortSignal.timeout(3000),
    });
  } catch (error) {
    log.warn('signing key secret unavailable', describeError(error));
    throw serviceUnavailable();
  }
  if (response.status >= 500 || response.status === 429) {
    log.warn('signing key secret unavailable', { status: response.status });
    throw serviceUnavailable();
  }
  // Anything else (no permission, no such secret) will not heal by itself.
  if (!response.ok) throw new SettingsError(`reading the signing key secret failed with HTTP ${response.status}`);
  const { SecretString } = (await response.json()) as { SecretString?: unknown };
  if (typeof SecretString !== 'string') throw new SettingsError('the signing key secret has no SecretString');
  return SecretString;
}
