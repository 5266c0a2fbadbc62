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
import { formatYuan, toChineseCapital, fenToYuanInput } from '../format/money';
import { useI18n } from '../i18n/i18n';
import { bidContext, checkAmount, incrementsAbove, minimumBid, needsJumpConfirmation, parseBidAmount, quickAmounts, reconcileAmount, stepAmount } from './bid-logic';
import { errorText, refusalText, type Refusal } from '../i18n/refusal';

export interface BidPanelProps {
  lot: LotView;
  enrolment: EnrolmentView;
  leaderIsPriority: boolean;
  jumpConfirmIncrements: number;
  /** False when the lot is not live on the server clock: the panel stays visible but cannot send. */
  open: boolean;
  onAccepted(res: PlaceBidResponse): void;
}

/** A bid's refusals say whether the bid may have arrived (see `RefusalScope`). */
const BID = { scope: 'bid' } as const;

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
  const min = ctx ? minimumBid(ctx) : null;
  // The field's text is the one source of the amount: what is checked and sent is what the bidder sees.
  const [text, setText] = useState(min === null ? '' : fenToYuanInput(min));
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<Refusal | null>(null);
  /** The amount of our last accepted bid, while it still leads. */
  const [accepted, setAccepted] = useState<number | null>(null);
  const [jump, setJump] = useState<JumpQuestion | null>(null);
  const attempt = useRef<{ amount: number; key: string } | null>(null);

  // When the price or the minimum moves (a priority match moves the minimum, not the price), keep the
  // bidder's amount if it is still valid, else propose the new minimum. Text that is not an amount yet is
  // left alone: the bidder is typing it, and its error already shows.
  const currentPrice = lot.currentPrice;
  useEffect(() => {
    if (!ctx) return;
    setText((prev) => {
      const typed = parseBidAmount(prev);
      if (typed === null) return prev;
      const next = reconcileAmount(typed, ctx);
      return next === typed ? prev : fenToYuanInput(next);
    });
    // ctx is rebuilt each render; the price, the minimum and the increment are what matter
  }, [currentPrice, min, lot.increment, lot.startingPrice]);

  // "Bid accepted" is true only while that bid leads: once someone else does, it would mislead.
  const mine = enrolment.bidderCode;
  useEffect(() => {
    if (lot.leaderCode !== mine) setAccepted(null);
  }, [lot.leaderCode, lot.seq, mine]);

  if (!ctx || min === null) return null;
  const amount = parseBidAmount(text);
  const check = amount === null ? 'invalid' : checkAmount(amount, ctx);
  const steps = amount === null ? NaN : incrementsAbove(amount, ctx);
  // The server refuses any bid from the leader (LEADER_CANNOT_OUTBID_SELF), a priority purchaser's too:
  // a priority match is made while someone else leads.
  const leading = mine !== null && lot.leaderCode === mine;

  const choose = (next: number) => {
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
      setAccepted(res.bid.amount);
      announce(t('bid.accepted', { price: formatYuan(res.bid.amount) }));
    } catch (e) {
      if (!(e instanceof NetworkError)) attempt.current = null;
      if (e instanceof ApiError && e.code === 'JUMP_NEEDS_CONFIRMATION') {
        const d = e.details ?? {};
        setJump({ amount: value, increments: Number(d.increments ?? steps), above: Number(d.amountAbove ?? value - (lot.currentPrice ?? 0)) });
        return;
      }
      if (e instanceof ApiError && e.code === 'BID_TOO_LOW' && typeof e.details?.minimum === 'number') choose(e.details.minimum);
      setError({ error: e });
      announce(errorText(t, e, BID));
    } finally {
      setPending(false);
    }
  }

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    // Nothing is sent unless the typed text is an amount (the button is disabled too: Enter still submits).
    if (amount === null) return;
    if (check !== 'ok') {
      setError({ key: check === 'too_low' ? 'refusal.BID_TOO_LOW' : 'refusal.BID_NOT_ON_INCREMENT' });
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
  const invalidId = `${ids}-invalid`;
  // Worded here, at render, from what was refused: a language switch re-words it.
  const errorMessage = error === null ? null : refusalText(t, error, BID);
  return (
    <section className="panel" aria-labelledby={`${ids}-title`} data-testid="bid-panel">
      <h2 id={`${ids}-title`}>{t('bid.title')}</h2>
      {enrolment.bidderCode && <p data-testid="my-code">{t('bid.yourCode', { code: enrolment.bidderCode })}</p>}
      {leading ? (
        <p className="price" data-testid="bid-leading">
          ★ {t('bid.leading')}
        </p>
      ) : (
        <form onSubmit={onSubmit} noValidate>
          <p id={helpId}>{t('bid.minimum', { price: formatYuan(min) })}</p>
          <div role="group" aria-label={t('bid.quick')} className="badges" style={{ marginBottom: 12 }}>
            {quickAmounts(ctx, 3).map((value) => (
              <Button key={value} onClick={() => choose(value)} aria-pressed={value === amount} disabled={!open}>
                {formatYuan(value)}
              </Button>
            ))}
          </div>
          <label htmlFor={inputId}>{t('bid.amountLabel')}</label>
          <div className="stepper">
            <Button onClick={() => choose(stepAmount(amount ?? min, -1, ctx))} disabled={!open || (amount !== null && amount <= min)} aria-label={t('bid.stepDown')}>
              −
            </Button>
            <Input
              id={inputId}
              inputMode="decimal"
              value={text}
              aria-describedby={amount === null ? `${helpId} ${invalidId}` : helpId}
              aria-invalid={check !== 'ok'}
              disabled={!open}
              onChange={(e) => {
                setText(e.target.value);
                setError(null);
              }}
              // Tidy a valid amount ("７５１００" → "75100"); leave invalid text as typed, with its error.
              onBlur={() => amount !== null && setText(fenToYuanInput(amount))}
              data-testid="bid-amount-input"
            />
            <Button onClick={() => choose(stepAmount(amount ?? min, 1, ctx))} disabled={!open} aria-label={t('bid.stepUp')}>
              +
            </Button>
          </div>
          {amount === null && (
            <p className="field-error" id={invalidId} data-testid="bid-amount-invalid">
              {t('bid.amountInvalid')}
            </p>
          )}
          <p className="price bid-amount" data-testid="bid-amount">
            {amount === null ? '—' : formatYuan(amount)}
          </p>
          <p className="capital">
            {t('bid.capital')}{t('common.colon')}<span lang="zh-CN" data-testid="bid-capital">{amount === null ? '—' : toChineseCapital(amount)}</span>
          </p>
          {Number.isInteger(steps) && steps > 0 && <p className="muted">{t(steps === 1 ? 'bid.increments1' : 'bid.increments', { n: steps })}</p>}
          {check === 'not_on_increment' && <p className="field-error">{t('refusal.BID_NOT_ON_INCREMENT')}</p>}
          <Button type="primary" htmlType="submit" size="large" block loading={pending} disabled={!open || amount === null} data-testid="bid-submit">
            {pending ? t('bid.submitting') : t('bid.submit')}
          </Button>
          {!open && <p className="muted">{t('bid.notLive')}</p>}
        </form>
      )}
      {errorMessage && <Alert type="error" showIcon title={errorMessage} style={{ marginTop: 12 }} data-testid="bid-error" />}
      {accepted !== null && !errorMessage && <Alert type="success" showIcon title={t('bid.accepted', { price: formatYuan(accepted) })} style={{ marginTop: 12 }} data-testid="bid-accepted" />}
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
