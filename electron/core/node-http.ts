// node:http and node:https through require, not import. Importing them from an ES module builds
// their ESM facade, which reads every export, and their lazy `WebSocket`, `fetch`... getters then
// load Node's whole undici: ~25 ms of blocked event loop, before the first request is even sent
// (issue 10: `mail-oauth token` with a refresh). Required, they load what they use; undici comes
// when a fetch global is first touched (for the CLI's refresh: openid-client's request headers,
// after the early connection to the token endpoint is on its way).
import { createRequire } from 'node:module';
import type * as Http from 'node:http';
import type * as Https from 'node:https';

const requireBuiltin = createRequire(import.meta.url);

export const nodeHttp = requireBuiltin('node:http') as typeof Http;
export const nodeHttps = requireBuiltin('node:https') as typeof Https;
