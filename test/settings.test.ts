import { describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from '../shared/settings';
import { checkSigningKeys } from '../shared/tokens/signing-keys';

describe('settings', () => {
  it("defaults to the tutorial's values", () => {
    expect(loadSettings({})).toMatchObject({
      accessTokenLifetime: 900,
      refreshTokenLifetime: 604800,
      rotateRefreshTokens: true,
      blacklistAfterRotation: true,
      leeway: 0,
      dynamodbEndpoint: undefined,
    });
  });

  it('reads durations with units and booleans in the usual spellings', () => {
    const settings = loadSettings({
      ACCESS_TOKEN_LIFETIME: '5m',
      REFRESH_TOKEN_LIFETIME: '1d',
      ROTATE_REFRESH_TOKENS: 'False',
      BLACKLIST_AFTER_ROTATION: '0',
      LEEWAY: '30',
    });
    expect(settings).toMatchObject({
      accessTokenLifetime: 300,
      refreshTokenLifetime: 86400,
      rotateRefreshTokens: false,
      blacklistAfterRotation: false,
      leeway: 30,
    });
    expect(loadSettings({ ACCESS_TOKEN_LIFETIME: '120' }).accessTokenLifetime).toBe(120);
  });

  it('names the variable of a bad value, and not the value', () => {
    for (const [name, value] of [
      ['ACCESS_TOKEN_LIFETIME', '-5'],
      ['REFRESH_TOKEN_LIFETIME', 'forever'],
      ['ROTATE_REFRESH_TOKENS', 'maybe'],
      ['LEEWAY', '-1'],
      ['USERS_TABLE', 'no spaces allowed'],
    ]) {
      let message = '';
      try {
        loadSettings({ [name!]: value });
      } catch (error) {
        expect(error).toBeInstanceOf(SettingsError);
        message = (error as Error).message;
      }
      expect(message).toContain(name);
      expect(message).not.toContain(value);
    }
  });

  it('refuses values that do not go together, and origins a browser would never send', () => {
    expect(() => loadSettings({ ACCESS_TOKEN_LIFETIME: '8d' })).toThrow('ACCESS_TOKEN_LIFETIME must not be longer than REFRESH_TOKEN_LIFETIME');
    expect(() => loadSettings({ SESSION_LIFETIME: '5m' })).toThrow('ACCESS_TOKEN_LIFETIME must not be longer than SESSION_LIFETIME');
    expect(loadSettings({ SESSION_LIFETIME: '30d' }).sessionLifetime).toBe(30 * 86400);
    for (const origins of ['app.example.com', 'https://app.example.com/', 'https://app.example.com/path', 'https://app.example.com:443']) {
      expect(() => loadSettings({ CORS_ALLOWED_ORIGINS: origins }), origins).toThrow('CORS_ALLOWED_ORIGINS must list origins such as https://app.example.com');
    }
    expect(loadSettings({ CORS_ALLOWED_ORIGINS: 'https://app.example.com, http://localhost:5173' }).corsAllowedOrigins).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(() => loadSettings({ API_URL: 'not a url' })).toThrow('API_URL must be an http or https URL');
  });

  it('has no default signing key, refuses one shorter than 256 bits, and a key set that is not JSON', async () => {
    await expect(checkSigningKeys({})).rejects.toThrow('SIGNING_KEY is not set');
    await expect(checkSigningKeys({ SIGNING_KEY: 'short-key' })).rejects.toThrow('at least 32 bytes');
    await expect(checkSigningKeys({ SIGNING_KEY: 'k'.repeat(32) })).resolves.toBeUndefined();
    await expect(checkSigningKeys({ SIGNING_KEYS: '{bad' })).rejects.toThrow('SIGNING_KEYS is not a valid key set (JSON)');
  });
});
