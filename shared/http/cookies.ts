/** Set-Cookie values (RFC 6265, section 4.1), built from their attributes. */
export interface CookieAttributes {
  readonly path: string;
  /** Seconds from now; 0 removes the cookie. */
  readonly maxAge: number;
  readonly sameSite: 'Lax' | 'Strict' | 'None';
  readonly secure: boolean;
  readonly httpOnly: boolean;
  readonly domain?: string | undefined;
}

export function setCookie(name: string, value: string, attributes: CookieAttributes): string {
  return [
    `${name}=${value}`,
    ...(attributes.domain ? [`Domain=${attributes.domain}`] : []),
    `Path=${attributes.path}`,
    `Max-Age=${Math.max(0, Math.floor(attributes.maxAge))}`,
    // Expires as well, for clients that ignore Max-Age (Django writes both).
    `Expires=${new Date(Date.now() + Math.max(0, Math.floor(attributes.maxAge)) * 1000).toUTCString()}`,
    ...(attributes.secure ? ['Secure'] : []),
    ...(attributes.httpOnly ? ['HttpOnly'] : []),
    `SameSite=${attributes.sameSite}`,
  ].join('; ');
}

/** Removes a cookie set with the same name, path and domain. */
export function clearCookie(name: string, attributes: Omit<CookieAttributes, 'maxAge'>): string {
  return setCookie(name, '', { ...attributes, maxAge: 0 }).replace(/Expires=[^;]+/, 'Expires=Thu, 01 Jan 1970 00:00:00 GMT');
}
