// Codes of the master key that encrypts the secrets (electron/store/master-key.ts) and of moving
// old stores into the shared one (electron/store/migrate.ts). None of these ever leads to a new
// key over old secrets: the fix is always the user's (unlock, restore, or an explicit reset).
import type { Diagnosis } from './types.ts';

export const keyringDiagnoses = {
  KEYRING_LOCKED: {
    title: 'The keyring is locked',
    explanation:
      'The encryption key of your saved sign-ins is in the system keyring, which is locked right now. Nothing was changed; your sign-ins are safe.',
    fix: [
      'Unlock the keyring (log in to the desktop session, or open “Passwords and Keys” / KWallet and unlock it), then try again.',
      'On a server without a desktop: `echo -n <password> | gnome-keyring-daemon --unlock --replace --components=secrets` in the session.',
    ],
    action: 'retry',
    temporary: true,
  },
  KEYRING_UNAVAILABLE: {
    title: 'The keyring service is not running',
    explanation:
      'The saved sign-ins are encrypted with a key kept by the system keyring (Secret Service, Keychain or Credential Manager), which could not be reached. Nothing was changed.',
    fix: [
      'Linux: start your desktop session’s keyring (GNOME Keyring or KWallet) and make sure DBUS_SESSION_BUS_ADDRESS is set in this shell, then try again.',
      'macOS / Windows: log in to the user account interactively once, then try again.',
    ],
    action: 'retry',
    temporary: true,
  },
  KEYRING_ACCESS_DENIED: {
    title: 'Access to the keyring was refused',
    explanation: 'The system keyring refused to give out the encryption key of your saved sign-ins. Nothing was changed.',
    fix: [
      'Allow Mail OAuth Assistant (or the terminal running `mail-oauth`) when the keyring asks, or in the keychain item’s access settings.',
      'Then try again.',
    ],
    action: 'retry',
  },
  KEYRING_KEY_MISSING: {
    title: 'The encryption key is gone from the keyring',
    explanation:
      'Saved sign-ins exist, but the keyring no longer holds the key they were encrypted with (it was deleted, or the keyring was reset). A new key would make them unreadable for good, so nothing was changed.',
    fix: [
      'Restore the keyring entry of service “Mail OAuth Assistant” named after the data directory (for example from a keyring backup), then try again.',
      'Or start over: `mail-oauth reset-key` moves the old secrets aside and makes a new key; then sign in again with `mail-oauth authorize <account>`.',
    ],
    action: 'none',
  },
  KEYRING_KEY_MISMATCH: {
    title: 'The keyring holds a different encryption key',
    explanation:
      'The key in the keyring is not the one your saved sign-ins were encrypted with (the entry was replaced). Nothing was changed.',
    fix: [
      'Restore the original keyring entry of service “Mail OAuth Assistant” named after the data directory, then try again.',
      'Or start over: `mail-oauth reset-key` moves the old secrets aside and makes a new key; then sign in again.',
    ],
    action: 'none',
  },
  KEY_FILE_UNREADABLE: {
    title: 'A key file of the store cannot be read',
    explanation:
      'The file that names or holds the encryption key of your saved sign-ins cannot be read (permissions) or is damaged. Nothing was changed and no new key was made.',
    fix: [
      'Check the file named in the details: it must belong to you and be readable (chmod 600).',
      'If it is damaged beyond repair: `mail-oauth reset-key` moves the old secrets aside and starts over (you sign in again).',
    ],
    action: 'none',
  },
  STORE_MIGRATION_FAILED: {
    title: 'Your old accounts could not be moved to the shared store',
    explanation:
      'Accounts from an earlier version (the desktop app’s own store or the command line’s) could not be carried over. The old files were left exactly as they were.',
    fix: [
      'Fix the cause named in the details (unlock the keyring, file permissions), then start the app or run `mail-oauth accounts` again: the move is retried.',
      'Or add the accounts again; the old files stay where they are until you delete them.',
    ],
    action: 'none',
  },
} as const satisfies Record<string, Diagnosis>;
