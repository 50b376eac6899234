/** What Django accepts in a user's fields, for sign-up, profile changes and `manage`. */
import { MAX_USERNAME_LENGTH } from './users';

export { MAX_USERNAME_LENGTH };
export const MAX_EMAIL_LENGTH = 254;
export const MAX_NAME_LENGTH = 150;

/** Django's UnicodeUsernameValidator message. */
export const USERNAME_CHARACTERS = 'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.';

export const hasUsernameCharacters = (username: string): boolean => /^[\p{L}\p{N}_.@+-]+$/u.test(username);

/** A plausible address (Django's EmailValidator is stricter in its corners; the mail server decides). */
export const isEmailAddress = (email: string): boolean => email.length <= MAX_EMAIL_LENGTH && /^[^\s@]+@[^\s@]+\.[^\s@]+$/u.test(email);

export const ENTER_A_VALID_EMAIL = 'Enter a valid email address.';
