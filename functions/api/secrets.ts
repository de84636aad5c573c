import type { Operation } from '#http/operation';

export const secretOperations: Operation[] = [];
