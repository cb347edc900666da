import { emulator } from './emulator-env';
import { kube } from './kube-env';

export default function globalTeardown(): void {
  try {
    emulator('stop');
  } finally {
    kube('stop');
  }
}
