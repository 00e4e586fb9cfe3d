import path from 'node:path';

/**
 * Folders macOS keeps launchd agents out of until the user allows it
 * (System Settings › Privacy & Security): the Desktop, Documents and
 * Downloads folders, iCloud Drive and the other cloud storage folders, and
 * every volume under /Volumes (removable and network ones). A Mac's disk is
 * case-insensitive, so `~/documents` is Documents: compared in lower case.
 */
const IN_HOME = [
  { under: 'Desktop', says: '~/Desktop' },
  { under: 'Documents', says: '~/Documents' },
  { under: 'Downloads', says: '~/Downloads' },
  { under: 'Library/Mobile Documents', says: 'iCloud Drive (~/Library/Mobile Documents)' },
  { under: 'Library/CloudStorage', says: 'a cloud storage folder (~/Library/CloudStorage)' },
];

/** `folder` is `top` or below it, whatever the case of either. */
function isWithin(folder: string, top: string): boolean {
  const relative = path.relative(top.normalize('NFC').toLowerCase(), folder.normalize('NFC').toLowerCase());
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** How the guarded folder holding `root` reads in a warning; undefined when it is in none. */
export function guardedFolder(home: string, root: string): string | undefined {
  for (const { under, says } of IN_HOME) if (isWithin(root, path.join(home, under))) return says;
  if (isWithin(root, '/Volumes')) {
    const volume = root.split(path.sep)[2] ?? '';
    return `a removable or network volume (/Volumes/${volume})`;
  }
  return undefined;
}

/** install's warning for a checkout in a guarded folder. */
export function guardedFolderWarning(where: string): string {
  return `WARN: this checkout is in ${where}, which macOS protects: the agents cannot read it until you allow it (System Settings › Privacy & Security). A checkout elsewhere, e.g. ~/src, needs no approval.`;
}
