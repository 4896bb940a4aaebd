// Codes of the app itself: input validation, IPC, cancellation, unexpected failures.
import type { Diagnosis } from './types.ts';

export const generalDiagnoses = {
  VALIDATION_FAILED: {
    title: 'The request was not valid',
    explanation: 'Some input did not have the expected form, so nothing was done.',
    fix: ['Check the highlighted fields and try again.'],
    action: 'none',
  },
  UNKNOWN_CHANNEL: {
    title: 'Unknown request',
    explanation: 'The window asked the app for something it does not offer. This is a bug, not your doing.',
    fix: ['Restart the app. If it happens again, export a diagnostic report and file an issue.'],
    action: 'none',
  },
  FORBIDDEN_SENDER: {
    title: 'Request from an untrusted page refused',
    explanation: 'Only the app’s own window may talk to the app.',
    fix: ['Restart the app.'],
    action: 'none',
  },
  NOT_FOUND: {
    title: 'Not found',
    explanation: 'The item asked for does not exist (it may have been removed).',
    fix: ['Reload the list and try again.'],
    action: 'none',
  },
  CANCELLED: {
    title: 'Cancelled',
    explanation: 'The operation was cancelled before it finished. Nothing was changed.',
    fix: ['Start it again when you are ready.'],
    action: 'retry',
  },
  TIMEOUT: {
    title: 'It took too long',
    explanation: 'The operation did not finish within its time limit.',
    fix: ['Check your network connection and try again.'],
    action: 'retry',
    temporary: true,
  },
  SETTINGS_CORRUPT: {
    title: 'The settings file was damaged',
    explanation:
      'The saved settings could not be read. The damaged file was kept beside the new one so nothing is lost; the app started with empty settings.',
    fix: ['Re-add your accounts, or restore the backup file named in the details.'],
    action: 'none',
  },
  ACCOUNT_CHANGED_ELSEWHERE: {
    title: 'This account was changed elsewhere',
    explanation:
      'Since this window loaded the account, it was changed by another program (the command line, another window of the app). Saving here would have overwritten that change, so nothing was saved.',
    fix: ['Load the saved version (your unsaved edits here are dropped), or keep your version (it replaces the other change).'],
    action: 'none',
  },
  STORE_UNREADABLE: {
    title: 'A settings or secrets file cannot be read',
    explanation:
      'The operating system reported an error reading a file where the app keeps its settings or encrypted secrets (a disk error, a broken link). Nothing was changed, moved or deleted: your accounts and sign-ins are still in it.',
    fix: [
      'Check the file named in the details and the disk it is on (for example: ls -l <file>; dmesg for disk errors), then try again.',
    ],
    action: 'none',
  },
  STORE_BUSY: {
    title: 'Another process kept the settings locked',
    explanation:
      'Another copy of the app or of the command line held the lock on the settings or on this account’s secrets for too long, so nothing was changed.',
    fix: ['Wait for the other program (a sign-in in progress, another mail-oauth command) to finish, then try again.'],
    action: 'retry',
    temporary: true,
  },
  SECRET_STORAGE_UNAVAILABLE: {
    title: 'No secure storage for secrets on this system',
    explanation:
      'The operating system offers no keyring to encrypt tokens. Tokens are kept in memory only and are lost when the app closes.',
    fix: [
      'Linux: install and unlock a keyring (GNOME Keyring or KWallet), then restart the app.',
      'Or choose “store without OS encryption” explicitly in the account settings.',
    ],
    action: 'none',
  },
  IPC_UNREACHABLE: {
    title: 'The app’s background process did not answer',
    explanation: 'The window could not reach the part of the app that does the work.',
    fix: ['Restart the app.', 'With the web host: check that `npm run dev:web` is still running.'],
    action: 'retry',
  },
  CLIPBOARD_UNAVAILABLE: {
    title: 'No clipboard here',
    explanation: 'This window cannot reach the system clipboard (the development web host has none).',
    // The message says what works for this host (tokens on disk or in memory only).
    fix: [],
    action: 'none',
  },
  // The app's own files (data dir, settings, encrypted secrets): a local problem, never the
  // identity provider's refusal. The path and the system's words are in the details.
  LOCAL_FILE_DENIED: {
    title: 'The app may not read or write its own files',
    explanation: 'The operating system refused access to a file or folder where the app keeps its settings or encrypted secrets (permission denied, or a read-only disk). Nothing was sent to the provider.',
    fix: [
      'Check the owner and permissions of the path in the details: it must belong to you (for example: ls -ld <path>; chown -R $USER <folder>; chmod 700 <folder>).',
      'Running the CLI with sudo once can leave files owned by root: fix their owner, then run it as yourself.',
    ],
    action: 'none',
  },
  LOCAL_FILE_WRONG_TYPE: {
    title: 'A path the app uses is a folder where a file belongs (or the other way round)',
    explanation: 'Where the app keeps its settings or encrypted secrets, something of the wrong kind is in the way, so it cannot be read or written. Nothing was sent to the provider.',
    fix: ['Move aside what is at the path in the details (or choose another data folder, CLI: --data-dir), then try again.'],
    action: 'none',
  },
  CA_NOT_PEM: {
    title: 'That file is not a PEM certificate',
    explanation: 'Only a certificate authority’s certificate in PEM form (text starting with -----BEGIN CERTIFICATE-----) can be trusted. Nothing was saved.',
    fix: [
      'Ask your IT team or the server’s administrator for the CA certificate as a .pem or .crt file.',
      'A binary .cer/.der file converts with: openssl x509 -inform der -in ca.cer -out ca.pem',
    ],
    action: 'none',
  },
  INTERNAL: {
    title: 'Something unexpected went wrong',
    explanation: 'The app hit an error it did not expect. The details below help to fix it.',
    fix: ['Try again. If it persists, export a diagnostic report and file an issue.'],
    action: 'retry',
  },
} as const satisfies Record<string, Diagnosis>;
