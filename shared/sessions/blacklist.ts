/**
 * The blacklist of refresh tokens, keyed on the token's jti (never on the token string, so a token
 * re-encoded differently is still the same token). An entry is in force while its token could still
 * verify: until the token's stored exp (see store/expiry.ts). It records why the token was blacklisted
 * (rotated or logged out) and when, so a retried rotation can be told from a replay.
 */
import { nowSeconds } from '../clock';
import { settings } from '../settings';
import { numberAttribute, stringAttribute, type Item } from '../store/dynamodb';
import { deletableAfter, inForceCutoff } from '../store/expiry';
import { TABLES } from '../tables';
import { type TokenClaims, userIdOf } from '../tokens/tokens';

const KEY = TABLES.blacklist.partitionKey;
const TTL = TABLES.blacklist.timeToLiveAttribute;
const TOKEN_EXP = 'tokenExp';

export type BlacklistReason = 'rotated' | 'logout';

/**
 * The Put that blacklists a token at `now`, conditional on the jti not being blacklisted already: of any
 * number of concurrent writers exactly one succeeds, and the others get the winner's entry back.
 */
export function blacklistPut(claims: TokenClaims, reason: BlacklistReason, now: number) {
  const exp = Math.floor(claims.exp);
  return {
    TableName: settings().tables.blacklist,
    Item: {
      [KEY]: claims.jti,
      [TOKEN_EXP]: exp,
      [TTL]: deletableAfter(exp),
      userId: userIdOf(claims),
      reason,
      blacklistedAt: now,
    },
    ConditionExpression: 'attribute_not_exists(#jti) OR #exp < :cutoff',
    ExpressionAttributeNames: { '#jti': KEY, '#exp': TOKEN_EXP },
    ExpressionAttributeValues: { ':cutoff': inForceCutoff() },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
}

/** When an entry (returned by a failed condition) was written. */
export const blacklistedAt = (entry: Item | undefined) => numberAttribute(entry, 'blacklistedAt');

/**
 * The entry of a token rotated within REFRESH_REUSE_GRACE: presenting it again is a retry (a lost answer, a
 * second tab), answered with the same successor, not a replay.
 */
export function isRecentRotation(entry: Item | undefined): boolean {
  const at = blacklistedAt(entry);
  return stringAttribute(entry, 'reason') === 'rotated' && at !== undefined && nowSeconds() - at < settings().refreshReuseGrace;
}

/** The Key of a token's blacklist entry, for batch reads. */
export const blacklistKey = (jti: string) => ({ [KEY]: jti });

/** Whether a blacklist item read elsewhere (e.g. in a batch) is still in force. */
export function isInForce(item: Item | undefined): boolean {
  return item !== undefined && typeof item[TOKEN_EXP] === 'number' && item[TOKEN_EXP] >= inForceCutoff();
}
