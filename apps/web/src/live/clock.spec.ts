import { ServerClock } from './clock';

describe('server clock', () => {
  it('uses the sample with the shortest round trip and counts on the server time', () => {
    let local = 1_000_000;
    const clock = new ServerClock(() => local);
    expect(clock.synced).toBe(false);
    clock.addSample({ sentAt: 1000, serverTime: 3_601_000 + 500, receivedAt: 2000 }); // rtt 1000
    clock.addSample({ sentAt: 5000, serverTime: 3_605_000 + 50, receivedAt: 5100 }); // rtt 100: best
    expect(clock.offsetMs).toBe(3_600_000);
    local = 10_000;
    expect(clock.now()).toBe(3_610_000);
  });

  it('measures a probe from send to answer', () => {
    let local = 0;
    const clock = new ServerClock(() => local);
    const done = clock.probe();
    local = 200;
    done(new Date(60_100).toISOString());
    expect(clock.offsetMs).toBe(60_000);
  });
});
