// The one data directory per OS, and where the old stores were (what the migration looks for).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { defaultDataDir, legacyDirs, nodeDataDir } from '../../electron/core/data-dir.ts';

test('one data dir per OS; MAIL_OAUTH_DATA_DIR wins', () => {
  const home = join('/', 'home', 'u');
  assert.equal(defaultDataDir({ env: {}, platform: 'linux', home }), join(home, '.config', 'mail-oauth-assistant'));
  assert.equal(defaultDataDir({ env: { XDG_CONFIG_HOME: '/x' }, platform: 'linux', home }), join('/x', 'mail-oauth-assistant'));
  assert.equal(defaultDataDir({ env: {}, platform: 'darwin', home }), join(home, 'Library', 'Application Support', 'mail-oauth-assistant'));
  assert.equal(defaultDataDir({ env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, platform: 'win32', home }), join('C:\\Users\\u\\AppData\\Roaming', 'mail-oauth-assistant'));
  assert.equal(nodeDataDir({ MAIL_OAUTH_DATA_DIR: '/d' }, 'linux'), '/d');
  assert.deepEqual(legacyDirs({ env: {}, platform: 'linux', home }), {
    cli: join(home, '.config', 'mail-oauth-assistant', 'cli'),
    app: join(home, '.config', 'Mail OAuth Assistant'),
  });
});
