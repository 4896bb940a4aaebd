// Development helper: prints a token from a running bench (started by `npm run bench:up`, which
// prints the MOA_BENCH_INFO export line). Uses the real authorization-code + PKCE flow, or client
// credentials for `daemon`. Prints a secret of the local bench only; never use it in tests' output.
//   node test/bench/mint.ts [--user alice@example.test] [--client native-app] [--scope "openid imap"] [--json]
import { parseArgs } from 'node:util';
import { mintToken } from './client.ts';

const { values } = parseArgs({
  options: {
    user: { type: 'string', default: 'alice@example.test' },
    client: { type: 'string', default: 'native-app' },
    scope: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const tokens = await mintToken({
  user: values.user,
  client: values.client,
  ...(values.scope !== undefined ? { scope: values.scope } : {}),
});
console.log(values.json ? JSON.stringify(tokens, null, 2) : tokens.access_token);
