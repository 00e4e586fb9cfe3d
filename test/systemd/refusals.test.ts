import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { notRunBecause, suiteUser } from './fixtures/suite.js';
import { LOGIN_PATH } from './fixtures/systemd-user.js';
import { serviceScript, units } from './fixtures/units.js';

/**
 * What install, uninstall and restart refuse, each in one line with nothing
 * changed (as root, under sudo, with no user manager to talk to), and what
 * install says of lingering: logind is stood in for by a `loginctl` first on
 * PATH (there is no logind here; the real loginctl's failure is in
 * bridge-service.test.ts).
 */

describe.skipIf(notRunBecause)('refusals and lingering, under systemd', () => {
  const user = suiteUser();
  const unitDir = () => path.join(user.manager.home, '.config', 'systemd', 'user');
  const nothingWritten = () => {
    expect(fs.existsSync(unitDir())).toBe(false);
    expect(fs.existsSync(path.join(user.checkout.machine, 'logs'))).toBe(false);
  };

  /** A loginctl that answers Linger=VALUE and logs how it was asked. */
  function fakeLoginctl(value: 'yes' | 'no'): { path: string; calls(): string } {
    const bin = path.join(user.checkout.dir, `loginctl-${value}`);
    user.checkout.write(path.relative(user.checkout.machine, path.join(bin, 'loginctl')), `#!/bin/sh\necho "$*" >> "${bin}/calls"\necho Linger=${value}\n`);
    fs.chmodSync(path.join(bin, 'loginctl'), 0o755);
    return { path: `${bin}:${LOGIN_PATH}`, calls: () => fs.readFileSync(path.join(bin, 'calls'), 'utf8') };
  }



  it.each(['install', 'uninstall', 'restart'])('%s as root: one line, exit 2, nothing changed', (command) => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-root-home-'));
    try {
      const result = spawnSync(serviceScript(user.checkout), [command], {
        cwd: home,
        env: { PATH: process.env.PATH!, HOME: home, USER: 'root' },
        encoding: 'utf8',
      });

      expect(`${result.stdout}${result.stderr}`).toBe(
        "[valor-service] FAIL: run this as the user the bridge runs as, not as root: systemd user units belong to that user's manager. Nothing was changed.\n",
      );
      expect(result.status).toBe(2);
      expect(fs.readdirSync(home)).toEqual([]);
      nothingWritten();
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('status as root: what needs no manager, and one line saying why the units cannot be shown', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'valor-root-home-'));
    try {
      const result = spawnSync(serviceScript(user.checkout), ['status'], { cwd: home, env: { PATH: process.env.PATH!, HOME: home, USER: 'root' }, encoding: 'utf8' });

      const output = `${result.stdout}${result.stderr}`;
      expect(output).toMatch(
        /^\[valor-service\] run this as the user the bridge runs as, not as root: systemd user units belong to that user's manager\. The units cannot be shown\.\n\[valor-service\] machine name: systemd-test\n/,
      );
      expect(output).not.toContain('valor-bridge.service');
      expect(output).toContain('[valor-service] restart pending: no\n');
      expect(fs.readdirSync(home)).toEqual([]);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('install under sudo: one line naming the user who asked, exit 2, nothing changed', () => {
    const { code, output } = units(user.manager, user.checkout, ['install'], { SUDO_UID: '1000' });

    expect(output).toBe(
      "[valor-service] FAIL: run this without sudo, as the user the bridge runs as (uid 1000): systemd user units belong to that user's manager, and under sudo they would go to root's and leave root-owned files in your folder. Nothing was changed.\n",
    );
    expect(code).toBe(2);
    nothingWritten();
  });

  it.each(['install', 'uninstall', 'restart'])('%s with no user manager to talk to (a container, WSL without systemd): one line, exit 2, nothing changed', (command) => {
    const result = user.manager.runOutside([serviceScript(user.checkout), command], { cwd: user.checkout.machine });

    expect(result.output).toMatch(
      /^\[valor-service\] FAIL: no systemd user manager answers for valor-test \(systemctl --user: Failed to connect to bus: [^)]+\): the service needs one \(a container, or WSL without systemd, has none\)\. Nothing was changed\.\n$/,
    );
    expect(result.code).toBe(2);
    nothingWritten();
  });

  it('lingering off: install warns in one line with the command that turns it on', () => {
    const loginctl = fakeLoginctl('no');
    const { code, output } = units(user.manager, user.checkout, ['install', '--jitter', '0'], { PATH: loginctl.path });

    expect(code).toBe(0);
    expect(output).toContain(
      '[valor-service] WARN: lingering is off for valor-test: the bridge and the update timer stop when valor-test logs out and start only at the next login. On a server turn it on (sudo on most hosts): sudo loginctl enable-linger valor-test\n',
    );
    expect(output.match(/lingering/g)).toHaveLength(1);
    expect(loginctl.calls()).toBe('show-user valor-test -p Linger\n');
  });

  it('lingering on: not a word about it', () => {
    const loginctl = fakeLoginctl('yes');
    const { code, output } = units(user.manager, user.checkout, ['install'], { PATH: loginctl.path });

    expect(code).toBe(0);
    expect(output).not.toMatch(/linger/i);
    expect(loginctl.calls()).toBe('show-user valor-test -p Linger\n');
  });
});
