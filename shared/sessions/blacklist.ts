/**
 * The blacklist of refresh tokens, keyed on the token's jti (never on the token string, so a token
 * re-encoded differently is still the same token). An entry is in force while its token could still
 * verify: until the token's stored exp (see store/expiry.ts).
 */
import { nowSeconds } from '../clock';
import { settings } from '../settings';
import { numberAttribute } from '../store/dynamodb';
import { deletableAfter, inForceCutoff } from '../store/expiry';
import { TABLES } from '../tables';
import { type TokenClaims, userIdOf } from '../tokens/tokens';

const KEY = TABLES.blacklist.partitionKey;
const TTL = TABLES.blacklist.timeToLiveAttribute;
const TOKEN_EXP = 'tokenExp';

/**
 * The Put that blacklists a token, conditional on the jti not being blacklisted already: of any number of
 * concurrent writers exactly one succeeds.
 */
export function blacklistPut(claims: TokenClaims) {
  const exp = Math.floor(claims.exp);
  return {
    TableName: settings().tables.blacklist,
    Item: {
      [KEY]: claims.jti,
      [TOKEN_EXP]: exp,
      [TTL]: deletableAfter(exp),
      userId: userIdOf(claims),
      blacklistedAt: nowSeconds(),
    },
    ConditionExpression: 'attribute_not_exists(#jti) OR #exp < :cutoff',
    ExpressionAttributeNames: { '#jti': KEY, '#exp': TOKEN_EXP },
    ExpressionAttributeValues: { ':cutoff': inForceCutoff() },
    // When the token was already blacklisted, say when: a replay within REFRESH_REUSE_GRACE is forgiven.
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
}

/** When an existing entry (returned by a failed condition) was written. */
export const blacklistedAt = (entry: Record<string, unknown> | undefined) => numberAttribute(entry, 'blacklistedAt');

/** The Key of a token's blacklist entry, for batch reads. */
export const blacklistKey = (jti: string) => ({ [KEY]: jti });

/** Whether a blacklist item read elsewhere (e.g. in a batch) is still in force. */
export function isInForce(item: Record<string, unknown> | undefined): boolean {
  return item !== undefined && typeof item[TOKEN_EXP] === 'number' && item[TOKEN_EXP] >= inForceCutoff();
}
