/**
 * Every table the service uses: the environment variable that names it, its local default name, its key
 * and its TTL attribute. One source for the stores, the local runner's table creation, the tests and the
 * CDK stack, so local and cloud tables cannot drift apart.
 */
export interface TableSchema {
  /** The environment variable holding the table's name. */
  readonly env: string;
  readonly defaultName: string;
  readonly partitionKey: string;
  /** Epoch seconds after which DynamoDB TTL may delete an item (some time later: reads never rely on it). */
  readonly timeToLiveAttribute?: string;
}

export const TABLES = {
  /** `user#<id>` for a user, `username#<username>` for the item that makes a username unique. */
  users: { env: 'USERS_TABLE', defaultName: 'auth-users', partitionKey: 'pk' },
  /** Refresh tokens that were used for rotation or logged out, by jti. */
  blacklist: { env: 'BLACKLIST_TABLE', defaultName: 'auth-token-blacklist', partitionKey: 'jti', timeToLiveAttribute: 'expiresAt' },
  /** Sessions (token families) ended by logout or by a replayed refresh token, by sid. */
  revokedSessions: { env: 'REVOKED_SESSIONS_TABLE', defaultName: 'auth-revoked-sessions', partitionKey: 'sid', timeToLiveAttribute: 'expiresAt' },
  /** Failed logins per username within the current window. */
  loginAttempts: { env: 'LOGIN_ATTEMPTS_TABLE', defaultName: 'auth-login-attempts', partitionKey: 'username', timeToLiveAttribute: 'expiresAt' },
} as const satisfies Record<string, TableSchema>;

export type TableId = keyof typeof TABLES;
export const TABLE_IDS = Object.keys(TABLES) as TableId[];
