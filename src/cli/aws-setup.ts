import type { Settings } from '../config/settings.js';

/**
 * AWS settings reach the SDK's own chain rather than being replaced: variables the user keeps in `.env`
 * (AWS_PROFILE, AWS_REGION, AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE, SSO profiles in AWS_CONFIG_FILE, …) are
 * handed to the SDK through the process environment, where it looks for them; values already in the environment win.
 */
export function exportAwsEnvironment(settings: Settings, env: NodeJS.ProcessEnv = process.env): string[] {
  const added = Object.entries(settings.awsSdkEnvironment()).filter(([k]) => env[k] === undefined || env[k] === '');
  for (const [k, v] of added) env[k] = v;
  return added.map(([k]) => k);
}

/** Something that can ask the SDK's region chain: a client built without a region (`new S3Client({})`). */
export interface RegionProbe {
  config: { region: () => Promise<string> };
  destroy(): void;
}

/**
 * The region of an AWS client: the settings' (REGION_NAME, AWS_REGION, AWS_DEFAULT_REGION), else what the SDK's
 * own chain resolves (the profile's `region` in the AWS config file). Nothing is hard-coded: when nothing
 * resolves, the error says where to set one. A custom endpoint (MinIO, DynamoDB Local, test servers) needs a
 * region only to sign requests and accepts any, so `us-east-1`, the SDKs' signing default, is used for it then.
 */
export async function resolveRegion(settings: Settings, endpoint: string | undefined, probe: () => Promise<RegionProbe>): Promise<string> {
  if (settings.region) return settings.region;
  // the caller has exported the .env's AWS variables (exportAwsEnvironment), so the probe sees the user's profile
  const client = await probe();
  try {
    const region = await client.config.region();
    if (region) return region;
  } catch {
    // "Region is missing": answered below
  } finally {
    client.destroy();
  }
  if (endpoint) return 'us-east-1';
  throw new Error(
    'no AWS region: set REGION_NAME (as the seed) or AWS_REGION in the environment or in .env, or a region for your AWS_PROFILE in ~/.aws/config',
  );
}
