import fs from 'fs-extra';
import path from 'node:path';
import type { ProjectPaths } from '../config/paths.js';
import { AGENTS, BRIDGE_AGENT, installedPlist, launchAgentsDir, UPDATE_AGENT, type Agent } from './agents.js';
import { launchPath } from './launch-path.js';
import type { Launchctl, LaunchctlResult } from './launchctl.js';
import { checkAgentPlist, PlistError, renderTemplate } from './render-plist.js';

/**
 * install / uninstall / restart / status of the launchd agents. launchctl,
 * HOME, the uid and the sleep between retries are injected.
 */
export interface ServiceDeps {
  paths: ProjectPaths;
  home: string;
  uid: number;
  searchPath: string;
  nodeBinary: string;
  launchctl: Launchctl;
  sleep(ms: number): Promise<void>;
  print(line: string): void;
}

/** launchd may still hold a label just booted out: bootstrap then fails with error 5. */
export const BOOTSTRAP_RETRY_DELAYS_MS = [250, 500, 1000, 2000];

function target(deps: ServiceDeps, agent: Agent): string {
  return `gui/${deps.uid}/${agent.label}`;
}

function isLoaded(deps: ServiceDeps, agent: Agent): boolean {
  return deps.launchctl('print', target(deps, agent)).code === 0;
}

/** launchctl's own message, or its exit status when it printed nothing. */
function launchctlFailure(subcommand: string, result: LaunchctlResult): string {
  return `launchctl ${subcommand}: ${result.output || `exit ${result.code}`}`;
}

/** Returns why the agent is still loaded, if it is. A failed bootout of an agent gone meanwhile is fine. */
function bootoutIfLoaded(deps: ServiceDeps, agent: Agent): string | undefined {
  if (!isLoaded(deps, agent)) return undefined;
  const result = deps.launchctl('bootout', target(deps, agent));
  if (result.code !== 0 && isLoaded(deps, agent)) return launchctlFailure('bootout', result);
  return undefined;
}

function render(deps: ServiceDeps, agent: Agent, launchPathValue: string): string {
  const template = fs.readFileSync(path.join(deps.paths.root, agent.template), 'utf8');
  const xml = renderTemplate(template, {
    PROJECT_DIR: deps.paths.root,
    NODE: deps.nodeBinary,
    PATH: launchPathValue,
    HOME: deps.home,
  });
  checkAgentPlist(xml, agent.label);
  return xml;
}

async function bootstrap(deps: ServiceDeps, plistFile: string): Promise<string | undefined> {
  for (let attempt = 0; ; attempt++) {
    const result = deps.launchctl('bootstrap', `gui/${deps.uid}`, plistFile);
    if (result.code === 0) return undefined;
    const transient = /\b5: Input\/output error/.test(result.output);
    const delay = BOOTSTRAP_RETRY_DELAYS_MS[attempt];
    if (!transient || delay === undefined) return launchctlFailure('bootstrap', result);
    await deps.sleep(delay);
  }
}

async function installAgent(deps: ServiceDeps, agent: Agent, xml: string): Promise<string | undefined> {
  const plistFile = installedPlist(deps.home, agent);
  await fs.outputFile(plistFile, xml);
  const failure = bootoutIfLoaded(deps, agent) ?? (await bootstrap(deps, plistFile));
  if (failure) return failure;
  const check = deps.launchctl('print', target(deps, agent));
  if (check.code !== 0) return `not registered after bootstrap (${launchctlFailure('print', check)})`;
  return undefined;
}

export async function install(deps: ServiceDeps): Promise<number> {
  const found = launchPath(deps.searchPath, deps.nodeBinary);
  for (const tool of found.missing) {
    deps.print(`note: ${tool} is not on PATH now, so the agents will not find it either`);
  }
  let rendered: Array<[Agent, string]>;
  try {
    rendered = AGENTS.map((agent) => [agent, render(deps, agent, found.path)]);
  } catch (error) {
    if (!(error instanceof PlistError)) throw error;
    deps.print(`FAIL: ${error.message}. Nothing was installed.`);
    return 1;
  }
  await fs.ensureDir(deps.paths.logsDir);
  await fs.ensureDir(launchAgentsDir(deps.home));

  const failures: string[] = [];
  for (const [agent, xml] of rendered) {
    const failure = await installAgent(deps, agent, xml);
    if (failure) {
      failures.push(agent.label);
      deps.print(`FAIL: ${agent.label} NOT installed: ${failure}`);
    } else {
      deps.print(`Installed ${agent.label} (${installedPlist(deps.home, agent)})`);
    }
  }
  deps.print(`PATH for the agents: ${found.path}`);
  if (failures.length > 0) {
    const installed = AGENTS.filter((agent) => !failures.includes(agent.label)).map((agent) => agent.label);
    deps.print(`Install incomplete. Installed: ${installed.join(', ') || 'none'}. Not installed: ${failures.join(', ')}.`);
    return 1;
  }
  return 0;
}

export async function uninstall(deps: ServiceDeps): Promise<number> {
  let status = 0;
  for (const agent of AGENTS) {
    const stillLoaded = bootoutIfLoaded(deps, agent);
    if (stillLoaded) {
      deps.print(`FAIL: ${agent.label} is still loaded: ${stillLoaded}`);
      status = 1;
      continue;
    }
    await fs.remove(installedPlist(deps.home, agent));
    deps.print(`Removed ${agent.label}`);
  }
  return status;
}

export async function restart(deps: ServiceDeps): Promise<number> {
  const result = deps.launchctl('kickstart', '-k', target(deps, BRIDGE_AGENT));
  if (result.code !== 0) {
    deps.print(`FAIL: ${launchctlFailure('kickstart', result)}`);
    return 1;
  }
  deps.print(`Restarted ${BRIDGE_AGENT.label}`);
  return 0;
}

function field(text: string, name: string): string | undefined {
  return new RegExp(`^\\s*${name} = (.+)$`, 'm').exec(text)?.[1]?.trim();
}

function lastLine(file: string): string {
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  return lines[lines.length - 1] ?? '';
}

export async function status(deps: ServiceDeps): Promise<number> {
  for (const agent of AGENTS) {
    const result = deps.launchctl('print', target(deps, agent));
    if (result.code !== 0) {
      deps.print(`${agent.label}: not loaded`);
      continue;
    }
    const pid = field(result.output, 'pid');
    const state = field(result.output, 'state') ?? 'unknown';
    const lastExit = field(result.output, 'last exit code') ?? 'none yet';
    deps.print(`${agent.label}: loaded, ${state}${pid ? ` (pid ${pid})` : ''}, last exit status ${lastExit}`);
  }
  const updateLog = path.join(deps.paths.root, UPDATE_AGENT.log);
  if (fs.existsSync(updateLog)) {
    deps.print(`last update run: ${fs.statSync(updateLog).mtime.toISOString()} — ${lastLine(updateLog)}`);
  } else {
    deps.print('last update run: none yet (no logs/update.log)');
  }
  if (fs.existsSync(deps.paths.restartFlag)) {
    deps.print(`restart pending: yes (${fs.readFileSync(deps.paths.restartFlag, 'utf8').trim()})`);
  } else {
    deps.print('restart pending: no');
  }
  return 0;
}
