import { emulator } from './emulator-env';

export default function globalTeardown(): void {
  emulator('stop');
}
