import { z } from 'zod';

/** A whole, non-negative attribute; absent means 0, as Go's zero value does in real Toxiproxy. */
export const count = () => z.number().int().nonnegative().default(0);
