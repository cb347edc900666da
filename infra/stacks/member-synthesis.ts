/**
 * How the member stacks are synthesized: without any reference to a CDK bootstrap (no BootstrapVersion parameter or
 * rule, no asset manifest, no deploy role of a bootstrap stack), so that their templates deploy in accounts that never
 * ran `cdk bootstrap`: as StackSet instances, or by `cdk deploy` with the caller's own credentials. A member stack
 * cannot have assets (the synthesizer refuses them), so nothing in it needs a bootstrap bucket.
 *
 * Not aws-cdk-lib's BootstraplessSynthesizer: its template is the same, but its cloud assembly still names the
 * bootstrap's deploy role (cdk-hnb659fds-deploy-role) for the CLI to assume, which an unbootstrapped account lacks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  App,
  type DockerImageAssetLocation,
  type DockerImageAssetSource,
  type FileAssetLocation,
  type FileAssetSource,
  type ISynthesisSession,
  type Stack,
  type StackProps,
  StackSynthesizer,
} from 'aws-cdk-lib';

/** CloudFormation's limit on a TemplateBody given inline (CreateStackSet, CreateStack). */
export const TEMPLATE_BODY_MAX_BYTES = 51_200;

/** A member stack's asset: refused, with what to do instead. */
export class MemberAssetError extends Error {
  constructor(stack: string) {
    super(
      `${stack}: a member stack cannot have assets (Lambda code, files, images): its template must deploy without a ` +
        'CDK bootstrap, as a StackSet instance. Inline the code or leave it to the hub.',
    );
    this.name = 'MemberAssetError';
  }
}

/**
 * Synthesizes the template and a cloud assembly artifact with no bootstrap role, no asset manifest and no bootstrap
 * version requirement: the CLI deploys it with the caller's credentials.
 */
export class MemberStackSynthesizer extends StackSynthesizer {
  addFileAsset(_asset: FileAssetSource): FileAssetLocation {
    throw new MemberAssetError(this.boundStack.node.path);
  }

  addDockerImageAsset(_asset: DockerImageAssetSource): DockerImageAssetLocation {
    throw new MemberAssetError(this.boundStack.node.path);
  }

  synthesize(session: ISynthesisSession): void {
    this.synthesizeTemplate(session);
    this.emitArtifact(session);
  }
}

/**
 * A member stack's props with its defaults: MemberStackSynthesizer, and no CDK metadata resource (version
 * reporting), so that the template holds the member's resources and nothing else.
 */
export function memberStackProps<P extends StackProps>(props: P): P {
  return { analyticsReporting: false, ...props, synthesizer: props.synthesizer ?? new MemberStackSynthesizer() };
}

/**
 * The CloudFormation template of the stack `build` makes, synthesized in an app of its own (in a temporary directory,
 * removed after), as CloudFormation would receive it.
 */
export function synthesizeMemberTemplate(build: (app: App) => Stack): Record<string, unknown> {
  const outdir = mkdtempSync(join(tmpdir(), 'irsa-doctor-member-'));
  try {
    const app = new App({ outdir, analyticsReporting: false });
    const stack = build(app);
    return app.synth().getStackArtifact(stack.artifactId).template as Record<string, unknown>;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The template as a StackSet's TemplateBody; a clear error when it is over CloudFormation's inline limit. */
export function templateBody(name: string, template: Record<string, unknown>): string {
  const body = JSON.stringify(template);
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > TEMPLATE_BODY_MAX_BYTES) {
    throw new Error(
      `${name}: the template is ${bytes} bytes, over CloudFormation's ${TEMPLATE_BODY_MAX_BYTES}-byte TemplateBody limit`,
    );
  }
  return body;
}
