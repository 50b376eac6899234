import { describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from '../shared/settings';
import { keyFromEnvironment } from '../shared/tokens/signing-keys';

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

  it('has no default signing key and refuses one shorter than 256 bits', () => {
    expect(() => keyFromEnvironment({})).toThrow('SIGNING_KEY is not set');
    expect(() => keyFromEnvironment({ SIGNING_KEY: 'short-key' })).toThrow('at least 32 bytes');
    expect(keyFromEnvironment({ SIGNING_KEY: 'k'.repeat(32) }).byteLength).toBe(32);
  });
});
