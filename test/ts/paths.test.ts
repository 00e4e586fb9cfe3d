import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkoutRoot, projectPaths } from '../../src/config/paths.js';

describe('project paths', () => {
  it('finds this checkout and the update script in it', () => {
    const paths = projectPaths(checkoutRoot());
    expect(fs.existsSync(path.join(paths.root, 'package.json'))).toBe(true);
    expect(fs.existsSync(paths.updateScript)).toBe(true);
  });

  it('puts the restart flag where remote-update.sh writes it', () => {
    const script = fs.readFileSync(projectPaths(checkoutRoot()).updateScript, 'utf8');
    expect(script).toContain('RESTART_FLAG="$DATA_DIR/restart-requested"');
    expect(projectPaths('/srv/valor').restartFlag).toBe('/srv/valor/data/restart-requested');
  });
});
