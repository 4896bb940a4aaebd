// The CLI bundle's stand-in for the `socks` package (cli.vite.config.ts aliases it to this file).
// imapflow imports it for SOCKS proxies, which the connection test never uses (it hands imapflow
// a socket it connected itself), and evaluating socks with its ip-address dependency cost every
// `mail-oauth test` start 20-40 ms of CPU (issue 10). A proxy asked for anyway fails clearly.
export const SocksClient = {
  createConnection: (): Promise<never> => Promise.reject(new Error('SOCKS proxies are not supported by the mail-oauth command')),
};
