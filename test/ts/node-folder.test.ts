import { describe, expect, it } from 'vitest';
import { missingNode, versionedFolder, versionedNodeWarning } from '../../src/service/node-folder.js';

describe('version-specific node folders', () => {
  it.each([
    ['/Users/me/.nvm/versions/node/v20.12.0/bin', 'nvm', 'v20.12.0'],
    ['/Users/me/.local/share/fnm/node-versions/v22.1.0/installation/bin', 'fnm', 'v22.1.0'],
    ['/Users/me/.asdf/installs/nodejs/20.12.0/bin', 'asdf', '20.12.0'],
    ['/Users/me/.volta/tools/image/node/20.12.0/bin', 'volta', '20.12.0'],
  ])('%s is %s\'s folder for %s', (dir, manager, version) => {
    expect(versionedFolder(dir)).toMatchObject({ manager, version });
  });

  it.each(['/opt/homebrew/bin', '/usr/local/bin', '/Users/me/.volta/bin', '/Users/me/.asdf/shims'])('%s (a link or shim that outlives upgrades) is not', (dir) => {
    expect(versionedFolder(dir)).toBeUndefined();
    expect(versionedNodeWarning(`${dir}/node`, 'agents')).toBeUndefined();
  });

  it('status: a PATH whose version folder is gone, or with no node at all', () => {
    const nvm = '/Users/me/.nvm/versions/node/v20.12.0/bin';
    const exists = (file: string) => file === '/usr/bin' || file === '/usr/bin/node';
    expect(missingNode(`${nvm}:/usr/bin`, 'agents', exists)).toBe(
      `the agents' node folder ${nvm} no longer exists (nvm's v20.12.0 was removed): run scripts/valor-service.sh install again`,
    );
    expect(missingNode('/usr/bin', 'agents', exists)).toBeUndefined();
    expect(missingNode('/bin', 'agents', exists)).toBe("the agents' PATH (/bin) holds no node: run scripts/valor-service.sh install again");
  });
});
