// The health of every saved account without touching the network (what the dashboard banner shows):
// the rules over the account records, their token state and what the checks remembered.
import type { AccountHealth } from '../../shared/health.ts';
import { providerById } from '../../shared/providers.ts';
import type { AuthService } from '../auth/auth-service.ts';
import type { Clock } from '../core/ports.ts';
import type { AccountStore } from '../store/account-store.ts';
import { healthFacts, type RefreshRecord } from './facts.ts';
import { readHealthFile } from './health-file.ts';
import { evaluateHealth } from './rules.ts';

export async function healthOfAccounts(s: { accounts: AccountStore; auth: AuthService; clock: Clock; dataDir?: string }): Promise<AccountHealth[]> {
  // health.json is optional: without a data dir (or before any check) the rules use what the
  // account records and the token state say.
  const records: Record<string, RefreshRecord> = s.dataDir !== undefined ? (await readHealthFile(s.dataDir)).refresh : {};
  const out: AccountHealth[] = [];
  for (const a of s.accounts.list()) {
    const state = await s.auth.tokenState(a.id);
    const token = state.ok ? state.value : { state: 'none' as const, hasRefreshToken: false };
    out.push(evaluateHealth(healthFacts(a, token, records[a.id]), providerById(a.providerId), s.clock.now()));
  }
  return out;
}
