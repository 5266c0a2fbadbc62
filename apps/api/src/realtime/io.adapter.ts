import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Server, ServerOptions } from 'socket.io';

/**
 * socket.io with connection state recovery: a client that drops for up to two minutes gets the events it
 * missed replayed on reconnect (and clients still resync on a `seq` gap, e.g. after a longer outage).
 */
export class AuctionsIoAdapter extends IoAdapter {
  override createIOServer(port: number, options?: ServerOptions): Server {
    return super.createIOServer(port, {
      ...(options as ServerOptions),
      connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: true },
      pingInterval: 10_000,
      pingTimeout: 8_000,
      maxHttpBufferSize: 16 * 1024,
    }) as Server;
  }
}
