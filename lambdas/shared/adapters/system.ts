import { randomUUID } from 'node:crypto';
import type { Clock, IdGenerator } from '../use-cases/ports';

/** The process's own clock and ids; tests pass fixed ones instead. */
export const systemClock: Clock = { now: () => new Date() };
export const randomIds: IdGenerator = { uuid: randomUUID };
