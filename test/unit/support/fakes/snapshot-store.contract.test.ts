/** The in-memory SnapshotStore against the port's contract (the same assertions run against S3SnapshotStore on the emulator). */
import { snapshotStoreContract } from '../../../support/contracts/snapshot-store-contract';
import { InMemorySnapshotStore } from '../../../support/fakes/snapshot-store';

describe('InMemorySnapshotStore', () => {
  snapshotStoreContract(
    async () => {
      const snapshots = new InMemorySnapshotStore();
      return { snapshots, readManifest: async (location) => snapshots.manifest(location) };
    },
    { scale: true },
  );
});
