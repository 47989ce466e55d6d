/** Makes a switch over a union exhaustive: a new member that a switch forgets is a type error here. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
