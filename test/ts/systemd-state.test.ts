import { describe, expect, it } from 'vitest';
import { lingeringStatus, lingeringWarning, readLingering } from '../../src/service/systemd/lingering.js';
import { noUserManager, userSystemctl, type CommandResult, type RunCommand } from '../../src/service/systemd/systemctl.js';
import {
  describeUnitState,
  parseProperties,
  parseTimestamp,
  readNextRun,
  readUnitState,
  unitStateOf,
  unitStatusLine,
  UNIT_PROPERTIES,
} from '../../src/service/systemd/unit-state.js';

function answer(code: number, stdout: string, stderr = ''): CommandResult {
  return { code, stdout, output: `${stdout}${stderr}`.trim() };
}

/** Records each call; answers with `reply`. */
function recorder(reply: (command: string, args: readonly string[]) => CommandResult) {
  const calls: Array<{ command: string; args: readonly string[]; env: Record<string, string> }> = [];
  const run: RunCommand = (command, args, env) => {
    calls.push({ command, args, env });
    return reply(command, args);
  };
  return { run, calls };
}

// As systemd 252 prints them (captured from ../shared/systemd-user).
const RUNNING = `LoadState=loaded
ActiveState=active
SubState=running
Result=success
MainPID=4277
ExecMainCode=0
ExecMainStatus=0
NRestarts=3
UnitFileState=enabled
FragmentPath=/home/valor-test/.config/systemd/user/valor-bridge.service
DropInPaths=
NeedDaemonReload=no
`;

const WAITING = RUNNING.replace('ActiveState=active', 'ActiveState=activating').replace('SubState=running', 'SubState=start-pre').replace('MainPID=4277', 'MainPID=0');

const NOT_FOUND = `LoadState=not-found
ActiveState=inactive
SubState=dead
Result=success
MainPID=0
ExecMainCode=0
ExecMainStatus=0
NRestarts=0
UnitFileState=
FragmentPath=
DropInPaths=
NeedDaemonReload=no
`;

describe('systemctl --user', () => {
  it('asks with --user, no pager, timestamps in UTC', () => {
    const { run, calls } = recorder(() => answer(0, ''));
    userSystemctl(run)('show-environment');
    expect(calls).toEqual([{ command: 'systemctl', args: ['--user', '--no-pager', 'show-environment'], env: { TZ: 'UTC', SYSTEMD_PAGER: '', SYSTEMD_COLORS: '0' } }]);
  });

  it('a user manager answers, or not (a container, WSL without systemd), and why not in systemctl\'s words', () => {
    expect(noUserManager(userSystemctl(() => answer(0, 'HOME=/home/me\n')))).toBeUndefined();
    expect(noUserManager(userSystemctl(() => answer(1, '', 'Failed to connect to bus: No such file or directory')))).toBe('Failed to connect to bus: No such file or directory');
    expect(noUserManager(userSystemctl(() => answer(1, '', 'System has not been booted with systemd as init system (PID 1). Can\'t operate.\nFailed to connect to bus: Host is down')))).toBe(
      "System has not been booted with systemd as init system (PID 1). Can't operate.",
    );
    expect(noUserManager(userSystemctl(() => answer(127, '', 'spawnSync systemctl ENOENT')))).toBe('spawnSync systemctl ENOENT');
    expect(noUserManager(userSystemctl(() => answer(1, '')))).toBe('exit 1');
  });
});

describe('unit state', () => {
  it('reads the properties it asks for', () => {
    const { run, calls } = recorder(() => answer(0, RUNNING));
    const state = readUnitState(userSystemctl(run), 'valor-bridge.service');
    expect(calls[0]!.args).toEqual(['--user', '--no-pager', 'show', ...UNIT_PROPERTIES.flatMap((p) => ['-p', p]), 'valor-bridge.service']);
    expect(state).toEqual({
      loadState: 'loaded',
      activeState: 'active',
      subState: 'running',
      result: 'success',
      mainPid: 4277,
      lastExit: undefined,
      restarts: 3,
      unitFileState: 'enabled',
      fragmentPath: '/home/valor-test/.config/systemd/user/valor-bridge.service',
      dropIns: [],
      needsReload: false,
    });
  });

  it('a unit the manager does not know, or a manager that does not answer: none', () => {
    expect(readUnitState(userSystemctl(() => answer(0, NOT_FOUND)), 'valor-bridge.service')).toBeUndefined();
    expect(readUnitState(userSystemctl(() => answer(1, '', 'Failed to connect to bus')), 'valor-bridge.service')).toBeUndefined();
  });

  it('names the last exit: a status, a signal, a core dump', () => {
    const exit = (code: string, status: string) => unitStateOf(parseProperties(RUNNING.replace('ExecMainCode=0', `ExecMainCode=${code}`).replace('ExecMainStatus=0', `ExecMainStatus=${status}`)))!.lastExit;
    expect(exit('1', '2')).toBe('exit 2');
    expect(exit('1', '143')).toBe('exit 143');
    expect(exit('2', '9')).toBe('signal KILL');
    expect(exit('3', '11')).toBe('signal SEGV (core dumped)');
    expect(exit('0', '0')).toBeUndefined();
  });

  it('says in a few words what runs', () => {
    const state = (text: string) => unitStateOf(parseProperties(text));
    expect(describeUnitState(state(RUNNING))).toBe('running, pid 4277');
    expect(describeUnitState(state(WAITING))).toBe('waiting to start again after a failed start (3 restart(s) so far; see its log)');
    const failed = RUNNING.replace('ActiveState=active', 'ActiveState=failed').replace('SubState=running', 'SubState=failed').replace('MainPID=4277', 'MainPID=0');
    expect(describeUnitState(state(failed.replace('Result=success', 'Result=start-limit-hit').replace('ExecMainCode=0', 'ExecMainCode=1').replace('ExecMainStatus=0', 'ExecMainStatus=2')))).toBe(
      'failed (start-limit-hit), last exit 2',
    );
    expect(describeUnitState(state(RUNNING.replace('ActiveState=active', 'ActiveState=inactive').replace('SubState=running', 'SubState=dead').replace('MainPID=4277', 'MainPID=0')))).toBe(
      'inactive (dead), last exit: none yet',
    );
    expect(describeUnitState(undefined)).toBe('not installed');
  });

  it("status's line names the unit file, any drop-in, and the restarts", () => {
    const withDropIn = unitStateOf(parseProperties(RUNNING.replace('DropInPaths=', 'DropInPaths=/home/valor-test/.config/systemd/user/valor-bridge.service.d/x.conf')));
    expect(unitStatusLine('valor-bridge.service', withDropIn)).toBe(
      'valor-bridge.service: loaded from /home/valor-test/.config/systemd/user/valor-bridge.service (with /home/valor-test/.config/systemd/user/valor-bridge.service.d/x.conf), enabled, running, pid 4277, 3 restart(s)',
    );
    expect(unitStatusLine('valor-update.timer', undefined)).toBe('valor-update.timer: not installed');
    const timer = RUNNING.replace('SubState=running', 'SubState=waiting').replace('MainPID=4277', 'MainPID=0').replace(/valor-bridge\.service/g, 'valor-update.timer');
    expect(unitStatusLine('valor-update.timer', unitStateOf(parseProperties(timer)))).toBe(
      'valor-update.timer: loaded from /home/valor-test/.config/systemd/user/valor-update.timer, enabled, active (waiting)',
    );
  });
});

describe('the next scheduled run', () => {
  it('reads systemctl timestamps as printed under TZ=UTC, nothing else', () => {
    expect(parseTimestamp('Sat 2026-12-05 18:00:00 UTC')).toBe(Date.parse('2026-12-05T18:00:00Z'));
    expect(parseTimestamp('Sat 2026-12-05 19:00:00 CET')).toBeUndefined();
    expect(parseTimestamp('n/a')).toBeUndefined();
  });

  it('from list-timers, for calendar and monotonic timers alike; none when the timer is stopped', () => {
    const listed = (line: string) => userSystemctl(() => answer(0, `${line}\n`));
    expect(
      readNextRun(listed('Sat 2026-12-05 18:00:00 UTC 5h 17min left Sat 2026-12-05 12:42:33 UTC 3s ago valor-update.timer valor-update.service'), 'valor-update.timer'),
    ).toBe(Date.parse('2026-12-05T18:00:00Z'));
    expect(readNextRun(listed('-                           -             Sat 2026-12-05 12:42:33 UTC 3s ago valor-update.timer valor-update.service'), 'valor-update.timer')).toBeUndefined();
    expect(readNextRun(userSystemctl(() => answer(1, '', 'Failed to connect to bus')), 'valor-update.timer')).toBeUndefined();
  });
});

describe('lingering', () => {
  const asked = (code: number, stdout: string, stderr = '') => recorder(() => answer(code, stdout, stderr));

  it('asks logind about the user', () => {
    const { run, calls } = asked(0, 'Linger=yes\n');
    expect(readLingering(run, 'ana')).toEqual({ kind: 'on' });
    expect(calls).toEqual([{ command: 'loginctl', args: ['show-user', 'ana', '-p', 'Linger'], env: {} }]);
  });

  it('on: no warning at install; status says so', () => {
    expect(lingeringWarning({ kind: 'on' }, 'ana')).toBeUndefined();
    expect(lingeringStatus({ kind: 'on' }, 'ana')).toBe('lingering: on (the units run without a login, from boot)');
  });

  it('off: one line with the command that turns it on, and that it needs sudo', () => {
    const lingering = readLingering(asked(0, 'Linger=no\n').run, 'ana');
    expect(lingering).toEqual({ kind: 'off' });
    expect(lingeringWarning(lingering, 'ana')).toBe(
      'WARN: lingering is off for ana: the bridge and the update timer stop when ana logs out and start only at the next login. On a server turn it on (sudo on most hosts): sudo loginctl enable-linger ana',
    );
    expect(lingeringStatus(lingering, 'ana')).toBe('lingering: off (the units run only while ana is logged in; sudo loginctl enable-linger ana turns it on)');
  });

  it('loginctl cannot answer (no logind) or is missing: says it could not tell, and why', () => {
    const noLogind = readLingering(asked(1, '', 'Failed to connect to bus: No such file or directory').run, 'ana');
    expect(noLogind).toEqual({ kind: 'unknown', reason: 'loginctl: Failed to connect to bus: No such file or directory' });
    expect(lingeringWarning(noLogind, 'ana')).toBe(
      'WARN: could not tell whether lingering is on for ana (loginctl: Failed to connect to bus: No such file or directory): without it the bridge runs only while ana is logged in. On a server turn it on (sudo on most hosts): sudo loginctl enable-linger ana',
    );
    expect(lingeringStatus(noLogind, 'ana')).toBe('lingering: could not tell (loginctl: Failed to connect to bus: No such file or directory)');
    expect(readLingering(asked(127, '', 'spawnSync loginctl ENOENT').run, 'ana')).toEqual({ kind: 'unknown', reason: 'loginctl: spawnSync loginctl ENOENT' });
    expect(readLingering(asked(1, '').run, 'ana')).toEqual({ kind: 'unknown', reason: 'loginctl: exit 1' });
  });
});
