/** An injected instant: epoch milliseconds or a Date. The domain never reads a clock itself. */
export type Instant = number | Date;

export function toMs(instant: Instant): number {
  return typeof instant === 'number' ? instant : instant.getTime();
}
