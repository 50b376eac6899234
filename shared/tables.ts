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
  readonly sortKey?: string;
  /** Epoch seconds after which DynamoDB TTL may delete an item (some time later: reads never rely on it). */
  readonly timeToLiveAttribute?: string;
  /** Global secondary indexes, by a string attribute that only the items to index carry (sparse). */
  readonly indexes?: readonly { readonly name: string; readonly partitionKey: string }[];
}

export const TABLES = {
  /** `user#<id>` for a user, `username#<username>` for the item that makes a username unique. */
  users: { env: 'USERS_TABLE', defaultName: 'auth-users', partitionKey: 'pk', indexes: [{ name: 'byEmail', partitionKey: 'emailKey' }] },
  /** Refresh tokens that were used for rotation or logged out, by jti. */
  blacklist: { env: 'BLACKLIST_TABLE', defaultName: 'auth-token-blacklist', partitionKey: 'jti', timeToLiveAttribute: 'expiresAt' },
  /** Sessions (token families), by user and session id: started at login, ended by logout or a replayed token. */
  sessions: { env: 'SESSIONS_TABLE', defaultName: 'auth-sessions', partitionKey: 'userId', sortKey: 'sid', timeToLiveAttribute: 'expiresAt' },
  /** Distinct failed passwords within the current window, per username and per client address. */
  loginThrottle: { env: 'LOGIN_THROTTLE_TABLE', defaultName: 'auth-login-throttle', partitionKey: 'key', timeToLiveAttribute: 'expiresAt' },
} as const satisfies Record<string, TableSchema>;

export type TableId = keyof typeof TABLES;
export const TABLE_IDS = Object.keys(TABLES) as TableId[];

/** The key attributes of a table, partition key first. */
export const keyAttributes = (schema: TableSchema): string[] => (schema.sortKey ? [schema.partitionKey, schema.sortKey] : [schema.partitionKey]);
