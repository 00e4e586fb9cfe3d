import { describe, expect, it } from 'vitest';
import { guardedFolder } from '../../src/service/launchd/guarded-folders.js';

const HOME = '/Users/José';

describe('folders macOS keeps launchd agents out of', () => {
  it.each([
    ['/Users/José/Desktop/valor', '~/Desktop'],
    ['/Users/José/Documents/valor', '~/Documents'],
    ['/Users/José/Downloads/valor-main', '~/Downloads'],
    ['/Users/José/documents/valor', '~/Documents'],
    ['/users/josé/DESKTOP/valor', '~/Desktop'],
    ['/Users/José/Documents', '~/Documents'],
    ['/Users/José/Library/Mobile Documents/com~apple~CloudDocs/valor', 'iCloud Drive (~/Library/Mobile Documents)'],
    ['/Users/José/library/mobile documents/com~apple~CloudDocs/valor', 'iCloud Drive (~/Library/Mobile Documents)'],
    ['/Users/José/Library/CloudStorage/Dropbox/valor', 'a cloud storage folder (~/Library/CloudStorage)'],
    ['/Volumes/USB Stick/valor', 'a removable or network volume (/Volumes/USB Stick)'],
    ['/volumes/share/src/valor', 'a removable or network volume (/Volumes/share)'],
  ])('%s: %s', (root, where) => {
    expect(guardedFolder(HOME, root)).toBe(where);
  });

  it.each([
    '/Users/José/valor',
    '/Users/José/src/Documents/valor',
    '/Users/José/Desktop-old/valor',
    '/Users/José/Library/Application Support/valor',
    '/Users/Joséfina/Documents/valor',
    '/opt/valor',
    '/VolumesX/valor',
  ])('%s: none', (root) => {
    expect(guardedFolder(HOME, root)).toBeUndefined();
  });

  it('a name in decomposed form (as HFS+ stores it) is the same folder', () => {
    expect(guardedFolder('/Users/Jose\u0301', '/Users/José/Documents/valor')).toBe('~/Documents');
  });
});
