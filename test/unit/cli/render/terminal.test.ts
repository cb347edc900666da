import type { CliIo } from '../../../../cli/io';
import { DEFAULT_WIDTH, terminalFor } from '../../../../cli/render/terminal';

const io = (stdout: { isTTY?: boolean; columns?: number }, env: Record<string, string> = {}): CliIo => ({
  stdout: { write: () => true, ...stdout },
  stderr: { write: () => true },
  readStdin: async () => '',
  env,
});

describe('terminalFor: colour', () => {
  it('is on at a terminal and off in a pipe', () => {
    expect(terminalFor(io({ isTTY: true, columns: 80 })).color).toBe(true);
    expect(terminalFor(io({})).color).toBe(false);
  });

  it('is off with --no-color, whatever the environment says', () => {
    expect(terminalFor(io({ isTTY: true }), { color: false }).color).toBe(false);
    expect(terminalFor(io({ isTTY: true }, { FORCE_COLOR: '1' }), { color: false }).color).toBe(false);
  });

  it('is off with a non-empty NO_COLOR, and NO_COLOR set empty changes nothing (no-color.org)', () => {
    expect(terminalFor(io({ isTTY: true }, { NO_COLOR: '1' })).color).toBe(false);
    expect(terminalFor(io({ isTTY: true }, { NO_COLOR: 'anything' })).color).toBe(false);
    expect(terminalFor(io({ isTTY: true }, { NO_COLOR: '' })).color).toBe(true);
  });

  it.each([
    ['1', true],
    ['', true],
    ['true', true],
    ['3', true],
    ['0', false],
    ['false', false],
  ])('FORCE_COLOR=%p forces colour %p, in a pipe and at a terminal, over NO_COLOR', (value, on) => {
    expect(terminalFor(io({}, { FORCE_COLOR: value })).color).toBe(on);
    expect(terminalFor(io({ isTTY: true }, { FORCE_COLOR: value })).color).toBe(on);
    expect(terminalFor(io({}, { FORCE_COLOR: value, NO_COLOR: '1' })).color).toBe(on);
  });
});

describe('terminalFor: width', () => {
  it("is the terminal's columns, clamped to 40..400", () => {
    expect(terminalFor(io({ isTTY: true, columns: 132 })).width).toBe(132);
    expect(terminalFor(io({ isTTY: true, columns: 12 })).width).toBe(40);
    expect(terminalFor(io({ isTTY: true, columns: 5000 })).width).toBe(400);
  });

  it("prefers the terminal's columns to COLUMNS", () => {
    expect(terminalFor(io({ isTTY: true, columns: 90 }, { COLUMNS: '200' })).width).toBe(90);
  });

  it('is COLUMNS off a terminal when it is a sane number, else 100', () => {
    expect(terminalFor(io({}, { COLUMNS: '80' })).width).toBe(80);
    expect(terminalFor(io({}, { COLUMNS: ' 200 ' })).width).toBe(200);
    expect(terminalFor(io({}, { COLUMNS: '10' })).width).toBe(40);
    for (const bad of ['', 'wide', '-5', '0', '80px', '1e3', '99999999999']) {
      expect(terminalFor(io({}, { COLUMNS: bad })).width).toBe(DEFAULT_WIDTH);
    }
    expect(terminalFor(io({})).width).toBe(100);
  });

  it('ignores columns a stream reports when it is not a terminal', () => {
    expect(terminalFor(io({ isTTY: false, columns: 60 })).width).toBe(DEFAULT_WIDTH);
  });
});
