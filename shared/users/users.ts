/**
 * The user store. Users live in one table under two kinds of item:
 *   pk = "user#<id>"            the user (profile reads it in one GetItem)
 *   pk = "username#<username>"  { userId }: exists exactly while the username is taken
 * Both are written in one transaction whose conditions make usernames unique in the database itself,
 * not by a read before a write.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { cancellationCodes, dynamo, isConditionFailure } from '../store/dynamodb';
import { settings } from '../settings';
import { TABLES } from '../tables';

export interface User {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly isActive: boolean;
  readonly isStaff: boolean;
  readonly isSuperuser: boolean;
  /** PHC string, see passwords.ts. */
  readonly passwordHash: string;
  /** ISO 8601. */
  readonly dateJoined: string;
  /** Bumped to end all of the user's sessions at once (see sessions/revocations.ts). */
  readonly sessionGeneration: number;
}

export type NewUser = Omit<User, 'id' | 'dateJoined' | 'sessionGeneration'> & {
  /** Kept from another system (a Django import); new users get a random UUID. */
  readonly id?: string;
  readonly dateJoined?: string;
};

export class UsernameTakenError extends Error {
  override readonly name = 'UsernameTakenError';
  constructor() {
    super('That username is already taken.');
  }
}

export class UserIdTakenError extends Error {
  override readonly name = 'UserIdTakenError';
  constructor(id: string) {
    super(`A user with id ${id} already exists.`);
  }
}

export class UserNotFoundError extends Error {
  override readonly name = 'UserNotFoundError';
  constructor(username: string) {
    super(`User '${username}' does not exist.`);
  }
}

const KEY = TABLES.users.partitionKey;
export const userKey = (id: string) => ({ [KEY]: `user#${id}` });
export const usernameKey = (username: string) => ({ [KEY]: `username#${normalizeUsername(username)}` });

/** As Django's AbstractBaseUser.normalize_username: NFKC, so look-alike forms of one name are one name. */
export function normalizeUsername(username: string): string {
  return username.normalize('NFKC');
}

/** The custom claims the tutorial's serializer adds to both tokens, plus user_id. */
export function tokenClaimsFor(user: User): Record<string, string | boolean> {
  return {
    user_id: user.id,
    email: user.email,
    is_staff: user.isStaff,
    full_name: fullName(user),
  };
}

/** Django's get_full_name(): first and last name with a space between, trimmed. */
export function fullName(user: Pick<User, 'firstName' | 'lastName'>): string {
  return `${user.firstName} ${user.lastName}`.trim();
}

export async function findUserById(id: string): Promise<User | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: settings().tables.users, Key: userKey(id), ConsistentRead: true }),
  );
  return Item ? toUser(Item) : undefined;
}

/** Django's limit; also keeps every username key far below DynamoDB's 2048-byte key limit. */
export const MAX_USERNAME_LENGTH = 150;

/**
 * Two reads, found or not: the username item, then the user it points at, or for an unknown username
 * a user id that cannot exist, so that the answer's timing does not tell which usernames exist.
 */
export async function findUserByUsername(username: string): Promise<User | undefined> {
  return userOfUsernameItem(isStorableUsername(username) ? await readUsernameItem(username) : undefined);
}

/** Longer names cannot exist (and would overflow DynamoDB's key size): no need to look them up. */
export function isStorableUsername(username: string): boolean {
  return [...normalizeUsername(username)].length <= MAX_USERNAME_LENGTH;
}

/** The user a username item points at; for a missing item, a read of an id that cannot exist. */
export async function userOfUsernameItem(item: Record<string, unknown> | undefined): Promise<User | undefined> {
  const user = await findUserById(typeof item?.userId === 'string' ? item.userId : `absent-${randomUUID()}`);
  return item ? user : undefined;
}

export async function readUsernameItem(username: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: settings().tables.users, Key: usernameKey(username), ConsistentRead: true }),
  );
  return Item;
}

export async function createUser(fields: NewUser): Promise<User> {
  const user: User = {
    ...fields,
    username: normalizeUsername(fields.username),
    id: fields.id ?? randomUUID(),
    dateJoined: fields.dateJoined ?? new Date().toISOString(),
    sessionGeneration: 0,
  };
  const TableName = settings().tables.users;
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName,
              Item: { ...usernameKey(user.username), userId: user.id },
              ConditionExpression: 'attribute_not_exists(#pk)',
              ExpressionAttributeNames: { '#pk': KEY },
            },
          },
          {
            Put: {
              TableName,
              Item: { ...userKey(user.id), ...user },
              ConditionExpression: 'attribute_not_exists(#pk)',
              ExpressionAttributeNames: { '#pk': KEY },
            },
          },
        ],
      }),
    );
  } catch (error) {
    const codes = cancellationCodes(error);
    if (codes?.[0] === 'ConditionalCheckFailed') throw new UsernameTakenError();
    if (codes?.[1] === 'ConditionalCheckFailed') throw new UserIdTakenError(user.id);
    throw error;
  }
  return user;
}

export interface UserChanges {
  readonly passwordHash?: string;
  readonly isActive?: boolean;
  /** End every session the user has: their tokens stop working at refresh and at protected routes. */
  readonly endSessions?: boolean;
  /**
   * Apply only if the user is still as read (same password hash, active, same session generation), or
   * throw UserChangedError: a write based on an earlier read must not undo a change made meanwhile.
   */
  readonly unchangedSince?: User;
}

export class UserChangedError extends Error {
  override readonly name = 'UserChangedError';
  constructor() {
    super('The user changed meanwhile.');
  }
}

/** Updates an existing user by username; throws UserNotFoundError rather than creating one. */
export async function updateUser(username: string, changes: UserChanges): Promise<User> {
  const user = await findUserByUsername(username);
  if (!user) throw new UserNotFoundError(username);
  return updateUserById(user.id, changes, username);
}

export async function updateUserById(id: string, { endSessions, unchangedSince, ...fields }: UserChanges, name: string = id): Promise<User> {
  const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
  const assignments = entries.map((_, i) => `#f${i} = :v${i}`);
  if (endSessions) assignments.push('#gen = if_not_exists(#gen, :zero) + :one');
  const sameGeneration = unchangedSince?.sessionGeneration === 0 ? '(attribute_not_exists(#gen) OR #gen = :seenGen)' : '#gen = :seenGen';
  try {
    const { Attributes } = await dynamo().send(
      new UpdateCommand({
        TableName: settings().tables.users,
        Key: userKey(id),
        UpdateExpression: `SET ${assignments.join(', ')}`,
        ConditionExpression: unchangedSince
          ? `attribute_exists(#pk) AND #hash = :seenHash AND #active = :true AND ${sameGeneration}`
          : 'attribute_exists(#pk)',
        ExpressionAttributeNames: {
          '#pk': KEY,
          ...(endSessions || unchangedSince ? { '#gen': GENERATION } : {}),
          ...(unchangedSince ? { '#hash': 'passwordHash', '#active': 'isActive' } : {}),
          ...Object.fromEntries(entries.map(([field], i) => [`#f${i}`, field])),
        },
        ExpressionAttributeValues: {
          ...(endSessions ? { ':zero': 0, ':one': 1 } : {}),
          ...(unchangedSince ? { ':seenHash': unchangedSince.passwordHash, ':true': true, ':seenGen': unchangedSince.sessionGeneration } : {}),
          ...Object.fromEntries(entries.map(([, value], i) => [`:v${i}`, value])),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toUser(Attributes!);
  } catch (error) {
    if (isConditionFailure(error)) throw unchangedSince ? new UserChangedError() : new UserNotFoundError(name);
    throw error;
  }
}

const GENERATION = 'sessionGeneration';

/** For a transaction: the user exists, is active, and has not ended the sessions of `generation`. */
export function activeUserCheck(id: string, generation: number) {
  // Users written before session generations existed have none, which counts as 0.
  const sameGeneration = generation === 0 ? '(attribute_not_exists(#gen) OR #gen = :gen)' : '#gen = :gen';
  return {
    ConditionCheck: {
      TableName: settings().tables.users,
      Key: userKey(id),
      ConditionExpression: `attribute_exists(#pk) AND #active = :true AND ${sameGeneration}`,
      ExpressionAttributeNames: { '#pk': KEY, '#active': 'isActive', '#gen': GENERATION },
      ExpressionAttributeValues: { ':true': true, ':gen': generation },
    },
  };
}

export function toUser(item: Record<string, unknown>): User {
  const text = (name: string) => (typeof item[name] === 'string' ? (item[name] as string) : '');
  return {
    id: text('id'),
    username: text('username'),
    email: text('email'),
    firstName: text('firstName'),
    lastName: text('lastName'),
    isActive: item.isActive === true,
    isStaff: item.isStaff === true,
    isSuperuser: item.isSuperuser === true,
    passwordHash: text('passwordHash'),
    dateJoined: text('dateJoined'),
    sessionGeneration: typeof item[GENERATION] === 'number' ? item[GENERATION] : 0,
  };
}
