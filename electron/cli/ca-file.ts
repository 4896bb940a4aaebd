// Reading a --ca-file: its own module (node:fs and node:crypto only) so that a command can check
// the flag before loading the core: `test --account` starts its connections first (issue 10).
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { UsageError } from './command.ts';

/**
 * A CA file's certificates, or a usage error: a file that is not PEM certificates (a key, DER,
 * an empty file, a typo'd path) would otherwise be accepted and fail much later as "untrusted".
 */
export function readCaFile(flag: string, path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new UsageError(`--${flag}: cannot read ${path}${typeof code === 'string' ? ` (${code})` : ''}`);
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new UsageError(`--${flag}: ${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  for (const [i, pem] of blocks.entries()) {
    try {
      new X509Certificate(pem);
    } catch {
      throw new UsageError(`--${flag}: certificate ${i + 1} in ${path} is not a valid X.509 certificate`);
    }
  }
  const joined = `${blocks.join('\n')}\n`;
  if (joined.length > 65536) throw new UsageError(`--${flag}: ${path} is too large (at most 64 KiB of certificates)`);
  return joined;
}
