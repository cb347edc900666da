import { kube } from '../../kube/local-cluster';
import { emulator } from './emulator-env';

export default function globalTeardown(): void {
  try {
    emulator('stop');
  } finally {
    kube('stop');
  }
}
