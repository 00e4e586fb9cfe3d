import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeCommit, describeHead, gitCannotRun, gitFault, readCheckout, readHead, readHeadAt, requireHead, shortSha } from '../../src/git/checkout.js';
import { describeLoaded, readLoadedCommit } from '../../src/git/loaded-commit.js';
import { brokenGit, XCRUN_ERROR } from './fixtures/broken-git.js';
import { createProjectClone, git, type ProjectClone } from './fixtures/project-clone.js';

let clone: ProjectClone | undefined;
const PATH = process.env.PATH;
afterEach(() => {
  process.env.PATH = PATH;
  clone?.cleanup();
});

describe('the checkout as git tells it', () => {
  it('HEAD, the upstream as of the last fetch, and when that fetch was; nothing is fetched to tell', async () => {
    clone = createProjectClone();
    const sha = git(clone.machine, 'rev-parse', 'HEAD');
    const subject = git(clone.machine, 'log', '-1', '--format=%s');
    const head = { sha, short: sha.slice(0, 7), subject };
    expect(await readCheckout(clone.machine)).toEqual({ head, upstream: { ...head, name: 'origin/main', behind: 0 }, fetchedAtMs: undefined });

    clone.push('notes.txt', 'new', 'Add release notes');
    expect((await readCheckout(clone.machine)).upstream).toMatchObject({ sha, behind: 0 });
    const before = Date.now();
    git(clone.machine, 'fetch', '-q');
    const fetched = await readCheckout(clone.machine);
    expect(fetched).toMatchObject({ head, upstream: { subject: 'Add release notes', behind: 1, sha: git(clone.machine, 'rev-parse', 'origin/main') } });
    expect(fetched.fetchedAtMs).toBeGreaterThanOrEqual(before - 1000);
  });

  it('a branch with no upstream', async () => {
    clone = createProjectClone();
    git(clone.machine, 'checkout', '-q', '-b', 'local');
    expect((await readCheckout(clone.machine)).upstream).toBeUndefined();
  });

  it('a folder that is no checkout: no HEAD, and requireHead says so', async () => {
    clone = createProjectClone();
    const outside = clone.dir;
    expect(await readCheckout(outside)).toEqual({ head: undefined, upstream: undefined, fetchedAtMs: undefined });
    expect(await readHead(outside)).toBeUndefined();
    await expect(requireHead(outside)).rejects.toThrow(`git finds no commit at HEAD in ${outside}`);
  });

  it('cuts a sha as the update script does, and describes a commit in one line', () => {
    expect(shortSha('1a2b3c4d5e6f7a8b')).toBe('1a2b3c4');
    expect(describeCommit({ sha: '1a2b3c4d5e6f', short: '1a2b3c4', subject: 'Ship it' })).toBe('1a2b3c4 — Ship it');
  });

  it('HEAD as it was at a time, from the reflog: not a commit checked out since', async () => {
    clone = createProjectClone();
    const first = git(clone.machine, 'rev-parse', 'HEAD');
    await new Promise((r) => setTimeout(r, 1100));
    const between = Date.now();
    await new Promise((r) => setTimeout(r, 1100));
    clone.push('notes.txt', 'new', 'Add release notes');
    git(clone.machine, 'pull', '-q', '--ff-only');
    expect((await readHeadAt(clone.machine, between))?.sha).toBe(first);
    expect((await readHead(clone.machine))?.sha).not.toBe(first);
  });
});

describe('a git that cannot run (a macOS upgrade removed the Command Line Tools)', () => {
  it("is told apart from a folder with no commit, in git's own first line, with the fix", async () => {
    clone = createProjectClone();
    const broken = brokenGit(clone.dir);
    expect(await gitFault()).toBeUndefined();
    process.env.PATH = `${broken.binDir}:${PATH}`;

    expect(await gitFault()).toBe(XCRUN_ERROR);
    expect(await readCheckout(clone.machine)).toEqual({ head: undefined, upstream: undefined, fetchedAtMs: undefined, gitFault: XCRUN_ERROR });
    expect(await describeHead(clone.machine)).toBe(`commit unknown (git: ${XCRUN_ERROR})`);
    expect(gitCannotRun(XCRUN_ERROR)).toBe('git cannot run: install the Command Line Tools again (a macOS upgrade removes them): xcode-select --install');

    process.env.PATH = path.join(clone.dir, 'no-such-folder');
    expect(await gitFault()).toBe('not found on PATH');
    expect(gitCannotRun('not found on PATH')).toBe('git cannot run: there is no git on PATH; install git');
  });

  it("the bridge's commit: unknown while git cannot run, asked again until it answers, as HEAD was at the start", async () => {
    clone = createProjectClone();
    const broken = brokenGit(clone.dir);
    const startedAt = Date.now();
    const loadedSha = git(clone.machine, 'rev-parse', 'HEAD');
    process.env.PATH = `${broken.binDir}:${PATH}`;

    const loaded = await readLoadedCommit(clone.machine, startedAt);
    expect([loaded.commit, loaded.gitFault, describeLoaded(loaded)]).toEqual([undefined, XCRUN_ERROR, `commit unknown (git: ${XCRUN_ERROR})`]);
    await loaded.refresh();
    expect(loaded.commit).toBeUndefined();

    // A person's own git (another PATH) pulls meanwhile: the bridge still runs what it loaded.
    await new Promise((r) => setTimeout(r, 1100));
    process.env.PATH = PATH;
    clone.push('notes.txt', 'new', 'Add release notes');
    git(clone.machine, 'pull', '-q', '--ff-only');
    process.env.PATH = `${broken.binDir}:${PATH}`;
    broken.fix();
    await loaded.refresh();
    expect([loaded.commit?.sha, loaded.gitFault]).toEqual([loadedSha, undefined]);
  });

  it('a folder with no commit still stops the start, as before', async () => {
    clone = createProjectClone();
    await expect(readLoadedCommit(clone.dir, Date.now())).rejects.toThrow(`git finds no commit at HEAD in ${clone.dir}`);
  });
});
