import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket as NetSocket } from 'node:net';
import { Server, type Socket } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { withWholeFrames } from './whole-frames.js';

/**
 * On the installed socket.io / ws: a room broadcast through `withWholeFrames` is written to each socket as
 * one buffer (a single `write`, no `cork`), and what the client reads is the event, with the offset that
 * connection state recovery appends.
 */
describe('withWholeFrames', () => {
  let http: HttpServer;
  let server: Server;
  let client: ClientSocket;
  let serverSocket: Socket;

  beforeEach(async () => {
    http = createServer();
    server = new Server(http, { transports: ['websocket'], connectionStateRecovery: { maxDisconnectionDuration: 60_000, skipMiddlewares: true } });
    // What the API does (io.adapter.ts): wrap whichever adapter socket.io was given.
    server.adapter(withWholeFrames(server.adapter()!));
    const connected = new Promise<Socket>((resolve) => server.of('/auctions').on('connection', resolve));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    client = connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}/auctions`, { transports: ['websocket'], reconnection: false });
    serverSocket = await connected;
    await serverSocket.join('lot:1');
  });

  afterEach(async () => {
    client.disconnect();
    await server.close();
  });

  /** The server side's TCP socket under ws, with its `write` and `cork` calls recorded. */
  function tcpOf(socket: Socket): { writes: Buffer[]; corks: number } {
    const tcp = (socket.conn.transport as unknown as { socket: { _socket: NetSocket } }).socket._socket;
    const seen = { writes: [] as Buffer[], corks: 0 };
    const write = tcp.write.bind(tcp) as (chunk: Buffer, cb?: (error?: Error) => void) => boolean;
    tcp.write = ((chunk: Buffer, cb?: (error?: Error) => void) => (seen.writes.push(Buffer.from(chunk)), write(chunk, cb))) as typeof tcp.write;
    const cork = tcp.cork.bind(tcp);
    tcp.cork = () => (seen.corks++, cork());
    return seen;
  }

  it('sends a room broadcast as one write of the whole frame, which the client reads as the event', async () => {
    const tcp = tcpOf(serverSocket);
    const received = new Promise<unknown[]>((resolve) => client.once('lot.bid', (...args: unknown[]) => resolve(args)));
    const event = { lotId: '1', seq: 7, amount: 1_250_000, committedAt: '2026-11-29T08:00:00.000Z' };

    server.of('/auctions').to('lot:1').emit('lot.bid', event);

    const [data, offset] = await received;
    expect(data).toEqual(event);
    expect(typeof offset).toBe('string'); // connection state recovery's offset: the session-aware adapter ran
    expect(tcp.corks).toBe(0);
    expect(tcp.writes).toHaveLength(1);
    const frame = tcp.writes[0]!;
    // RFC 6455: FIN + text opcode, unmasked, a 7-bit or 16-bit length, then the Engine.IO message `4…`.
    expect(frame[0]).toBe(0x81);
    const lengthField = frame[1]! & 0x7f;
    const headerLength = lengthField === 126 ? 4 : 2;
    const length = lengthField === 126 ? frame.readUInt16BE(2) : lengthField;
    expect(frame.length).toBe(headerLength + length);
    const text = frame.subarray(headerLength).toString();
    expect(text.startsWith('42/auctions,["lot.bid",')).toBe(true);
    expect(JSON.parse(text.slice('42/auctions,'.length))).toEqual(['lot.bid', event, offset]);
  });

  it('writes the bytes socket.io would write unwrapped, joined', () => {
    type Encoding = { _encode(packet: unknown, options: { wsPreEncodedFrame?: Buffer[] }): unknown[] };
    const plain = new Server();
    const packet = () => ({ type: 2, nsp: '/auctions', data: ['lot.bid', { lotId: '1', seq: 9, note: 'é'.repeat(200) }, 'offset-1'] });
    const unwrapped: { wsPreEncodedFrame?: Buffer[] } = {};
    const wrapped: { wsPreEncodedFrame?: Buffer[] } = {};
    (plain.of('/auctions').adapter as unknown as Encoding)._encode(packet(), unwrapped);
    (server.of('/auctions').adapter as unknown as Encoding)._encode(packet(), wrapped);

    expect(unwrapped.wsPreEncodedFrame).toHaveLength(2); // header, payload: what the wrapper is for
    expect(wrapped.wsPreEncodedFrame).toHaveLength(1);
    expect(wrapped.wsPreEncodedFrame![0]!.equals(Buffer.concat(unwrapped.wsPreEncodedFrame!))).toBe(true);
  });
});
