import { jest } from '@jest/globals';
import { useState } from 'react';
import { act, screen } from '@testing-library/react';
import type { LotView } from '@fapai/contracts';
import { serverClock } from '../live/clock';
import { renderWithApp } from '../test/render';
import { Countdown, countdownText } from './Countdown';

describe('Countdown on the server clock', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-11-27T08:00:00.000Z') });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('counts to the end on the server clock, not the device clock', () => {
    // The device is one hour slow: the server says 09:00 when the device says 08:00.
    const local = Date.now();
    serverClock.addSample({ sentAt: local, serverTime: local + 3_600_000, receivedAt: local });
    const lot = { status: 'live', startsAt: '2026-11-27T08:30:00.000Z', endsAt: '2026-11-27T09:01:30.000Z', pausedRemainingMs: null } as LotView;
    renderWithApp(<Countdown lot={lot} announce />);
    expect(screen.getByTestId('countdown')).toHaveTextContent('00:01:30');
    act(() => {
      jest.advanceTimersByTime(30_000);
    });
    expect(screen.getByTestId('countdown')).toHaveTextContent('00:01:00');
    // crossing the minute boundary is announced politely
    act(() => {
      jest.advanceTimersByTime(100);
    });
    expect(screen.getByTestId('announcer')).toHaveTextContent('剩余 1 分钟');
    // Step in quarter seconds, as the browser does, and listen to the live region.
    const heard = new Set<string>();
    for (let i = 0; i < 61 * 4; i++) {
      act(() => {
        jest.advanceTimersByTime(250);
      });
      heard.add(screen.getByTestId('announcer').textContent ?? '');
    }
    expect([...heard].filter(Boolean)).toEqual(['剩余 1 分钟', '剩余 10 秒', '剩余 5 秒', '剩余 3 秒', '剩余 2 秒', '剩余 1 秒', '竞价结束']);
    expect(screen.getByText('已结束')).toBeInTheDocument();
    expect(screen.getByTestId('announcer')).toHaveTextContent('竞价结束');
  });

  it('announces the end when the close arrives before this clock reaches it, not "1 second left"', () => {
    const endsAt = new Date(serverClock.now() + 3000).toISOString();
    const live = { status: 'live', startsAt: '2026-11-27T07:00:00.000Z', endsAt, pausedRemainingMs: null } as LotView;
    let close = () => undefined as void;
    function Harness() {
      const [lot, setLot] = useState(live);
      close = () => setLot({ ...live, status: 'sold' });
      return <Countdown lot={lot} announce />;
    }
    renderWithApp(<Harness />);
    for (let i = 0; i < 10; i++) {
      act(() => {
        jest.advanceTimersByTime(250);
      });
    }
    expect(screen.getByTestId('announcer')).toHaveTextContent('剩余 1 秒');
    act(() => close());
    act(() => {
      jest.advanceTimersByTime(100);
    });
    expect(screen.getByTestId('announcer')).toHaveTextContent('竞价结束');
  });

  it('counts to the start of an announced lot, and goes live by itself at the start', () => {
    const local = Date.now();
    serverClock.reset();
    serverClock.addSample({ sentAt: local, serverTime: local, receivedAt: local });
    const lot = { status: 'announced', startsAt: '2026-11-27T08:00:05.000Z', endsAt: '2026-11-27T08:00:15.000Z', pausedRemainingMs: null } as LotView;
    renderWithApp(<Countdown lot={lot} />);
    expect(screen.getByText('距开始')).toBeInTheDocument();
    expect(screen.getByTestId('countdown')).toHaveTextContent('00:00:05');
    act(() => {
      jest.advanceTimersByTime(6_000);
    });
    expect(screen.getByText('距结束')).toBeInTheDocument();
    expect(screen.getByTestId('countdown')).toHaveTextContent('00:00:09');
  });

  it('shows the frozen remainder of a suspended lot', () => {
    const lot = { status: 'suspended', startsAt: '2026-11-27T07:00:00.000Z', endsAt: '2026-11-27T09:00:00.000Z', pausedRemainingMs: 125_000 } as LotView;
    renderWithApp(<Countdown lot={lot} />);
    expect(screen.getByTestId('countdown')).toHaveTextContent('00:02:05');
  });
});

it('writes the day unit in the reader language', () => {
  expect(countdownText(93_784_000, 'zh')).toBe('1天 02:03:04');
  expect(countdownText(93_784_000, 'en')).toBe('1 d 02:03:04');
  expect(countdownText(5_000, 'en')).toBe('00:00:05');
});
