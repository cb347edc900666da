/**
 * scan's profile, region and partition options: bad or contradictory values are refused with exit 2 and one line
 * saying what to fix, before any AWS call (the endpoint below answers nothing).
 */
import { main } from '../../../../cli/main';
import { captureIo } from '../../../support/cli-io';

const base = ['scan', '--endpoint-url', 'http://127.0.0.1:9', '--no-tls'];

describe('irsa-doctor scan: profile, region, partition', () => {
  it.each([
    [['-r', 'mars-1'], /--region "mars-1" is not a region name/],
    [['-r', 'us-isob-east-1'], /us-isob-east-1 is in partition aws-iso-b, which is not supported/],
    [
      ['-r', 'cn-north-1', '--partition', 'aws'],
      /--partition aws does not match --region cn-north-1, which is in aws-cn/,
    ],
    [['--partition', 'aws-us-gov', '--regions', 'us-gov-west-1,eu-west-1'], /not in it: eu-west-1/],
    [['--regions', 'cn-north-1,us-west-2'], /regions of partition aws-cn .*not in it: us-west-2/],
    [['-p', 'two words'], /--profile must be a profile name; got "two words"/],
  ])('refuses %j', async (args, message) => {
    const cli = captureIo('', { env: { AWS_CONFIG_FILE: '/nonexistent/config' } });
    const code = await main([...base, ...args], cli.io);
    expect(code).toBe(2);
    expect(cli.out()).toBe('');
    expect(cli.err()).toMatch(message);
    expect(cli.err().trim().split('\n')).toHaveLength(1);
  });

  it('refuses a partition it does not know, listing the known ones', async () => {
    const cli = captureIo();
    expect(await main([...base, '--partition', 'aws-iso'], cli.io)).toBe(2);
    expect(cli.err()).toMatch(/--partition.*aws-iso.*aws, aws-cn, aws-us-gov/);
  });

  it('refuses a bad AWS_REGION, naming it, and a contradicting AWS_REGION only when --partition disagrees', async () => {
    const bad = captureIo('', { env: { AWS_REGION: 'somewhere' } });
    expect(await main(base, bad.io)).toBe(2);
    expect(bad.err()).toMatch(/AWS_REGION "somewhere" is not a region name/);

    const contradicting = captureIo('', { env: { AWS_REGION: 'us-gov-west-1' } });
    expect(await main([...base, '--partition', 'aws-cn'], contradicting.io)).toBe(2);
    expect(contradicting.err()).toMatch(
      /--partition aws-cn does not match AWS_REGION us-gov-west-1, which is in aws-us-gov/,
    );
  });
});
