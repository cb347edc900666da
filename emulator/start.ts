/**
 * A private emulator for one program run (the bench, the demo): installs the pinned venv if needed
 * (scripts/emulator.sh install), starts emulator/launch.py on a free loopback port, and stops it with the program.
 * The tests use scripts/emulator.sh start/stop instead (one shared instance per test run).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';

export interface RunningEmulator {
  readonly url: string;
  stop(): Promise<void>;
}

const ROOT = join(__dirname, '..');

export async function startEmulator(
  options: { timeoutMs?: number; env?: Readonly<Record<string, string>> } = {},
): Promise<RunningEmulator> {
  execFileSync('sh', [join(ROOT, 'scripts', 'emulator.sh'), 'install'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const python = join(ROOT, '.venv', 'emulator', 'bin', 'python');
  const child: ChildProcess = spawn(python, [join(ROOT, 'emulator', 'launch.py'), '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-4000);
  });
  const stopOnExit = () => child.kill('SIGTERM');
  process.once('exit', stopOnExit);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`emulator: no READY within ${options.timeoutMs ?? 60000} ms\n${log}`));
    }, options.timeoutMs ?? 60000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /^READY (\d+)$/m.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator: launch.py exited (${code}) before READY\n${log}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener('exit', stopOnExit);
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
