/**
 * The remediator's EKS access-entry grants (create-access-entry), decided by IAM policy evaluation (iam-simulate)
 * against the synthesized member template: it may give read access to the member scanner role, with the view
 * policy at cluster scope, and nothing else: no other principal, policy, scope, type, groups or username, and no
 * access entry of anyone else can be read or deleted. The scanner may read its own entry only.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { MemberRolesStack, type MemberRolesStackProps } from '../../infra/stacks/member-roles-stack';
import {
  type AttackRow,
  DEFAULT_ATTACK_ENV,
  roleSubject,
  type TemplateJson,
  tableFailures,
} from '../support/iam-attack-table';
import { HUB_ACCOUNT, logicalIdOf, testApp } from './helpers';

const ACCOUNT = DEFAULT_ATTACK_ENV.account;
const PROPS: MemberRolesStackProps = {
  hubAccountId: HUB_ACCOUNT,
  scannerRoleName: 'IrsaDoctorScanner',
  remediatorRoleName: 'IrsaDoctorRemediator',
};
const SCANNER = `arn:aws:iam::${ACCOUNT}:role/IrsaDoctorScanner`;
const OTHER = `arn:aws:iam::${ACCOUNT}:role/Admin`;
const CLUSTER = `arn:aws:eks:eu-west-1:${ACCOUNT}:cluster/prod`;
const entryOf = (name: string) => `arn:aws:eks:eu-west-1:${ACCOUNT}:access-entry/prod/role/${ACCOUNT}/${name}/0ac1d2e3`;
const SCANNER_ENTRY = entryOf('IrsaDoctorScanner');
const OTHER_ENTRY = entryOf('Admin');
const VIEW = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy';
const ADMIN = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';

const create = (name: string, context: Record<string, string | readonly string[]>, expect: AttackRow['expect']) => ({
  name,
  request: { action: 'eks:CreateAccessEntry', resource: CLUSTER, context },
  expect,
});
const associate = (
  name: string,
  resource: string,
  context: Record<string, string | readonly string[]>,
  expect: AttackRow['expect'],
) => ({ name, request: { action: 'eks:AssociateAccessPolicy', resource, context }, expect });

const REMEDIATOR_ROWS: readonly AttackRow[] = [
  // ---- what the plan needs: allowed
  create(
    'create a STANDARD entry for the scanner role',
    { 'eks:principalArn': SCANNER, 'eks:accessEntryType': 'STANDARD' },
    'Allowed',
  ),
  associate(
    'associate the view policy at cluster scope with the scanner entry',
    SCANNER_ENTRY,
    { 'eks:principalArn': SCANNER, 'eks:policyArn': VIEW, 'eks:accessScope': 'cluster' },
    'Allowed',
  ),
  {
    name: "read the scanner's entry",
    request: { action: 'eks:DescribeAccessEntry', resource: SCANNER_ENTRY, context: { 'eks:principalArn': SCANNER } },
    expect: 'Allowed',
  },
  {
    name: "delete the scanner's entry (rollback)",
    request: { action: 'eks:DeleteAccessEntry', resource: SCANNER_ENTRY, context: { 'eks:principalArn': SCANNER } },
    expect: 'Allowed',
  },
  // ---- attacks: denied
  create(
    'create an entry for another principal',
    { 'eks:principalArn': OTHER, 'eks:accessEntryType': 'STANDARD' },
    'Denied',
  ),
  create(
    'create an EC2_LINUX entry for the scanner role',
    { 'eks:principalArn': SCANNER, 'eks:accessEntryType': 'EC2_LINUX' },
    'Denied',
  ),
  create(
    'create a scanner entry in system:masters',
    { 'eks:principalArn': SCANNER, 'eks:accessEntryType': 'STANDARD', 'eks:kubernetesGroups': ['system:masters'] },
    'Denied',
  ),
  create(
    'create a scanner entry with a chosen username',
    { 'eks:principalArn': SCANNER, 'eks:accessEntryType': 'STANDARD', 'eks:username': 'admin' },
    'Denied',
  ),
  associate(
    'associate the cluster admin policy with the scanner entry',
    SCANNER_ENTRY,
    { 'eks:principalArn': SCANNER, 'eks:policyArn': ADMIN, 'eks:accessScope': 'cluster' },
    'Denied',
  ),
  associate(
    'associate the view policy at namespace scope',
    SCANNER_ENTRY,
    { 'eks:principalArn': SCANNER, 'eks:policyArn': VIEW, 'eks:accessScope': 'namespace' },
    'Denied',
  ),
  associate(
    "associate the view policy with another principal's entry",
    OTHER_ENTRY,
    { 'eks:principalArn': OTHER, 'eks:policyArn': VIEW, 'eks:accessScope': 'cluster' },
    'Denied',
  ),
  {
    name: "delete another principal's entry",
    request: { action: 'eks:DeleteAccessEntry', resource: OTHER_ENTRY, context: { 'eks:principalArn': OTHER } },
    expect: 'Denied',
  },
  {
    name: 'update an access entry (groups, username)',
    request: { action: 'eks:UpdateAccessEntry', resource: SCANNER_ENTRY, context: { 'eks:principalArn': SCANNER } },
    expect: 'Denied',
  },
  {
    name: 'change the authentication mode (UpdateClusterConfig)',
    request: { action: 'eks:UpdateClusterConfig', resource: CLUSTER },
    expect: 'Denied',
  },
];

const SCANNER_ROWS: readonly AttackRow[] = [
  {
    name: 'the scanner reads its own entry',
    request: { action: 'eks:DescribeAccessEntry', resource: SCANNER_ENTRY, context: { 'eks:principalArn': SCANNER } },
    expect: 'Allowed',
  },
  {
    name: "the scanner reads another principal's entry",
    request: { action: 'eks:DescribeAccessEntry', resource: OTHER_ENTRY, context: { 'eks:principalArn': OTHER } },
    expect: 'Denied',
  },
  create(
    'the scanner creates its own entry',
    { 'eks:principalArn': SCANNER, 'eks:accessEntryType': 'STANDARD' },
    'Denied',
  ),
];

function synth() {
  const template = Template.fromStack(new MemberRolesStack(testApp(), 'MemberRoles', PROPS));
  const idOf = (name: string) => logicalIdOf(template, 'AWS::IAM::Role', (p) => p.RoleName === name);
  return {
    json: template.toJSON() as TemplateJson,
    remediatorId: idOf(PROPS.remediatorRoleName),
    scannerId: idOf(PROPS.scannerRoleName),
  };
}

describe('create-access-entry IAM (attack table)', () => {
  const stack = synth();

  it('lets the remediator give the scanner role view access at cluster scope, and nothing wider', async () => {
    expect(await tableFailures(roleSubject(stack.json, stack.remediatorId), REMEDIATOR_ROWS)).toEqual([]);
  });

  it('lets the scanner read its own access entry only', async () => {
    expect(await tableFailures(roleSubject(stack.json, stack.scannerId), SCANNER_ROWS)).toEqual([]);
  });
});
