/**
 * The bid panel: proposes the minimum next bid, steps in increments, shows the amount in figures and in
 * capital numerals (大写), asks before a jump bid, and explains refusals in plain words. Bids go over HTTP
 * with an Idempotency-Key: a retry after a network error reuses the key, so it can never bid twice.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Alert, Button, Input, Modal } from 'antd';
import type { EnrolmentView, LotView, PlaceBidResponse } from '@fapai/contracts';
import { ApiError, NetworkError, newIdempotencyKey } from '../api/client';
import { endpoints } from '../api/endpoints';
import { useAnnounce } from '../app/Announcer';
import { formatYuan, toChineseCapital, fenToYuanInput, yuanToFen } from '../format/money';
import { useI18n } from '../i18n/i18n';
import { bidContext, checkAmount, incrementsAbove, minimumBid, needsJumpConfirmation, quickAmounts, reconcileAmount, stepAmount } from './bid-logic';
import { refusalText } from './refusals';

export interface BidPanelProps {
  lot: LotView;
  enrolment: EnrolmentView;
  leaderIsPriority: boolean;
  jumpConfirmIncrements: number;
  /** False when the lot is not live on the server clock: the panel stays visible but cannot send. */
  open: boolean;
  onAccepted(res: PlaceBidResponse): void;
}

interface JumpQuestion {
  amount: number;
  increments: number;
  above: number;
}

export function BidPanel({ lot, enrolment, leaderIsPriority, jumpConfirmIncrements, open, onAccepted }: BidPanelProps) {
  const { t } = useI18n();
  const announce = useAnnounce();
  const ids = useId();
  const ctx = bidContext(lot, leaderIsPriority, enrolment.priorityRank);
  const [amount, setAmount] = useState<number | null>(ctx ? minimumBid(ctx) : null);
  const [text, setText] = useState(amount === null ? '' : fenToYuanInput(amount));
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [accepted, setAccepted] = useState<string | null>(null);
  const [jump, setJump] = useState<JumpQuestion | null>(null);
  const attempt = useRef<{ amount: number; key: string } | null>(null);

  // When the price moves, keep the bidder's amount if it is still valid, else propose the new minimum.
  const currentPrice = lot.currentPrice;
  useEffect(() => {
    if (!ctx) return;
    setAmount((prev) => {
      const next = reconcileAmount(prev, ctx);
      if (next !== prev) setText(fenToYuanInput(next));
      return next;
    });
    // ctx is rebuilt each render; the price and the increment are what matter
  }, [currentPrice, lot.increment, lot.startingPrice]);

  if (!ctx || amount === null) return null;
  const min = minimumBid(ctx);
  const check = checkAmount(amount, ctx);
  const steps = incrementsAbove(amount, ctx);

  const choose = (next: number) => {
    setAmount(next);
    setText(fenToYuanInput(next));
    setError(null);
  };

  async function send(value: number, confirmJump: boolean) {
    if (!attempt.current || attempt.current.amount !== value) attempt.current = { amount: value, key: newIdempotencyKey() };
    setPending(true);
    setError(null);
    setAccepted(null);
    try {
      const res = await endpoints.placeBid(lot.id, confirmJump ? { amount: value, confirmJump: true } : { amount: value }, attempt.current.key);
      attempt.current = null;
      onAccepted(res);
      const message = t('bid.accepted', { price: formatYuan(res.bid.amount) });
      setAccepted(message);
      announce(message);
    } catch (e) {
      if (!(e instanceof NetworkError)) attempt.current = null;
      if (e instanceof ApiError && e.code === 'JUMP_NEEDS_CONFIRMATION') {
        const d = e.details ?? {};
        setJump({ amount: value, increments: Number(d.increments ?? steps), above: Number(d.amountAbove ?? value - (lot.currentPrice ?? 0)) });
        return;
      }
      if (e instanceof ApiError && e.code === 'BID_TOO_LOW' && typeof e.details?.minimum === 'number') choose(e.details.minimum);
      const message = refusalText(t, e);
      setError(message);
      announce(message);
    } finally {
      setPending(false);
    }
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (check !== 'ok') {
      setError(t(check === 'too_low' ? 'refusal.BID_TOO_LOW' : 'refusal.BID_NOT_ON_INCREMENT'));
      return;
    }
    if (needsJumpConfirmation(amount, ctx, jumpConfirmIncrements)) {
      setJump({ amount, increments: steps, above: amount - (lot.currentPrice ?? lot.startingPrice ?? 0) });
      return;
    }
    void send(amount, false);
  };

  const inputId = `${ids}-amount`;
  const helpId = `${ids}-help`;
  return (
    <section className="panel" aria-labelledby={`${ids}-title`} data-testid="bid-panel">
      <h2 id={`${ids}-title`}>{t('bid.title')}</h2>
      {enrolment.bidderCode && <p data-testid="my-code">{t('bid.yourCode', { code: enrolment.bidderCode })}</p>}
      <form onSubmit={onSubmit} noValidate>
        <p id={helpId}>{t('bid.minimum', { price: formatYuan(min) })}</p>
        <div role="group" aria-label={t('bid.quick')} className="badges" style={{ marginBottom: 12 }}>
          {quickAmounts(ctx, 3).map((value) => (
            <Button key={value} onClick={() => choose(value)} aria-pressed={value === amount} disabled={!open}>
              {formatYuan(value)}
            </Button>
          ))}
        </div>
        <label htmlFor={inputId}>{t('bid.amount')}（{t('common.yuanSuffix')}）</label>
        <div className="stepper">
          <Button onClick={() => choose(stepAmount(amount, -1, ctx))} disabled={!open || amount <= min} aria-label={t('bid.stepDown')}>
            −
          </Button>
          <Input
            id={inputId}
            inputMode="decimal"
            value={text}
            aria-describedby={helpId}
            aria-invalid={check !== 'ok'}
            disabled={!open}
            onChange={(e) => {
              setText(e.target.value);
              const fen = yuanToFen(e.target.value);
              if (fen !== null) setAmount(fen);
            }}
            onBlur={() => setText(fenToYuanInput(amount))}
            data-testid="bid-amount-input"
          />
          <Button onClick={() => choose(stepAmount(amount, 1, ctx))} disabled={!open} aria-label={t('bid.stepUp')}>
            +
          </Button>
        </div>
        <p className="price bid-amount" data-testid="bid-amount">
          {formatYuan(amount)}
        </p>
        <p className="capital">
          {t('bid.capital')}{t('common.colon')}<span lang="zh-CN" data-testid="bid-capital">{toChineseCapital(amount)}</span>
        </p>
        {Number.isInteger(steps) && steps > 0 && <p className="muted">{t('bid.increments', { n: steps })}</p>}
        {check === 'not_on_increment' && <p className="field-error">{t('refusal.BID_NOT_ON_INCREMENT')}</p>}
        <Button type="primary" htmlType="submit" size="large" block loading={pending} disabled={!open} data-testid="bid-submit">
          {pending ? t('bid.submitting') : t('bid.submit')}
        </Button>
        {!open && <p className="muted">{t('bid.notLive')}</p>}
      </form>
      {error && <Alert type="error" showIcon title={error} style={{ marginTop: 12 }} data-testid="bid-error" />}
      {accepted && !error && <Alert type="success" showIcon title={accepted} style={{ marginTop: 12 }} data-testid="bid-accepted" />}
      <Modal
        open={jump !== null}
        title={t('bid.jumpTitle')}
        okText={t('bid.jumpConfirm')}
        cancelText={t('bid.cancel')}
        onCancel={() => setJump(null)}
        onOk={() => {
          const q = jump;
          setJump(null);
          if (q) void send(q.amount, true);
        }}
      >
        {jump && (
          <p>
            {t('bid.jumpBody', { price: formatYuan(jump.amount), n: jump.increments, above: formatYuan(jump.above) })}
            <br />
            <span lang="zh-CN">{toChineseCapital(jump.amount)}</span>
          </p>
        )}
      </Modal>
    </section>
  );
}
