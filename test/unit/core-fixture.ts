// A core over temporary directories for unit tests: the real stores and handlers, with an
// ephemeral AES-GCM SecretBox (a legitimate SecretBox implementation with a random in-process
// key, standing in for the OS keyring that test machines do not have).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type Core } from '../../electron/core/compose.ts';
import type { BrowserOpener, SecretBox } from '../../electron/core/ports.ts';
import { noEncryptionBox } from '../../electron/core/memory-secret-box.ts';

export function testCore(options: { browser?: BrowserOpener; secretBox?: SecretBox; ca?: string; dataDir?: string } = {}): Core & { dataDir: string } {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'moa-core-'));
  const core = createCore({
    shell: 'web-host',
    version: '1.2.3',
    platform: 'linux',
    dataDir,
    secretBox: options.secretBox ?? noEncryptionBox,
    browser: options.browser ?? { open: async () => {} },
    ...(options.ca ? { ca: options.ca } : {}),
    // No background work under the handlers' unit tests (the schedule has its own tests).
    schedule: false,
  });
  return { ...core, dataDir };
}
