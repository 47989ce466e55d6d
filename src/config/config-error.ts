/** One problem found in a config file. */
export interface ConfigIssue {
  configId?: string;
  key?: string;
  expected: string;
  got?: unknown;
}

/** Invalid configuration: the message names the file, the config id, the key and what was expected. */
export class ConfigError extends Error {
  constructor(readonly file: string, readonly issues: ConfigIssue[]) {
    super(issues.map((i) => formatIssue(file, i)).join('\n'));
    this.name = 'ConfigError';
  }
}

function formatIssue(file: string, issue: ConfigIssue): string {
  const where = [file, issue.configId ? `config "${issue.configId}"` : undefined, issue.key ? `key "${issue.key}"` : undefined]
    .filter(Boolean)
    .join(': ');
  const got = issue.got === undefined ? '' : `, got ${JSON.stringify(issue.got)}`;
  return `${where}: expected ${issue.expected}${got}`;
}
