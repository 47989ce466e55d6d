// Flags shared by the trade commands, parsed strictly (an error names the flag and what was expected).

/** An integer flag within [min, max], or an error naming the flag. */
export function intFlag(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\s*-?\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) throw new Error(`${flag}: expected an integer ${min}…${max}, got "${text}"`);
  return n;
}

/** `--broker`: alpaca, paper, or undefined (the default rule). */
export function brokerKind(name: string | undefined): 'alpaca' | 'paper' | undefined {
  if (name !== undefined && name !== 'alpaca' && name !== 'paper') throw new Error(`--broker: expected alpaca or paper, got "${name}"`);
  return name;
}

/** `--now`: an ISO time, or undefined when not given. */
export function parseNow(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const now = new Date(text);
  if (Number.isNaN(now.getTime())) throw new Error(`--now: expected an ISO time, got "${text}"`);
  return now;
}
