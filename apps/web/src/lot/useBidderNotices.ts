/**
 * Notices for this bidder on a live lot: outbid (from `bid.outbid`, and derived when the leader code moves
 * away from ours, which also works when the socket is anonymous), and every price change announced politely.
 */
import { useEffect, useRef, useState } from 'react';
import type { BidOutbidEvent, LotView } from '@fapai/contracts';
import { useAnnounce } from '../app/Announcer';
import { formatYuan } from '../format/money';
import { formatDateTime } from '../format/time';
import { useI18n } from '../i18n/i18n';
import type { Extension } from '../live/live-lot';
import { getSocket } from '../live/socket';

export function useBidderNotices(lot: LotView | null, myCode: string | null, lastExtension: Extension | null) {
  const { t, lang } = useI18n();
  const announce = useAnnounce();
  const [outbidPrice, setOutbidPrice] = useState<number | null>(null);
  const prevLeader = useRef<string | null | undefined>(undefined);
  const prevPrice = useRef<number | null | undefined>(undefined);

  const price = lot?.currentPrice ?? null;
  const leader = lot?.leaderCode ?? null;
  useEffect(() => {
    if (lot === null) return;
    if (prevPrice.current !== undefined && price !== null && price !== prevPrice.current) {
      announce(t('lot.priceAnnounce', { price: formatYuan(price), code: leader ?? '—' }));
    }
    if (prevLeader.current !== undefined && myCode && prevLeader.current === myCode && leader !== myCode && price !== null) {
      setOutbidPrice(price);
    }
    if (leader === myCode) setOutbidPrice(null);
    prevPrice.current = price;
    prevLeader.current = leader;
  }, [lot, price, leader, myCode, announce, t]);

  useEffect(() => {
    const socket = getSocket();
    const onOutbid = (e: BidOutbidEvent) => {
      if (lot && e.lotId === lot.id) setOutbidPrice(e.amount);
    };
    socket.on('bid.outbid', onOutbid);
    return () => {
      socket.off('bid.outbid', onOutbid);
    };
  }, [lot]);

  const extensionSeq = lastExtension?.seq;
  useEffect(() => {
    if (lastExtension) announce(t('lot.extended', { time: formatDateTime(lastExtension.endsAt, lang, true) }));
    // once per extension: the seq identifies it
  }, [extensionSeq, announce, t, lang]);

  return { outbidPrice, dismissOutbid: () => setOutbidPrice(null) };
}
