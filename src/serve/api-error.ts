/** An API failure with its HTTP status and, where one exists, the command that would fix it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** 404 for something a command has not produced yet, naming that command. */
export function notYet(message: string, command: string): ApiError {
  return new ApiError(404, message, `run \`${command}\``);
}

/** Reads a path segment that names a model (one object-key segment: no slash, not . or .., no control characters). */
export function modelIdParam(raw: string): string {
  let id: string;
  try {
    id = decodeURIComponent(raw);
  } catch {
    throw new ApiError(400, 'invalid model id: not a valid URL encoding');
  }
  // eslint-disable-next-line no-control-regex
  if (id === '' || id === '.' || id === '..' || /[/\\\u0000-\u001f]/.test(id) || id.length > 200) throw new ApiError(400, `invalid model id ${JSON.stringify(id)}`);
  return id;
}

/** A `YYYY-MM-DD` query value, or undefined when absent. */
export function dateParam(name: string, value: string | null): string | undefined {
  if (value === null || value === '') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new ApiError(400, `${name}: expected a date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return value;
}
