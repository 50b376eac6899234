/**
 * The user store. Users live in one table under two kinds of item:
 *   pk = "user#<id>"            the user (profile reads it in one GetItem)
 *   pk = "username#<username>"  { userId }: exists exactly while the username is taken
 * Both are written in one transaction whose conditions make usernames unique in the database itself,
 * not by a read before a write.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, paginateQuery, paginateScan, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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
  /** Bumped to end all of the user's sessions at once (see sessions/session-store.ts). */
  readonly sessionGeneration: number;
  /** ISO 8601 of the last successful login; '' if none (Django's last_login, which account links depend on). */
  readonly lastLogin: string;
}

export type NewUser = Omit<User, 'id' | 'dateJoined' | 'sessionGeneration' | 'lastLogin'> & {
  /** Kept from another system (a Django import); new users get a random UUID. */
  readonly id?: string;
  readonly dateJoined?: string;
  readonly lastLogin?: string;
};

/**
 * Users are found by email through the table's byEmail index, on `emailKey`: only users with an email carry
 * it (an index key may not be empty). Django does not make emails unique, so neither is this.
 */
const EMAIL_KEY = 'emailKey';
const withEmailKey = (email: string) => (email === '' ? {} : { [EMAIL_KEY]: email });

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
  return { user_id: user.id, ...userClaimsFor(user) };
}

/** The tutorial's custom claims, as stored now: refreshed tokens carry these, not the ones of the login. */
export function userClaimsFor(user: User): Record<string, string | boolean> {
  return { email: user.email, is_staff: user.isStaff, full_name: fullName(user) };
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
    lastLogin: fields.lastLogin ?? '',
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
              Item: { ...userKey(user.id), ...user, ...withEmailKey(user.email) },
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

export class UserChangedError extends Error {
  override readonly name = 'UserChangedError';
  constructor() {
    super('The user changed meanwhile.');
  }
}

const GENERATION = 'sessionGeneration';

/** The user by username, or UserNotFoundError (for commands that name a user). */
export async function requireUserByUsername(username: string): Promise<User> {
  const user = await findUserByUsername(username);
  if (!user) throw new UserNotFoundError(username);
  return user;
}

/**
 * Every change below is one conditional UpdateItem. Those that act on what was read (`user`) apply only if
 * the user is still as read, or throw UserChangedError: a decision made on an earlier read (the old password
 * was right, the user was active) must not undo a change made meanwhile.
 */
interface Change {
  readonly set?: Readonly<Record<string, unknown>>;
  readonly remove?: readonly string[];
  readonly endSessions?: boolean;
  /** Apply only if these attributes still hold these values (as read). */
  readonly unchanged?: Readonly<Record<string, unknown>>;
}

async function changeUser(user: Pick<User, 'id'>, { set = {}, remove = [], endSessions = false, unchanged }: Change, missing: () => Error): Promise<User> {
  const names: Record<string, string> = { '#pk': KEY };
  const values: Record<string, unknown> = {};
  const assignments = Object.entries(set).map(([field, value], i) => {
    names[`#s${i}`] = field;
    values[`:s${i}`] = value;
    return `#s${i} = :s${i}`;
  });
  if (endSessions) {
    names['#gen'] = GENERATION;
    Object.assign(values, { ':zero': 0, ':one': 1 });
    assignments.push('#gen = if_not_exists(#gen, :zero) + :one');
  }
  const removals = remove.map((field, i) => {
    names[`#r${i}`] = field;
    return `#r${i}`;
  });
  const conditions = ['attribute_exists(#pk)'];
  for (const [i, [field, value]] of Object.entries(unchanged ?? {}).entries()) {
    names[`#u${i}`] = field;
    values[`:u${i}`] = value;
    // Users written before session generations existed have none, which counts as 0.
    conditions.push(field === GENERATION && value === 0 ? `(attribute_not_exists(#u${i}) OR #u${i} = :u${i})` : `#u${i} = :u${i}`);
  }
  try {
    const { Attributes } = await dynamo().send(
      new UpdateCommand({
        TableName: settings().tables.users,
        Key: userKey(user.id),
        UpdateExpression: `SET ${assignments.join(', ')}${removals.length > 0 ? ` REMOVE ${removals.join(', ')}` : ''}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toUser(Attributes!);
  } catch (error) {
    if (isConditionFailure(error)) throw unchanged ? new UserChangedError() : missing();
    throw error;
  }
}

/** As read: same password hash and session generation. */
const asRead = (user: User) => ({ passwordHash: user.passwordHash, [GENERATION]: user.sessionGeneration });

/** A new password: every session of the user ends. Only if the password and sessions are as read. */
export function setPassword(user: User, passwordHash: string): Promise<User> {
  return changeUser(user, { set: { passwordHash }, endSessions: true, unchanged: asRead(user) }, () => new UserChangedError());
}

/** The same password under a stronger hash (after a login): only if the user is still as read and active. */
export function upgradePasswordHash(user: User, passwordHash: string): Promise<User> {
  return changeUser(user, { set: { passwordHash }, unchanged: { ...asRead(user), isActive: true } }, () => new UserChangedError());
}

/** Deactivating ends every session; reactivating brings none back. Only if the flag is still as read. */
export function setActive(user: User, isActive: boolean): Promise<User> {
  return changeUser(user, { set: { isActive }, endSessions: !isActive, unchanged: { isActive: user.isActive } }, () => new UserChangedError());
}

/** Users with this email, exactly as typed (Django's lookups are case-sensitive); an eventually consistent index read. */
export async function findUsersByEmail(email: string): Promise<User[]> {
  if (email === '' || email.length > 254) return [];
  const users: User[] = [];
  const pages = paginateQuery(
    { client: dynamo() },
    { TableName: settings().tables.users, IndexName: 'byEmail', KeyConditionExpression: '#email = :email', ExpressionAttributeNames: { '#email': EMAIL_KEY }, ExpressionAttributeValues: { ':email': email } },
  );
  for await (const page of pages) users.push(...(page.Items ?? []).map(toUser));
  return users;
}

/** A successful login: its time (Django's last_login), and the email index for users written before it existed. */
export async function recordLogin(user: User): Promise<User> {
  return changeUser(user, { set: { lastLogin: new Date().toISOString(), ...withEmailKey(user.email) } }, () => new UserNotFoundError(user.username));
}

/** New email and names, only if the email is still as read; the email index follows the email. */
export async function setProfile(user: User, profile: { email: string; firstName: string; lastName: string; isActive?: boolean }): Promise<User> {
  const { isActive, ...fields } = profile;
  return changeUser(
    user,
    { set: { ...fields, ...(isActive === undefined ? {} : { isActive }), ...withEmailKey(fields.email) }, remove: fields.email === '' ? [EMAIL_KEY] : [], endSessions: isActive === false, unchanged: { email: user.email, isActive: user.isActive } },
    () => new UserChangedError(),
  );
}

/** Staff or not (Django's is_staff); only if the flag is still as read. Tokens carry it from their next refresh. */
export function setStaff(user: User, isStaff: boolean): Promise<User> {
  return changeUser(user, { set: { isStaff }, unchanged: { isStaff: user.isStaff } }, () => new UserChangedError());
}

/** Removes the user and frees the username, in one transaction; UserNotFoundError if it is gone already. */
export async function deleteUser(user: User): Promise<void> {
  const TableName = settings().tables.users;
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName, Key: userKey(user.id), ConditionExpression: 'attribute_exists(#pk)', ExpressionAttributeNames: { '#pk': KEY } } },
          {
            Delete: {
              TableName,
              Key: usernameKey(user.username),
              ConditionExpression: 'userId = :id',
              ExpressionAttributeValues: { ':id': user.id },
            },
          },
        ],
      }),
    );
  } catch (error) {
    if (cancellationCodes(error)?.includes('ConditionalCheckFailed')) throw new UserNotFoundError(user.username);
    throw error;
  }
}

/** Every user, in no particular order (a Scan: for administration, not for requests). */
export async function listUsers(): Promise<User[]> {
  const users: User[] = [];
  const pages = paginateScan(
    { client: dynamo() },
    { TableName: settings().tables.users, FilterExpression: 'begins_with(#pk, :user)', ExpressionAttributeNames: { '#pk': KEY }, ExpressionAttributeValues: { ':user': 'user#' } },
  );
  for await (const page of pages) users.push(...(page.Items ?? []).map(toUser));
  return users;
}

/** Ends every session of the user, on every device (logout-all). */
export function endSessions(user: User): Promise<User> {
  return changeUser(user, { endSessions: true }, () => new UserNotFoundError(user.username));
}


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
    lastLogin: text('lastLogin'),
  };
}
