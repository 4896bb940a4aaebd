// What "stored" means for a secret typed into the wizard, said before it is stored: the hint must
// not promise OS encryption on a machine without a keyring (app:info's secretStorage tells).

export function storageHint(storage: { available: boolean; persisted: boolean } | null): string {
  if (!storage) return 'Stored in the app’s secret store; never shown again.';
  if (storage.available) return 'Stored encrypted by the operating system; never shown again.';
  if (storage.persisted) return 'No OS keyring: stored on disk without OS encryption, as you chose; never shown again.';
  return 'No OS keyring here: kept in memory only, until the app closes; never shown again.';
}
