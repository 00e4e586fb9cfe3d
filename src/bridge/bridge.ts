import type { Settings } from '../config/settings.js';
import type { ProjectPaths } from '../config/paths.js';
import { gitCannotRun, type Checkout } from '../git/checkout.js';
import { describeLoaded, type LoadedCommit } from '../git/loaded-commit.js';
import { agentFailureReply } from '../agent/agent-failure.js';
import type { AgentOutcome, AgentRunner } from '../agent/agent-runner.js';
import type { Job } from '../queue/job.js';
import { JobQueue } from '../queue/job-queue.js';
import { JobStore } from '../queue/job-store.js';
import { RestartMonitor, watchFile, type Clock } from '../restart/restart-monitor.js';
import type { ReplyTarget, Transport } from '../transport/transport.js';
import { RECORD_POLL_MS, ScheduleReporter } from '../update/schedule-reporter.js';
import { createUpdateHandler } from '../update/update-handler.js';
import type { UpdateRunner } from '../update/run-update-script.js';
import type { HoldRunner } from '../update/run-hold-command.js';
import { readHold } from '../update/hold.js';
import { catchUp } from '../catchup/catch-up.js';
import { CatchUpGate } from '../catchup/catch-up-gate.js';
import type { ChatMarks } from '../catchup/chat-marks.js';
import { createMessageHandler } from './message-handler.js';
import { clearStaleFlag, flagExists, flagWrittenAtMs, removeFlag, takeNotice, writeNotice } from '../restart/restart-files.js';
import { writeBeacon, type BridgeBeacon } from '../restart/bridge-beacon.js';
import { addLastUpdateFields, readLastUpdate } from '../restart/last-update.js';
import type { SelfTestFailure, SelfTestRunner } from '../restart/run-self-test.js';
import { refusedStage, restartedStage } from '../update/reply-text.js';
import { tellRestartStage } from '../update/restart-stage.js';
import { currentStatusLine } from '../update/status-facts.js';

export const SHUTDOWN_GRACE_MS = 15_000;

function replyTarget(job: Job): ReplyTarget {
  return { chatId: job.chatId, replyTo: job.messageId, topicId: job.topicId };
}
export const RESTART_POLL_MS = 250;
/** While git cannot say what this process loaded, it is asked again this often (and at each /update status). */
export const LOADED_RETRY_MS = 60_000;

/**
 * Under launchd (KeepAlive) or systemd (Restart=always) every exit is
 * followed by a new start, at once unless a start failed within the last
 * minute (launchd's ThrottleInterval, systemd/bridge-throttle.sh). 143 after
 * SIGTERM tells the log a restart was asked for.
 */
export const EXIT_CODES = { SIGTERM: 143, SIGINT: 0, END_OF_INPUT: 0, LOGIN_LOST: 2 } as const;
export type ShutdownReason = keyof typeof EXIT_CODES;

export interface BridgeDeps {
  settings: Settings;
  paths: ProjectPaths;
  transport: Transport;
  /** data/chat-marks.json, the one reader and writer of it (the console's inbox reads it too). */
  marks: ChatMarks;
  runUpdate: UpdateRunner;
  /** scripts/valor-service.sh hold and resume, for /update hold and /update resume. */
  runHold: HoldRunner;
  runAgent: AgentRunner | undefined;
  /** The checkout's self-test, run before a restart into it. */
  selfTest: SelfTestRunner;
  /** The commit this process loaded, read at its start (unknown while git cannot run). */
  loaded: LoadedCommit;
  readCheckout(): Promise<Checkout>;
  /** Ends every process group still running (agents, an /update). */
  endProcessGroups(): void;
  describeHead(): Promise<string>;
  clock: Clock;
  sleep(ms: number): Promise<void>;
  /** process.kill: the restart is a SIGTERM to ourselves. */
  kill(pid: number, signal: NodeJS.Signals): void;
  pid: number;
  exit(code: number): void;
  processStartedAtMs: number;
  log(line: string): void;
  pollMs?: number;
  shutdownGraceMs?: number;
}

/**
 * Wires the transport, the /update intercept, the catch-up, the job queue
 * and the restart monitor, all in the constructor; start() runs them.
 * What comes from outside (the transport, the runners, the files) is built
 * in ./run-bridge.ts.
 */
export class Bridge {
  readonly queue: JobQueue<AgentOutcome>;
  private readonly monitor: RestartMonitor;
  private readonly reporter: ScheduleReporter | undefined;
  private readonly gate: CatchUpGate;
  private stopReporting: (() => void) | undefined;
  private stopAskingGit: (() => void) | undefined;
  private shuttingDown = false;
  private endGrace: () => void = () => {};
  private beacon: BridgeBeacon;

  constructor(private readonly deps: BridgeDeps) {
    this.queue = new JobQueue<AgentOutcome>({
      store: new JobStore(deps.paths.jobsDir),
      execute: (job) => this.execute(job),
      deliver: (job, outcome) => this.deliver(job, outcome),
      log: deps.log,
    });
    this.monitor = new RestartMonitor({
      flagWrittenAtMs: () => flagWrittenAtMs(deps.paths.restartFlag),
      clearFlag: () => removeFlag(deps.paths.restartFlag),
      queue: this.queue,
      selfTest: deps.selfTest,
      refuseRestart: (failure) => this.refuseRestart(failure),
      requestRestart: () => {
        if (!deps.settings.telegram) {
          deps.log('restarting on the updated code: under launchd or systemd the bridge comes back at once; in console mode, start it again (npm start -- --console)');
        }
        deps.kill(deps.pid, 'SIGTERM');
      },
      clock: deps.clock,
      pollMs: deps.pollMs ?? RESTART_POLL_MS,
      watchFlag: (changed) => watchFile(deps.paths.restartFlag, changed),
      log: deps.log,
    });
    this.gate = this.createGate();
    this.beacon = {
      pid: deps.pid,
      commit: '',
      subject: '',
      machine: deps.settings.machineName,
      startedAt: new Date(deps.processStartedAtMs).toISOString(),
      readyAt: null,
      stoppedAt: null,
      exitCode: null,
    };
    const notifyChatId = deps.settings.notifyChatId;
    if (notifyChatId !== undefined) {
      this.reporter = new ScheduleReporter({
        recordPath: deps.paths.lastUpdate,
        statePath: deps.paths.updateNotices,
        chatId: notifyChatId,
        machineName: deps.settings.machineName,
        send: (chatId, text) => deps.transport.send({ chatId }, text),
        describeHead: deps.describeHead,
        log: deps.log,
      });
    }
  }

  /** Every message's way in: the catch-up gate, then /update or the queue. */
  private createGate(): CatchUpGate {
    const { deps } = this;
    const handleUpdate = createUpdateHandler({
      transport: deps.transport,
      runUpdate: deps.runUpdate,
      runHold: deps.runHold,
      currentHold: () => readHold(deps.paths.hold, Date.now()),
      lastOutcome: () => readLastUpdate(deps.paths.lastUpdate)?.outcome,
      machineName: deps.settings.machineName,
      updateUsers: deps.settings.updateUsers,
      secrets: deps.settings.secrets,
      statusLine: async () => {
        await this.askGitAgain();
        return currentStatusLine({
          machine: deps.settings.machineName,
          loaded: deps.loaded,
          startedAtMs: deps.processStartedAtMs,
          lastUpdatePath: deps.paths.lastUpdate,
          restartFlagPath: deps.paths.restartFlag,
          holdPath: deps.paths.hold,
          readCheckout: deps.readCheckout,
          runningJobs: () => this.queue.runningCount(),
        });
      },
      runningJobs: () => this.queue.runningCount(),
      track: (work) => this.queue.track(work),
      restartQueued: () => flagExists(deps.paths.restartFlag),
      recordRestartNotice: (notice) => writeNotice(deps.paths.restartNotice, notice),
      log: deps.log,
    });
    const onMessage = createMessageHandler({
      chats: deps.settings.chats,
      isShuttingDown: () => this.shuttingDown,
      ownUsername: () => deps.transport.ownUsername(),
      handleUpdate,
      enqueue: (job) => this.queue.enqueue(job),
      agentConfigured: deps.runAgent !== undefined,
      taken: (message) => deps.marks.advance(message.chatId, message.messageId),
      log: deps.log,
    });

    const unreadable = new Set<string>();
    return new CatchUpGate({
      handle: onMessage,
      mark: (chatId) => deps.marks.get(chatId),
      catchUp: (handle) =>
        catchUp({
          chats: deps.settings.chats,
          transport: deps.transport,
          marks: deps.marks,
          limits: deps.settings.catchUp,
          unreadable,
          handle,
          isShuttingDown: () => this.shuttingDown,
          nowSeconds: () => Math.floor(Date.now() / 1000),
          log: deps.log,
        }),
      log: deps.log,
    });
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  async start(): Promise<void> {
    const { deps, gate } = this;
    this.updateBeacon({});
    this.sayGitCannotRun();
    const flag = clearStaleFlag(deps.paths.restartFlag, deps.processStartedAtMs);
    if (flag === 'removed') deps.log('removed the restart flag left from before this start');
    if (flag === 'kept') deps.log('restart flag written since start-up: restarting once idle');
    await deps.transport.start(gate.live);
    deps.transport.onReconnect?.(() => void gate.round());
    await this.announceRestart();
    const recovered = await this.queue.recover();
    if (recovered > 0) deps.log(`resuming ${recovered} job(s) left by the previous run`);
    await gate.start();
    this.monitor.start();
    this.startReporting();
    await this.askGitAgain();
    if (!deps.loaded.commit && !this.shuttingDown) this.stopAskingGit = deps.clock.every(LOADED_RETRY_MS, () => void this.askGitAgain());
    // The beacon first: whoever reads the log's "ready:" finds it ready there too.
    this.updateBeacon({ readyAt: new Date().toISOString() });
    deps.log(`ready: ${deps.transport.describe()}; ${deps.settings.chats.size} chat(s) monitored on ${deps.settings.machineName}`);
  }

  /**
   * A git that cannot run does not stop the bridge: it serves its chats with
   * the commit unknown, and says so here, in its beacon and in /update status.
   */
  private sayGitCannotRun(): void {
    const { loaded } = this.deps;
    if (loaded.commit) return;
    this.deps.log(`running ${describeLoaded(loaded)}; ${gitCannotRun(loaded.gitFault ?? '')}; asked again every ${LOADED_RETRY_MS / 1000} s`);
  }

  /** While the commit is unknown: git asked again, and once it answers, the beacon says what runs. */
  private async askGitAgain(): Promise<void> {
    const { loaded } = this.deps;
    if (loaded.commit) return;
    await loaded.refresh();
    if (!loaded.commit) return;
    this.stopAskingGit?.();
    this.deps.log(`git answers again: running ${describeLoaded(loaded)}`);
    this.updateBeacon({});
  }

  /** data/bridge.json: a reader outside the process (status, the update job) learns what runs. */
  private updateBeacon(change: Partial<BridgeBeacon>): void {
    const { commit, gitFault } = this.deps.loaded;
    const what = commit ? { commit: commit.sha, subject: commit.subject, gitFault: undefined } : { commit: '', subject: '', gitFault };
    this.beacon = { ...this.beacon, ...what, ...change };
    try {
      writeBeacon(this.deps.paths.bridgeBeacon, this.beacon);
    } catch (error) {
      this.deps.log(`could not write ${this.deps.paths.bridgeBeacon}: ${String(error)}`);
    }
  }

  /** The process ends with this code; also for a start that failed. */
  recordExit(exitCode: number): void {
    this.updateBeacon({ stoppedAt: new Date().toISOString(), exitCode });
  }

  /**
   * The updated checkout fails its self-test: this process goes on. Said
   * once, where the update was asked for (the /update's reply, or the notify
   * chat for a scheduled run), and kept in data/last-update.
   */
  private async refuseRestart(failure: SelfTestFailure): Promise<void> {
    const { deps } = this;
    const line = refusedStage((await deps.readCheckout()).head?.short ?? 'unknown', failure, describeLoaded(deps.loaded));
    deps.log(line);
    await addLastUpdateFields(deps.paths, { restart: line });
    const notice = await takeNotice(deps.paths.restartNotice);
    if (notice) await tellRestartStage(this.stageDeps(), notice, line);
    else if (deps.settings.notifyChatId !== undefined) await deps.transport.send({ chatId: deps.settings.notifyChatId }, `${deps.settings.machineName}: ${line}`);
  }

  private stageDeps() {
    return { transport: this.deps.transport, machineName: this.deps.settings.machineName, log: this.deps.log };
  }

  private async announceRestart(): Promise<void> {
    const notice = await takeNotice(this.deps.paths.restartNotice);
    if (!notice) return;
    try {
      const askedAtMs = notice.askedAt === undefined ? NaN : Date.parse(notice.askedAt);
      const took = Number.isNaN(askedAtMs) ? undefined : Date.now() - askedAtMs;
      await tellRestartStage(this.stageDeps(), notice, restartedStage(describeLoaded(this.deps.loaded), took));
    } catch (error) {
      this.deps.log(`could not announce the restart: ${String(error)}`);
    }
  }

  private startReporting(): void {
    const reporter = this.reporter;
    if (!reporter) return;
    const check = (phase: 'startup' | 'running') =>
      reporter.check(phase).catch((error: unknown) => this.deps.log(`could not read the update record: ${String(error)}`));
    void check('startup').then(() => {
      if (!this.shuttingDown) this.stopReporting = this.deps.clock.every(RECORD_POLL_MS, () => void check('running'));
    });
  }

  private execute(job: Job): Promise<AgentOutcome> {
    if (!this.deps.runAgent) throw new Error('VALOR_AGENT_CMD is not set');
    return this.deps.runAgent(job);
  }

  private async deliver(job: Job, outcome: AgentOutcome): Promise<void> {
    const { deps } = this;
    if (!outcome.ok) {
      deps.log(`agent for job ${job.id} failed (${outcome.status}): ${outcome.stderr.trim().slice(-500)}`);
      await deps.transport.send(replyTarget(job), agentFailureReply(deps.settings.machineName, outcome, deps.settings.secrets));
      return;
    }
    if (!outcome.reply) {
      deps.log(`agent for job ${job.id} gave no answer: nothing sent`);
      return;
    }
    await deps.transport.send(replyTarget(job), outcome.reply);
  }

  /**
   * Stop intake, let running work finish within the grace, requeue the rest,
   * exit. A second Ctrl-C ends the grace at once.
   */
  async shutdown(reason: ShutdownReason): Promise<void> {
    if (this.shuttingDown) {
      if (reason === 'SIGINT') this.endGrace();
      return;
    }
    this.shuttingDown = true;
    const { deps } = this;
    const graceMs = deps.shutdownGraceMs ?? SHUTDOWN_GRACE_MS;
    deps.log(`shutting down (${reason})`);
    this.monitor.stop();
    this.stopReporting?.();
    this.stopAskingGit?.();
    if (this.queue.isBusy()) {
      const running = this.queue.runningCount();
      const what = running > 0 ? `${running} running job(s)` : 'the /update in progress';
      const again = reason === 'SIGINT' ? '; Ctrl-C again to stop now' : '';
      deps.log(`waiting up to ${Math.round(graceMs / 1000)} s for ${what}${again}`);
    }
    const graceEnded = new Promise<void>((resolve) => (this.endGrace = resolve));
    const interrupted = await this.queue.stop(Promise.race([deps.sleep(graceMs), graceEnded]), deps.endProcessGroups);
    if (interrupted.length > 0) deps.log(`${interrupted.length} running job(s) put back in the queue`);
    try {
      await deps.transport.stop();
    } catch (error) {
      deps.log(`disconnect failed: ${String(error)}`);
    }
    this.recordExit(EXIT_CODES[reason]);
    deps.exit(EXIT_CODES[reason]);
  }

  /** Console mode, once input has ended: when every job is answered, stop. */
  async finishWhenIdle(): Promise<void> {
    await this.queue.onIdle();
    await this.shutdown('END_OF_INPUT');
  }
}
