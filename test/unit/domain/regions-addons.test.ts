import { addonServiceAccounts } from '../../../lambdas/domain/addons';
import { DEFAULT_REGIONS, parseRegionList } from '../../../lambdas/domain/regions';

describe('parseRegionList', () => {
  it('accepts region names, trims, drops duplicates and names what is not a region', () => {
    expect(parseRegionList(' us-west-2, eu-west-1,us-west-2,,')).toEqual({
      regions: ['us-west-2', 'eu-west-1'],
      invalid: [],
    });
    expect(parseRegionList('us-west-2,uswest2,EU-WEST-1').invalid).toEqual(['uswest2', 'EU-WEST-1']);
    expect(parseRegionList('us-gov-west-1,ap-southeast-7').invalid).toEqual([]);
  });

  it('has a default list of well-formed, distinct regions', () => {
    expect(parseRegionList(DEFAULT_REGIONS.join(',')).regions).toEqual(DEFAULT_REGIONS);
  });
});

describe('addonServiceAccounts', () => {
  it('prefers the names EKS reported, then the table, and the add-on namespace over the default', () => {
    expect(addonServiceAccounts('aws-ebs-csi-driver', ['custom-sa'], undefined)).toEqual({
      namespace: 'kube-system',
      names: ['custom-sa'],
    });
    expect(addonServiceAccounts('aws-ebs-csi-driver', [], 'storage')).toEqual({
      namespace: 'storage',
      names: ['ebs-csi-controller-sa'],
    });
    expect(addonServiceAccounts('amazon-cloudwatch-observability', undefined, undefined)).toEqual({
      namespace: 'amazon-cloudwatch',
      names: ['cloudwatch-agent'],
    });
    expect(addonServiceAccounts('someone-elses-addon', undefined, undefined)).toEqual({
      namespace: 'kube-system',
      names: [],
    });
  });
});
