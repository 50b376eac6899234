/**
 * The key schema and TTL attribute of every table: one source for the stores, the local runner's table
 * creation and the CDK stack, so local and cloud tables cannot drift apart.
 */
export const USERS_TABLE_SCHEMA = {
  /** `user#<id>` for a user, `username#<username>` for the item that makes a username unique. */
  partitionKey: 'pk',
} as const;

export const BLACKLIST_TABLE_SCHEMA = {
  partitionKey: 'jti',
  /** Epoch seconds at or after the token's own expiry; DynamoDB TTL deletes the item some time later. */
  timeToLiveAttribute: 'expiresAt',
} as const;

export interface TableSchema {
  readonly partitionKey: string;
  readonly timeToLiveAttribute?: string;
}
