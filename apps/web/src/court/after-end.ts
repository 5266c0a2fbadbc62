/**
 * The clerk's acts after the end of a lot, as pure functions: which acts the lot's state allows, and what
 * the clerk typed → the request bodies (amounts in fen, the ruling date as YYYY-MM-DD).
 */
import { SET_ASIDE_GROUNDS, type SetAsideGround } from '@fapai/domain';
import type { SettlementView } from '@fapai/contracts';
import { yuanToFen } from '../format/money';

export type AfterEndAct = 'ruling' | 'default' | 'setAside' | 'relist' | 'disposition';

/** The acts a clerk may try on a lot in `status`/`round` with its settlement (the API decides in the end). */
export function availableAfterEnd(lot: { status: string; round: string }, settlement: Pick<SettlementView, 'status'> | null): AfterEndAct[] {
  const acts: AfterEndAct[] = [];
  if (settlement?.status === 'paid') acts.push('ruling');
  if (settlement?.status === 'awaiting_balance') acts.push('default');
  if (settlement && ['awaiting_balance', 'paid', 'ruled'].includes(settlement.status)) acts.push('setAside');
  if (lot.status === 'defaulted' || (lot.status === 'unsold' && (lot.round === 'first' || lot.round === 'second'))) acts.push('relist');
  if (lot.status === 'unsold' && lot.round !== 'first') acts.push('disposition');
  return acts;
}

type Result<T> = { ok: true; body: T } | { ok: false; field: string; error: 'required' | 'invalid' };

export function toRulingBody(date: string): Result<{ rulingDate: string }> {
  const d = date.trim();
  if (!d) return { ok: false, field: 'rulingDate', error: 'required' };
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d);
  if (!m) return { ok: false, field: 'rulingDate', error: 'invalid' };
  const check = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (check.toISOString().slice(0, 10) !== d) return { ok: false, field: 'rulingDate', error: 'invalid' };
  return { ok: true, body: { rulingDate: d } };
}

export function toDefaultBody(reason: string, auctionCosts: string): Result<{ reason: string; auctionCosts?: number }> {
  const r = reason.trim();
  if (r.length < 2) return { ok: false, field: 'reason', error: 'required' };
  if (!auctionCosts.trim()) return { ok: true, body: { reason: r } };
  const fen = yuanToFen(auctionCosts);
  if (fen === null) return { ok: false, field: 'auctionCosts', error: 'invalid' };
  return { ok: true, body: { reason: r, auctionCosts: fen } };
}

export function toSetAsideBody(ground: string, reason: string): Result<{ ground: SetAsideGround; reason: string }> {
  if (!SET_ASIDE_GROUNDS.includes(ground as SetAsideGround)) return { ok: false, field: 'ground', error: 'required' };
  const r = reason.trim();
  if (r.length < 2) return { ok: false, field: 'reason', error: 'required' };
  return { ok: true, body: { ground: ground as SetAsideGround, reason: r } };
}

export type DispositionPath = 'satisfaction_of_debt' | 'release_seizure';
export const DISPOSITION_PATHS: readonly DispositionPath[] = ['satisfaction_of_debt', 'release_seizure'];

export function toDispositionBody(path: string, note: string): Result<{ path: DispositionPath; note: string }> {
  if (!DISPOSITION_PATHS.includes(path as DispositionPath)) return { ok: false, field: 'path', error: 'required' };
  const n = note.trim();
  if (n.length < 2) return { ok: false, field: 'note', error: 'required' };
  return { ok: true, body: { path: path as DispositionPath, note: n } };
}

export function toPriorityBody(enrolmentId: string, rank: string): Result<{ enrolmentId: string; rank: number }> {
  const r = rank.trim();
  if (!/^\d{1,2}$/.test(r) || Number(r) < 1) return { ok: false, field: 'rank', error: 'invalid' };
  return { ok: true, body: { enrolmentId, rank: Number(r) } };
}
