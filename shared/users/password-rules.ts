/**
 * Django's default password validators, with its messages: minimum length, not entirely numeric, not
 * too similar to the user's own attributes. (Django's list of 20,000 common passwords is not shipped.)
 */
export const MIN_PASSWORD_LENGTH = 8;
const MAX_SIMILARITY = 0.7;

export interface PasswordOwner {
  readonly username?: string;
  readonly email?: string;
  readonly firstName?: string;
  readonly lastName?: string;
}

const ATTRIBUTE_NAMES: Record<keyof PasswordOwner, string> = {
  username: 'username',
  email: 'email address',
  firstName: 'first name',
  lastName: 'last name',
};

/** The problems with a password, in Django's words; empty when it passes. */
export function passwordProblems(password: string, owner: PasswordOwner = {}): string[] {
  const problems: string[] = [];
  for (const [attribute, label] of Object.entries(ATTRIBUTE_NAMES) as [keyof PasswordOwner, string][]) {
    const value = owner[attribute];
    if (!value) continue;
    const candidates = [value, ...value.split(/\W+/u)].filter((part) => part.length > 0);
    if (candidates.some((part) => similarity(password.toLowerCase(), part.toLowerCase()) >= MAX_SIMILARITY)) {
      problems.push(`The password is too similar to the ${label}.`);
      break;
    }
  }
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    problems.push(`This password is too short. It must contain at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
  if (/^\d+$/.test(password)) problems.push('This password is entirely numeric.');
  return problems;
}

/** 2 * (longest common subsequence) / (total length): close to Python's SequenceMatcher.ratio(). */
function similarity(a: string, b: string): number {
  if (a.length === 0 || b.length === 0) return 0;
  if (a.length > 256 || b.length > 256) return a === b ? 1 : 0;
  let previous = new Array<number>(b.length + 1).fill(0);
  for (const charA of a) {
    const current = [0];
    for (let j = 1; j <= b.length; j++) {
      current[j] = charA === b[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    }
    previous = current;
  }
  return (2 * previous[b.length]!) / (a.length + b.length);
}
