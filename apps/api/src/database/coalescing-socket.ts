/**
 * The socket our PostgreSQL clients talk through: every protocol message written in one tick leaves in
 * one `writev` instead of one syscall each.
 *
 * Why: node-postgres writes Parse, Bind, Describe, Execute and Sync of a parameterised query as separate
 * `socket.write` calls, and each becomes its own syscall. Profiling the bid benchmark showed half of the
 * API's CPU inside those writes (syscalls are dear on virtual machines with page-table isolation). Corking
 * for the rest of the tick turns a query into one write; nothing waits longer than the current tick.
 * Passed to `pg` through its public `stream` option (TypeORM's `extra`).
 */
import net from 'node:net';

export class CoalescingSocket extends net.Socket {
  private flushScheduled = false;

  override write(chunk: Uint8Array | string, encoding?: BufferEncoding | ((error?: Error | null) => void), callback?: (error?: Error | null) => void): boolean {
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.cork();
      process.nextTick(() => {
        this.flushScheduled = false;
        this.uncork();
      });
    }
    return super.write(chunk, encoding as BufferEncoding, callback);
  }
}

/** For pg's `stream` option. */
export const coalescingStream = (): net.Socket => new CoalescingSocket();
