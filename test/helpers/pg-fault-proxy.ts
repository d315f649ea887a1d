// a TCP proxy in front of PostgreSQL that can lose the reply to the next COMMIT (the server commits, the client sees
// the connection drop) and refuse connections for a while (an outage), for the store tests' fault cases
import { type Server, type Socket, connect, createServer } from 'node:net';

export class PgFaultProxy {
  private readonly _server: Server;
  private readonly _sockets = new Set<Socket>();
  private _loseCommitReply = false;
  private _down = false;
  private _downAfterLoss = false;
  /** COMMIT replies lost so far. */
  lostCommits = 0;

  private constructor(
    server: Server,
    readonly port: number,
  ) {
    this._server = server;
  }

  static async start(target: { host: string; port: number }): Promise<PgFaultProxy> {
    let proxy: PgFaultProxy | undefined;
    const server = createServer((client) => proxy?._accept(client, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    proxy = new PgFaultProxy(server, typeof addr === 'object' && addr ? addr.port : 0);
    return proxy;
  }

  /** The URL of the proxied database. */
  url(databaseUrl: string): string {
    const u = new URL(databaseUrl);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  /** The next COMMIT reaches the server, but its reply does not reach the client: the connection is cut instead. */
  loseNextCommitReply(options: { thenDown?: boolean } = {}): void {
    this._loseCommitReply = true;
    this._downAfterLoss = options.thenDown ?? false;
  }

  /** Refuses new connections and cuts the open ones (down), or lets them in again. */
  setDown(down: boolean): void {
    this._down = down;
    if (down) for (const s of this._sockets) s.destroy();
  }

  async close(): Promise<void> {
    for (const s of this._sockets) s.destroy();
    await new Promise<void>((resolve) => this._server.close(() => resolve()));
  }

  private _accept(client: Socket, target: { host: string; port: number }): void {
    if (this._down) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    this._sockets.add(client);
    this._sockets.add(upstream);
    let cutOnReply = false;
    const cut = (): void => {
      client.destroy();
      upstream.destroy();
      this._sockets.delete(client);
      this._sockets.delete(upstream);
    };
    client.on('data', (chunk: Buffer) => {
      // a simple-protocol query message: 'Q', length, text; pg sends BEGIN/COMMIT this way
      if (this._loseCommitReply && chunk[0] === 0x51 && chunk.includes('COMMIT')) {
        this._loseCommitReply = false;
        cutOnReply = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (cutOnReply) {
        this.lostCommits++;
        if (this._downAfterLoss) this.setDown(true);
        cut();
        return;
      }
      client.write(chunk);
    });
    client.on('error', cut);
    upstream.on('error', cut);
    client.on('close', cut);
    upstream.on('close', cut);
  }
}
