import {
  defaultRegionsOf,
  isPartition,
  PARTITIONS,
  partitionInfo,
  partitionOfRegion,
  regionsOutside,
} from '../../../lambdas/domain/partitions';
import { DEFAULT_REGIONS, parseRegionList } from '../../../lambdas/domain/regions';

describe('partitions', () => {
  it.each([
    ['aws', 'amazonaws.com', 'us-east-1', 'us-east-1', 'us-east-1'],
    ['aws-cn', 'amazonaws.com.cn', 'cn-north-1', 'cn-north-1', 'cn-northwest-1'],
    ['aws-us-gov', 'amazonaws.com', 'us-gov-west-1', 'us-gov-west-1', 'us-gov-west-1'],
  ])('%s: DNS suffix %s, IAM in %s, STS in %s, Organizations in %s', (name, dns, iam, sts, organizations) => {
    expect(partitionInfo(name)).toMatchObject({
      name,
      dnsSuffix: dns,
      iamRegion: iam,
      stsRegion: sts,
      organizationsRegion: organizations,
    });
  });

  it("sweeps each partition's own regions by default, and only regions of that partition", () => {
    expect(defaultRegionsOf('aws-cn')).toEqual(['cn-north-1', 'cn-northwest-1']);
    expect(defaultRegionsOf('aws-us-gov')).toEqual(['us-gov-west-1', 'us-gov-east-1']);
    expect(defaultRegionsOf('aws')).toBe(DEFAULT_REGIONS);
    expect(DEFAULT_REGIONS).toHaveLength(17);
    for (const p of PARTITIONS) {
      const regions = defaultRegionsOf(p);
      expect(regions.map((r) => partitionOfRegion(r))).toEqual(regions.map(() => p));
      // Each is a region name the --regions parser accepts
      expect(parseRegionList(regions.join(',')).invalid).toEqual([]);
      // And each partition's global regions are in the partition
      const info = partitionInfo(p);
      for (const r of [info.iamRegion, info.stsRegion, info.organizationsRegion]) expect(partitionOfRegion(r)).toBe(p);
    }
  });

  it.each([
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-gov-east-1', 'aws-us-gov'],
    ['us-east-1', 'aws'],
    ['eu-central-2', 'aws'],
    ['ap-southeast-5', 'aws'],
  ])('region %s is in %s', (region, partition) => {
    expect(partitionOfRegion(region)).toBe(partition);
  });

  it('refuses a name that is not a region, or a region of a partition it cannot sweep, saying where it came from', () => {
    expect(() => partitionOfRegion('mars-1', '--region')).toThrow(
      expect.objectContaining({
        name: 'UsageError',
        message: expect.stringMatching(/^--region "mars-1" is not a region name/),
      }),
    );
    expect(() => partitionOfRegion('us-iso-east-1')).toThrow(
      /region us-iso-east-1 is in partition aws-iso, which is not supported \(supported: aws, aws-cn, aws-us-gov\)/,
    );
    expect(() => partitionOfRegion('us-isob-east-1')).toThrow(/partition aws-iso-b/);
  });

  it('refuses an unknown partition by name, listing the known ones', () => {
    expect(isPartition('aws-cn')).toBe(true);
    expect(isPartition('aws-iso')).toBe(false);
    expect(() => partitionInfo('aws-iso')).toThrow(
      expect.objectContaining({
        name: 'UsageError',
        message: 'unknown partition "aws-iso": expected one of aws, aws-cn, aws-us-gov',
      }),
    );
  });

  it('names the regions outside a partition', () => {
    expect(regionsOutside('aws-cn', ['cn-north-1', 'eu-west-1', 'not a region'])).toEqual([
      'eu-west-1',
      'not a region',
    ]);
    expect(regionsOutside('aws', ['us-west-2', 'eu-west-1'])).toEqual([]);
  });
});
