// Storage for oidc-provider. Its built-in development adapter is an LRU capped at 1000 entries:
// a long test run minting tokens would silently evict live tokens and grants (random
// "invalid_grant" / inactive tokens). This one is an unbounded Map with expiry, for one bench run.
type Payload = Record<string, unknown> & { grantId?: string; userCode?: string; uid?: string; consumed?: number };
type Entry = { payload: Payload; expiresAt: number };

/** A fresh adapter class with its own storage (one per provider instance). */
export function makeBenchAdapter(): new (model: string) => object {
  const store = new Map<string, Entry>();
  const grants = new Map<string, Set<string>>();
  const byUserCode = new Map<string, string>();
  const byUid = new Map<string, string>();

  function live(key: string): Payload | undefined {
    const e = store.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return e.payload;
  }

  return class BenchAdapter {
    readonly model: string;

    constructor(model: string) {
      this.model = model;
    }

    #key(id: string): string {
      return `${this.model}:${id}`;
    }

    async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
      const key = this.#key(id);
      store.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
      if (payload.grantId) {
        let set = grants.get(payload.grantId);
        if (!set) grants.set(payload.grantId, (set = new Set()));
        set.add(key);
      }
      if (payload.userCode) byUserCode.set(payload.userCode, id);
      if (payload.uid) byUid.set(payload.uid, id);
    }

    async find(id: string): Promise<Payload | undefined> {
      return live(this.#key(id));
    }

    async findByUserCode(userCode: string): Promise<Payload | undefined> {
      const id = byUserCode.get(userCode);
      return id === undefined ? undefined : this.find(id);
    }

    async findByUid(uid: string): Promise<Payload | undefined> {
      const id = byUid.get(uid);
      return id === undefined ? undefined : this.find(id);
    }

    async consume(id: string): Promise<void> {
      const p = live(this.#key(id));
      if (p) p.consumed = Math.floor(Date.now() / 1000);
    }

    async destroy(id: string): Promise<void> {
      store.delete(this.#key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      for (const key of grants.get(grantId) ?? []) store.delete(key);
      grants.delete(grantId);
    }
  };
}
