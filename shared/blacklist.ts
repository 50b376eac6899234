/**
 * The blacklist of refresh tokens, keyed on the token's jti (never on the token string, so a token
 * re-encoded differently is still the same token). Entries carry a TTL at or after the token's expiry;
 * because TTL deletion can lag by days, every read and every condition treats an entry past its TTL as
 * absent.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, isConditionFailure } from './dynamodb';
import { settings } from './settings';
import { BLACKLIST_TABLE_SCHEMA } from './tables';
import { nowSeconds, type TokenClaims, userIdOf } from './tokens';

const KEY = BLACKLIST_TABLE_SCHEMA.partitionKey;
const TTL = BLACKLIST_TABLE_SCHEMA.timeToLiveAttribute;

/**
 * The Put that blacklists a token, conditional on the jti not being blacklisted already: of any number of
 * concurrent writers exactly one succeeds.
 */
export function blacklistPut(claims: TokenClaims) {
  const now = nowSeconds();
  return {
    TableName: settings().blacklistTable,
    Item: {
      [KEY]: claims.jti,
      // A token within LEEWAY of its exp still verifies, so its entry must outlive that.
      [TTL]: Math.floor(claims.exp) + settings().leeway,
      userId: userIdOf(claims),
      blacklistedAt: now,
    },
    ConditionExpression: 'attribute_not_exists(#jti) OR #ttl < :now',
    ExpressionAttributeNames: { '#jti': KEY, '#ttl': TTL },
    ExpressionAttributeValues: { ':now': now },
  };
}

/** Blacklists the token; false when it was already blacklisted. One round trip. */
export async function blacklistToken(claims: TokenClaims): Promise<boolean> {
  try {
    await dynamo().send(new PutCommand(blacklistPut(claims)));
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** The Key of a token's blacklist entry, for batch reads. */
export const blacklistKey = (jti: string) => ({ [KEY]: jti });

/** Whether a blacklist item read elsewhere (e.g. in a batch) is still in force. */
export function isInForce(item: Record<string, unknown> | undefined): boolean {
  return item !== undefined && typeof item[TTL] === 'number' && item[TTL] >= nowSeconds();
}

export async function isBlacklisted(jti: string): Promise<boolean> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: settings().blacklistTable, Key: blacklistKey(jti), ConsistentRead: true }),
  );
  return isInForce(Item);
}
