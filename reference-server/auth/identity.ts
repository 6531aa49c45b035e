import type { Role } from '../../spec/index.ts';

/** Who a socket or an HTTP caller is, once their token is verified. */
export interface Identity {
  userId: string;
  /** Display name, normalised (TEXT-1). */
  name: string;
  roles: Role[];
  /** Token expiry, seconds since the epoch. */
  exp: number;
}
