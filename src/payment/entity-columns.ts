import type { ValueTransformer } from 'typeorm';

/** bigint columns hold minor units, far below 2^53: read them as numbers. */
export const bigintNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
