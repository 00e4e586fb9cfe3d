import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkoutRoot, projectPaths } from '../../src/config/paths.js';
import { launchdJobs } from '../../src/service/launchd/launchd-jobs.js';
import { scheduleOf } from '../../src/service/launchd/plist-schedule.js';
import { parseSchedule, type Schedule } from '../../src/service/schedule.js';
import { bridgeCommand } from '../../src/service/bridge-command.js';
import { renderUnit, UnitError } from '../../src/service/systemd/render-unit.js';
import { scheduleLines, scheduleOfTimer } from '../../src/service/systemd/timer-schedule.js';
import { parseUnit, unitEnvironment, unitValue, unitValues, unitWords } from '../../src/service/systemd/unit-file.js';
import { systemdUnits, userUnitDir } from '../../src/service/systemd/unit-templates.js';

const root = checkoutRoot();
const units = systemdUnits(projectPaths(root));
const launchd = launchdJobs(projectPaths(root));
const defaultSchedule = scheduleOf(launchd.update.template)!;

function render(unit: keyof typeof units & ('bridge' | 'update' | 'timer'), projectDir = '/home/me/src/valor', schedule: Schedule = defaultSchedule): string {
  return renderUnit(units[unit].template, units[unit].name, { PROJECT_DIR: projectDir, PATH: '/usr/local/bin:/usr/bin:/bin', LOG: units[unit].log, BRIDGE_COMMAND: bridgeCommand(projectPaths(root)), SCHEDULE: scheduleLines(schedule) });
}

describe('the templates in systemd/', () => {
  it('name the three units, and send the services to the logs the launchd agents write (one set of logs for rotation and status)', () => {
    expect(units.all.map((unit) => unit.name)).toEqual(['valor-bridge.service', 'valor-update.service', 'valor-update.timer']);
    expect(units.bridge.log).toBe(launchd.bridge.log);
    expect(units.update.log).toBe(launchd.update.log);
  });

  it("run what the plists run: the bridge is package.json's start with node looked up on PATH, the update job scripts/scheduled-update.sh", () => {
    const bridge = parseUnit(render('bridge'));
    expect(unitValue(bridge, 'Service', 'ExecStart')).toBe(`/usr/bin/env ${bridgeCommand(projectPaths(root)).join(' ')}`);
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
    expect(unitValue(bridge, 'Service', 'ExecStart')).toBe(`/usr/bin/env ${pkg.scripts.start}`);
    const update = parseUnit(render('update'));
    const [bash, script] = launchd.update.template.ProgramArguments as string[];
    expect(unitWords(unitValue(update, 'Service', 'ExecStart')!)).toEqual([bash, script!.replace('{{PROJECT_DIR}}', '/home/me/src/valor')]);
  });

  it('keep the bridge alive as the plist does, in systemd terms', () => {
    const bridge = parseUnit(render('bridge'));
    const service = (key: string) => unitValue(bridge, 'Service', key);
    expect(unitValue(bridge, 'Unit', 'StartLimitIntervalSec')).toBe('0');
    expect([service('Restart'), service('RestartSec'), service('SuccessExitStatus'), service('KillMode')]).toEqual(['always', '100ms', '143', 'mixed']);
    // launchd's ExitTimeOut: the bridge's 15 s grace for running jobs, and some.
    expect(service('TimeoutStopSec')).toBe(String(launchd.bridge.template.ExitTimeOut));
    expect(unitValues(bridge, 'Service', 'ExecStartPre')).toEqual(['-/bin/bash "/home/me/src/valor/systemd/bridge-throttle.sh" wait %t']);
    expect(unitValues(bridge, 'Service', 'ExecStopPost')).toEqual(['-/bin/bash "/home/me/src/valor/systemd/bridge-throttle.sh" record %t']);
    expect(unitValue(bridge, 'Install', 'WantedBy')).toBe('default.target');
  });

  it('run the update at load, as RunAtLoad, and on a timer that catches up a missed time', () => {
    expect(unitValue(parseUnit(render('update')), 'Install', 'WantedBy')).toBe('default.target');
    const timer = parseUnit(render('timer'));
    expect(unitValue(timer, 'Timer', 'Unit')).toBe('valor-update.service');
    expect(unitValue(timer, 'Timer', 'Persistent')).toBe('true');
    expect(unitValue(timer, 'Install', 'WantedBy')).toBe('timers.target');
  });

  it('installed under $XDG_CONFIG_HOME/systemd/user, ~/.config by default', () => {
    expect(userUnitDir('/home/me', undefined)).toBe('/home/me/.config/systemd/user');
    expect(userUnitDir('/home/me', '')).toBe('/home/me/.config/systemd/user');
    expect(userUnitDir('/home/me', '/srv/config')).toBe('/srv/config/systemd/user');
  });
});

describe('the schedule as the timer says it', () => {
  it('--at: one OnCalendar= per time of day; --jitter: RandomizedDelaySec=', () => {
    const schedule = parseSchedule({ at: '18:00,6:05', jitter: '10m' }, defaultSchedule);
    expect(scheduleLines(schedule)).toEqual(['OnCalendar=*-*-* 06:05:00', 'OnCalendar=*-*-* 18:00:00', 'RandomizedDelaySec=600s']);
  });

  it('--every: OnUnitActiveSec= (every N after the last run, as StartInterval)', () => {
    expect(scheduleLines(parseSchedule({ every: '45m', jitter: '0' }, defaultSchedule))).toEqual(['OnUnitActiveSec=2700s', 'RandomizedDelaySec=0s']);
  });

  it.each([
    ['the default', defaultSchedule],
    ['--at', parseSchedule({ at: '07:15,19:45', jitter: '90s' }, defaultSchedule)],
    ['--every', parseSchedule({ every: '2h' }, defaultSchedule)],
  ])('%s is read back from the installed timer as written (a reinstall keeps it)', (_, schedule) => {
    expect(scheduleOfTimer(parseUnit(render('timer', '/x', schedule)))).toEqual(schedule);
  });

  it('the default is the one launchd/com.valor.update.plist holds: 06:00 and 18:00, up to 5 min of delay', () => {
    expect(scheduleLines(defaultSchedule)).toEqual(['OnCalendar=*-*-* 06:00:00', 'OnCalendar=*-*-* 18:00:00', 'RandomizedDelaySec=300s']);
  });

  it('a timer edited beyond what install writes has no schedule to keep', () => {
    expect(scheduleOfTimer(parseUnit('[Timer]\nOnCalendar=Mon *-*-* 06:00:00\n'))).toBeUndefined();
    expect(scheduleOfTimer(parseUnit('[Timer]\nOnCalendar=*-*-* 06:00:00\nRandomizedDelaySec=5min\n'))).toBeUndefined();
    expect(scheduleOfTimer(parseUnit('[Timer]\nPersistent=true\n'))).toBeUndefined();
  });
});

describe('renderUnit', () => {
  it('escapes the checkout path for each key, so that systemd reads back the very path (spaces, accents, %, $, ")', () => {
    const dir = '/home/me/Mes Projets/välor 100% $HOME "x"';
    const bridge = parseUnit(renderUnit(units.bridge.template, units.bridge.name, { PROJECT_DIR: dir, PATH: `${dir}/bin:/usr/bin`, LOG: `${dir}/logs/bridge.log`, BRIDGE_COMMAND: ['node', 'x.ts'] }));
    expect(unitValue(bridge, 'Service', 'WorkingDirectory')).toBe('/home/me/Mes Projets/välor 100%% $HOME "x"');
    expect(unitValue(bridge, 'Service', 'StandardOutput')).toBe('append:/home/me/Mes Projets/välor 100%% $HOME "x"/logs/bridge.log');
    expect(unitValues(bridge, 'Service', 'ExecStartPre')).toEqual([
      '-/bin/bash "/home/me/Mes Projets/välor 100%% $$HOME \\"x\\"/systemd/bridge-throttle.sh" wait %t',
    ]);
    expect(unitValue(bridge, 'Service', 'Environment')).toBe('"PATH=/home/me/Mes Projets/välor 100%% $HOME \\"x\\"/bin:/usr/bin"');
    expect(unitEnvironment(bridge).PATH).toBe(`${dir}/bin:/usr/bin`);
  });

  it('refuses a path with a line break, naming it', () => {
    expect(() => renderUnit(units.bridge.template, units.bridge.name, { PROJECT_DIR: '/home/me/a\nb', PATH: '/usr/bin' })).toThrow(
      new UnitError('PROJECT_DIR ("/home/me/a\\nb") has a line break, which a unit file cannot hold'),
    );
  });

  it('refuses what systemd would not run: an unknown placeholder, an unquoted one in an Exec line, a relative path, no schedule', () => {
    const values = { PROJECT_DIR: '/p', PATH: '/usr/bin' };
    expect(() => renderUnit('[Service]\nWorkingDirectory={{HOME}}\n', 'x.service', values)).toThrow('x.service: template has an unknown placeholder {{HOME}}');
    expect(() => renderUnit('[Service]\nExecStart=/bin/bash {{PROJECT_DIR}}/x\n', 'x.service', values)).toThrow('x.service: {{PROJECT_DIR}} in ExecStart= must be inside "…"');
    expect(() => render('bridge', 'relative/dir')).toThrow('valor-bridge.service: WorkingDirectory must be an absolute path');
    expect(() => renderUnit(units.timer.template, units.timer.name, values)).toThrow('valor-update.timer: template has {{SCHEDULE}} but no schedule was given');
    expect(() => renderUnit(units.timer.template.replace('Unit=valor-update.service\n', ''), units.timer.name, { ...values, SCHEDULE: ['OnCalendar=*-*-* 06:00:00'] })).toThrow(
      'valor-update.timer: the timer must name its Unit=',
    );
  });

  it('leaves the comments as written', () => {
    expect(render('bridge').split('\n')[0]).toBe('# Template: scripts/valor-service.sh install fills in the {{…}} values for this checkout');
  });
});

describe('parseUnit', () => {
  it('reads sections, repeated keys, comments and continued lines as systemd does', () => {
    const entries = parseUnit('# c\n[Timer]\nOnCalendar=*-*-* 06:00:00\n; c\nOnCalendar=*-*-*\\\n  18:00:00\n[Install]\nWantedBy = timers.target\n');
    expect(unitValues(entries, 'Timer', 'OnCalendar')).toEqual(['*-*-* 06:00:00', '*-*-* 18:00:00']);
    expect(unitValue(entries, 'Install', 'WantedBy')).toBe('timers.target');
  });

  it('splits Environment= into variables: quoted words, escapes, several per line', () => {
    expect(unitEnvironment(parseUnit('[Service]\nEnvironment="A=x y" B=2\nEnvironment="C=\\"q\\" 5%%"\n'))).toEqual({ A: 'x y', B: '2', C: '"q" 5%' });
  });
});
