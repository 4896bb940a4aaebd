// The speed benchmark's network: a loopback TCP relay that delays every chunk by `delay` ms in
// both directions (order kept: equal delays fire in order), the end of a stream likewise, and a
// new connection by one RTT (the TCP handshake to the relay itself is a loopback one), so a
// connection costs what it costs on a real network. Counts connections, so a figure can say
// whether a connection was reused.
import net from 'node:net';

export type LatencyProxy = {
  port: number;
  connections(): number;
  /** Round trips the clients waited for, counted from the traffic (no clock): one per new
   * connection (TCP handshake) and one per client flight that follows an answer of the server
   * (or opens the exchange). Tells round trips from CPU time on a busy machine. */
  roundTrips(): number;
  /** Change the delay for what is sent from now on (0: the local cost alone, for comparison). */
  setDelay(ms: number): void;
  close(): Promise<void>;
};

export function latencyProxy(target: { host: string; port: number }, initialDelay: number): Promise<LatencyProxy> {
  let delay = initialDelay;
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  let flights = 0;
  const pipeDelayed = (from: net.Socket, to: net.Socket): void => {
    from.on('data', (chunk: Buffer) => {
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, delay);
    });
    from.on('end', () => setTimeout(() => to.end(), delay));
    from.on('error', () => setTimeout(() => to.destroy(), delay));
    // end (not destroy) so that data still queued for `to` is flushed first
    from.on('close', () => setTimeout(() => to.end(), delay));
  };
  const server = net.createServer((client) => {
    accepted += 1;
    let serverSpokeLast = true;
    client.on('data', () => {
      if (serverSpokeLast) flights += 1;
      serverSpokeLast = false;
    });
    client.setNoDelay(true);
    const upstream = net.connect(target);
    upstream.setNoDelay(true);
    sockets.add(client).add(upstream);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
    client.pause();
    setTimeout(() => client.resume(), 2 * delay);
    pipeDelayed(client, upstream);
    pipeDelayed(upstream, client);
    upstream.on('data', () => {
      serverSpokeLast = true;
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({
        port,
        connections: () => accepted,
        roundTrips: () => accepted + flights,
        setDelay: (ms) => {
          delay = ms;
        },
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    });
  });
}
