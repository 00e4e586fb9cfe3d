import { afterEach, describe, expect, it } from 'vitest';
import { describeCommit, readCheckout, readHead, requireHead, shortSha } from '../../src/git/checkout.js';
import { createProjectClone, git, type ProjectClone } from './fixtures/project-clone.js';

let clone: ProjectClone | undefined;
afterEach(() => clone?.cleanup());

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
});
