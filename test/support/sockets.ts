import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, LotBidEvent, LotClosedEvent, ServerToClientEvents } from '@fapai/contracts';

export type AuctionClient = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A real socket.io client on namespace /auctions; anonymous unless a token is given. */
export async function connect(baseUrl: string, token?: string): Promise<AuctionClient> {
  const socket: AuctionClient = io(`${baseUrl}/auctions`, { auth: token ? { token } : {}, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/** A watcher that records every `lot.bid` and `lot.closed` of one lot. */
export async function watcher(baseUrl: string, lotId: string, token?: string): Promise<{ socket: AuctionClient; bids: LotBidEvent[]; closed: LotClosedEvent[] }> {
  const socket = await connect(baseUrl, token);
  const bids: LotBidEvent[] = [];
  const closed: LotClosedEvent[] = [];
  socket.on('lot.bid', (e) => bids.push(e));
  socket.on('lot.closed', (e) => closed.push(e));
  const ack = await socket.emitWithAck('lot.watch', { lotId });
  if (!ack.ok) throw new Error(`watch failed: ${JSON.stringify(ack)}`);
  return { socket, bids, closed };
}
