const registered = new Set<string>();

/** Registers a secret value so every later `redactSecrets` call masks it. Short values are ignored. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) registered.add(value);
}

/** Masks every registered secret in a text (logs, errors, reports). */
export function redactSecrets(text: string): string {
  let out = text;
  for (const s of registered) out = out.split(s).join('****');
  return out;
}
