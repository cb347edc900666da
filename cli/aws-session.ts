/**
 * The AWS session of `scan` and `probe`, resolved as the AWS CLI does: the profile (`--profile`, else AWS_PROFILE),
 * the region (`--region`, else AWS_REGION or AWS_DEFAULT_REGION, else the profile's `region` in the shared config
 * file, read with the SDK's own loader), the partition (`--partition`, else the region's, else aws) and the
 * credentials (the SDK's default chain with that profile: environment, SSO, `role_arn`/`source_profile`,
 * `credential_process`, ...; a profile with `mfa_serial` asks for the code on a terminal).
 */
import { createInterface } from 'node:readline/promises';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { loadConfig, NODE_REGION_CONFIG_FILE_OPTIONS, NODE_REGION_CONFIG_OPTIONS } from '@smithy/core/config';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import {
  isPartition,
  PARTITIONS,
  type PartitionInfo,
  type PartitionName,
  partitionInfo,
  partitionOfRegion,
} from '../lambdas/domain/partitions';
import { CredentialsError, UsageError } from '../lambdas/shared/errors';
import type { CliIo } from './io';

export interface SessionOptions {
  /** `-p/--profile` */
  readonly profile?: string;
  /** `-r/--region` */
  readonly region?: string;
  /** The option the region was given with, for messages (default "--region"; scan passes its first --regions). */
  readonly regionOption?: string;
  /** `--partition` */
  readonly partition?: string;
  /** `--endpoint-url` (an emulator): also where a profile's role_arn is assumed. */
  readonly endpointUrl?: string;
}

/** Where a setting came from, for messages ("--region", "AWS_REGION", "profile prod"). */
export type SettingSource = string;

export interface AwsSession {
  readonly profile?: string;
  readonly region?: string;
  readonly regionSource?: SettingSource;
  readonly partition: PartitionInfo;
  /** The base credentials; resolved on first use (a bad profile fails then, with the SDK's reason). */
  readonly credentials: AwsCredentialIdentityProvider;
}

/** How an MFA code is asked for: only on a terminal. */
export interface MfaPrompt {
  readonly interactive: boolean;
  ask(question: string): Promise<string>;
}

/** The process's terminal: stdin to read the code, stderr for the question (stdout stays the report). */
export const terminalPrompt: MfaPrompt = {
  get interactive() {
    return Boolean(process.stdin.isTTY);
  },
  async ask(question) {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  },
};

/** A profile name as the shared files allow it: no spaces, brackets or control characters. */
const PROFILE = /^[A-Za-z0-9_.@+:/-]{1,128}$/;

export async function resolveAwsSession(
  options: SessionOptions,
  io: CliIo,
  prompt: MfaPrompt = terminalPrompt,
): Promise<AwsSession> {
  const profile = nonEmpty(options.profile) ?? nonEmpty(io.env.AWS_PROFILE);
  if (profile !== undefined && !PROFILE.test(profile)) {
    throw new UsageError(
      `${options.profile !== undefined ? '--profile' : 'AWS_PROFILE'} must be a profile name; got ${JSON.stringify(profile.slice(0, 50))}`,
    );
  }
  const files = sharedFiles(io.env);
  const { region, regionSource } = await resolveRegion(options, io.env, profile, files);
  const partition = resolvePartition(options.partition, region, regionSource);
  const credentials = fromNodeProviderChain({
    ...(profile !== undefined ? { profile } : {}),
    ...files,
    mfaCodeProvider: mfaCodeProvider(profile ?? 'default', prompt),
    // role_arn profiles assume their role with STS in the session's partition
    clientConfig: {
      region: region ?? partition.stsRegion,
      ...(options.endpointUrl !== undefined ? { endpoint: options.endpointUrl } : {}),
    },
  });
  return {
    ...(profile !== undefined ? { profile } : {}),
    ...(region !== undefined ? { region, regionSource } : {}),
    partition,
    credentials,
  };
}

/** The region: the flag, else the environment, else the profile's `region` (the SDK's config-file loader). */
async function resolveRegion(
  options: SessionOptions,
  env: CliIo['env'],
  profile: string | undefined,
  files: { filepath?: string; configFilepath?: string },
): Promise<{ region?: string; regionSource?: SettingSource }> {
  const found = await regionSetting(options, env, profile, files);
  if (found === undefined) return {};
  partitionOfRegion(found.value, found.source); // a bad name fails here, naming where it came from
  return { region: found.value, regionSource: found.source };
}

async function regionSetting(
  options: SessionOptions,
  env: CliIo['env'],
  profile: string | undefined,
  files: { filepath?: string; configFilepath?: string },
): Promise<{ value: string; source: SettingSource } | undefined> {
  if (options.region !== undefined) return { value: options.region, source: options.regionOption ?? '--region' };
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION'] as const) {
    const value = nonEmpty(env[name]);
    if (value !== undefined) return { value, source: name };
  }
  let fromProfile: string | undefined;
  try {
    fromProfile = await loadConfig<string | undefined>(
      {
        environmentVariableSelector: () => undefined,
        configFileSelector: NODE_REGION_CONFIG_OPTIONS.configFileSelector,
        default: () => undefined,
      },
      {
        ...NODE_REGION_CONFIG_FILE_OPTIONS,
        ...files,
        ...(profile !== undefined ? { profile } : {}),
        ignoreCache: true,
      },
    )();
  } catch {
    fromProfile = undefined; // no config file, or no such profile: the credentials step says which
  }
  const value = nonEmpty(fromProfile);
  return value === undefined ? undefined : { value, source: `the region of profile ${profile ?? 'default'}` };
}

/** `--partition`, checked against the region; else the region's partition; else aws. */
function resolvePartition(
  given: string | undefined,
  region: string | undefined,
  regionSource: SettingSource | undefined,
): PartitionInfo {
  const ofRegion: PartitionName | undefined = region === undefined ? undefined : partitionOfRegion(region);
  if (given === undefined) return partitionInfo(ofRegion ?? 'aws');
  if (!isPartition(given)) {
    throw new UsageError(
      `--partition must be one of ${PARTITIONS.join(', ')}; got ${JSON.stringify(given.slice(0, 50))}`,
    );
  }
  if (ofRegion !== undefined && ofRegion !== given) {
    throw new UsageError(
      `--partition ${given} does not match ${regionSource ?? 'the region'} ${region}, which is in ${ofRegion}: give a region of ${given} (or leave --partition out)`,
    );
  }
  return partitionInfo(given);
}

/**
 * Asks for the MFA code of a profile with `mfa_serial` on the terminal (stderr), as the AWS CLI does; without a
 * terminal, a CredentialsError naming the profile and its mfa_serial.
 */
function mfaCodeProvider(profile: string, prompt: MfaPrompt): (serial: string) => Promise<string> {
  return async (serial) => {
    if (!prompt.interactive) {
      throw new CredentialsError(
        `profile ${profile} needs an MFA code (mfa_serial ${serial}) and stdin is not a terminal to ask for it: run on a terminal, or export temporary credentials (aws sts get-session-token) instead`,
      );
    }
    const code = (await prompt.ask(`Enter MFA code for ${serial}: `)).trim();
    if (!/^\d{6}$/.test(code)) {
      throw new CredentialsError(`the MFA code for ${serial} (profile ${profile}) must be 6 digits`);
    }
    return code;
  };
}

/** The shared files as the injected environment names them (the SDK would read process.env itself). */
function sharedFiles(env: CliIo['env']): { filepath?: string; configFilepath?: string } {
  const credentials = nonEmpty(env.AWS_SHARED_CREDENTIALS_FILE);
  const config = nonEmpty(env.AWS_CONFIG_FILE);
  return {
    ...(credentials !== undefined ? { filepath: credentials } : {}),
    ...(config !== undefined ? { configFilepath: config } : {}),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
