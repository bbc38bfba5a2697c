import { KilnError } from '../../compiler/index.js';

/** Runs `fn`, expects it to throw a KilnError of class `type`, and returns the error. */
export function thrownBy<T extends KilnError>(type: abstract new (...args: never[]) => T, fn: () => unknown): T {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(type);
  expect(caught).toBeInstanceOf(KilnError);
  return caught as T;
}
