import { z } from 'zod';
import { count } from './attributes.ts';
import { sleep, type ToxicKind } from './stage.ts';

const attributes = z
  .object({ average_size: count(), size_variation: count(), delay: count() })
  .refine((a) => a.average_size >= 1, { message: 'average_size must be at least 1', path: ['average_size'] })
  .refine((a) => a.size_variation < a.average_size, {
    message: 'size_variation must be smaller than average_size',
    path: ['size_variation'],
  });
type SlicerAttributes = z.infer<typeof attributes>;

/**
 * Slice lengths for `length` bytes: halves recursively, each cut moved by up to ±variation, until a piece
 * is within `variation` of `average`. `randomInt(n)` returns an integer in [0, n).
 */
export function sliceLengths(
  length: number,
  average: number,
  variation: number,
  randomInt: (n: number) => number,
): number[] {
  if (length - average <= variation) return [length];
  const shift = variation > 0 ? randomInt(2 * variation) - variation : 0;
  const left = Math.max(1, Math.min(length - 1, Math.floor(length / 2) + shift));
  return [
    ...sliceLengths(left, average, variation, randomInt),
    ...sliceLengths(length - left, average, variation, randomInt),
  ];
}

const randomInt = (n: number): number => Math.floor(Math.random() * n);

/** Cuts each chunk into small writes with `delay` µs between them, like data trickling over a real network. */
export const slicerToxic: ToxicKind<SlicerAttributes> = {
  type: 'slicer',
  attributes,
  createStage({ average_size, size_variation, delay }) {
    return {
      async onChunk(chunk, forward, interrupted) {
        let offset = 0;
        for (const length of sliceLengths(chunk.data.length, average_size, size_variation, randomInt)) {
          await forward({ data: chunk.data.subarray(offset, offset + length), at: chunk.at });
          offset += length;
          if (offset < chunk.data.length && !(await sleep(delay / 1000, interrupted))) {
            return forward({ data: chunk.data.subarray(offset), at: chunk.at });
          }
        }
      },
    };
  },
};
