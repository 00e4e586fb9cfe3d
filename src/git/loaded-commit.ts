import { gitFault, readHead, readHeadAt, requireHead, unknownCommit, type Commit } from './checkout.js';

/**
 * The commit a long-running process (the bridge) loaded, asked of git at its
 * start. A git that cannot run then (after a macOS upgrade, until
 * `xcode-select --install`) does not stop the process: the commit is unknown,
 * with git's own words, and asked again at each refresh() until git answers,
 * as HEAD was at the start (readHeadAt), not a commit checked out since.
 */
export interface LoadedCommit {
  readonly commit: Commit | undefined;
  /** Git's own first line while the commit is unknown. */
  readonly gitFault: string | undefined;
  /** Asks git again while the commit is unknown; nothing once it is known. */
  refresh(): Promise<void>;
}

export function knownCommit(commit: Commit): LoadedCommit {
  return { commit, gitFault: undefined, refresh: async () => {} };
}

/** "1a2b3c4", or "commit unknown (git: …)". */
export function describeLoaded(loaded: LoadedCommit): string {
  return loaded.commit ? loaded.commit.short : unknownCommit(loaded.gitFault ?? 'no answer');
}

class AskedAgain implements LoadedCommit {
  commit: Commit | undefined;

  constructor(
    private readonly root: string,
    private readonly startedAtMs: number,
    public gitFault: string | undefined,
  ) {}

  async refresh(): Promise<void> {
    if (this.commit) return;
    this.commit = await readHeadAt(this.root, this.startedAtMs);
    this.gitFault = this.commit ? undefined : ((await gitFault()) ?? this.gitFault);
  }
}

/** A folder with no commit still fails, as before: only a git that cannot run is lived with. */
export async function readLoadedCommit(root: string, startedAtMs: number): Promise<LoadedCommit> {
  const head = await readHead(root);
  if (head) return knownCommit(head);
  const fault = await gitFault();
  if (fault === undefined) return knownCommit(await requireHead(root));
  return new AskedAgain(root, startedAtMs, fault);
}
