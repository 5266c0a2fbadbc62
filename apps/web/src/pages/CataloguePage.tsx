/**
 * The public catalogue: search and filters kept in the URL (shareable, back button works), a grid of lot
 * cards, pagination.
 */
import { useId, useState, type FormEvent } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Alert, Button, Input, Pagination, Spin } from 'antd';
import { useSearchParams } from 'react-router-dom';
import { endpoints, type LotSearch } from '../api/endpoints';
import { useCourts } from '../api/queries';
import { fenToYuanInput, yuanToFen } from '../format/money';
import { useI18n } from '../i18n/i18n';
import { errorText } from '../i18n/refusal';
import type { MessageKey } from '../i18n/messages';
import { serverClock } from '../live/clock';
import { LotCard } from '../lot/LotCard';

const STATUSES = ['announced', 'live', 'suspended', 'sold', 'unsold', 'withdrawn'] as const;
const TYPES = ['movable', 'real_estate', 'other_right'] as const;
const ROUNDS = ['first', 'second', 'sale_off'] as const;
const SORTS = ['ending_soon', 'newest', 'price_asc', 'price_desc'] as const;
const PAGE_SIZE = 12;
const DAY = 86_400_000;

/** URL parameters → the API query. Prices are yuan in the URL (readable), fen for the API. */
export function searchFromParams(params: URLSearchParams, serverNow: number): LotSearch {
  const get = (k: string) => params.get(k) ?? undefined;
  const price = (k: string) => {
    const v = params.get(k);
    return v ? (yuanToFen(v) ?? undefined) : undefined;
  };
  const endingSoon = params.get('endingSoon') === '1';
  const sort = get('sort');
  return {
    q: get('q'),
    status: endingSoon ? 'live' : get('status'),
    propertyType: get('propertyType'),
    round: get('round'),
    courtId: get('courtId'),
    province: get('province'),
    city: get('city'),
    minPrice: price('minPrice'),
    maxPrice: price('maxPrice'),
    ...(endingSoon ? { endsAfter: new Date(serverNow).toISOString(), endsBefore: new Date(serverNow + DAY).toISOString() } : {}),
    sort: (SORTS as readonly string[]).includes(sort ?? '') ? (sort as LotSearch['sort']) : 'ending_soon',
    page: Number(params.get('page') ?? 1) || 1,
    pageSize: PAGE_SIZE,
  };
}

export default function CataloguePage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  // The ending-soon window is computed once per search, on the server clock.
  const [now] = useState(() => serverClock.now());
  const search = searchFromParams(params, now);
  const lots = useQuery({ queryKey: ['lots', search], queryFn: () => endpoints.searchLots(search), placeholderData: keepPreviousData, refetchInterval: 30_000 });
  const resultsId = useId();

  const update = (patch: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || v === '') next.delete(k);
      else next.set(k, v);
    }
    if (!('page' in patch)) next.delete('page');
    setParams(next);
  };

  return (
    <>
      <h1 className="page-title">{t('catalogue.title')}</h1>
      <Filters params={params} update={update} onReset={() => setParams(new URLSearchParams())} />
      <section aria-labelledby={resultsId} aria-busy={lots.isFetching}>
        <h2 id={resultsId} className="visually-hidden">
          {t('catalogue.results')}
        </h2>
        {lots.isLoading && <Spin className="page-spin" aria-label={t('common.loading')} />}
        {lots.error && <Alert type="error" showIcon title={t('common.error', { message: errorText(t, lots.error) })} />}
        {lots.data && (
          <>
            <p className="muted" role="status" data-testid="catalogue-total">
              {t('catalogue.total', { total: lots.data.total })}
            </p>
            {lots.data.items.length === 0 ? (
              <p>{t('catalogue.empty')}</p>
            ) : (
              <ul className="lot-grid">
                {lots.data.items.map((lot) => (
                  <li key={lot.id}>
                    <LotCard lot={lot} />
                  </li>
                ))}
              </ul>
            )}
            {lots.data.total > PAGE_SIZE && (
              <Pagination
                style={{ marginTop: 16 }}
                current={search.page}
                pageSize={PAGE_SIZE}
                total={lots.data.total}
                showSizeChanger={false}
                onChange={(page) => update({ page: String(page) })}
              />
            )}
          </>
        )}
      </section>
    </>
  );
}

function Filters({ params, update, onReset }: { params: URLSearchParams; update(patch: Record<string, string | null>): void; onReset(): void }) {
  const { t } = useI18n();
  const courts = useCourts().data ?? [];
  const id = useId();
  const [q, setQ] = useState(params.get('q') ?? '');
  const [minPrice, setMinPrice] = useState(params.get('minPrice') ?? '');
  const [maxPrice, setMaxPrice] = useState(params.get('maxPrice') ?? '');
  const [province, setProvince] = useState(params.get('province') ?? '');
  const [city, setCity] = useState(params.get('city') ?? '');
  const [wide] = useState(() => typeof matchMedia !== 'function' || matchMedia('(min-width: 700px)').matches);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const norm = (v: string) => {
      const fen = yuanToFen(v);
      return fen === null ? null : fenToYuanInput(fen);
    };
    update({ q: q.trim() || null, minPrice: norm(minPrice), maxPrice: norm(maxPrice), province: province.trim() || null, city: city.trim() || null });
  };
  const select = (name: string, label: MessageKey, options: readonly { value: string; label: string }[], fallback?: string) => (
    <div>
      <label htmlFor={`${id}-${name}`}>{t(label)}</label>
      <select id={`${id}-${name}`} className="native-select" value={params.get(name) ?? fallback ?? ''} onChange={(e) => update({ [name]: e.target.value || null })}>
        {fallback === undefined && <option value="">{t('catalogue.any')}</option>}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <form className="filters" role="search" aria-label={t('catalogue.filters')} onSubmit={submit}>
      <div style={{ display: 'flex', gap: 8, marginBottom: 12 }}>
        <label htmlFor={`${id}-q`} className="visually-hidden">
          {t('catalogue.search')}
        </label>
        <Input id={`${id}-q`} value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('catalogue.search')} data-testid="search-input" />
        <Button type="primary" htmlType="submit">
          {t('catalogue.searchButton')}
        </Button>
      </div>
      {/* Collapsed on phones so the lots come first; a native details element works by keyboard. */}
      <details open={wide}>
      <summary className="filters-summary">{t('catalogue.filters')}</summary>
      <div className="filters-grid">
        {select('status', 'catalogue.status', STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) })))}
        {select('propertyType', 'catalogue.propertyType', TYPES.map((s) => ({ value: s, label: t(`propertyType.${s}`) })))}
        {select('round', 'catalogue.round', ROUNDS.map((s) => ({ value: s, label: t(`round.${s}`) })))}
        {select('courtId', 'catalogue.court', courts.map((c) => ({ value: c.id, label: c.name })))}
        <div>
          <label htmlFor={`${id}-province`}>{t('catalogue.province')}</label>
          <Input id={`${id}-province`} value={province} onChange={(e) => setProvince(e.target.value)} />
        </div>
        <div>
          <label htmlFor={`${id}-city`}>{t('catalogue.city')}</label>
          <Input id={`${id}-city`} value={city} onChange={(e) => setCity(e.target.value)} />
        </div>
        <div>
          <label htmlFor={`${id}-min`}>{t('catalogue.minPrice')}</label>
          <Input id={`${id}-min`} inputMode="decimal" value={minPrice} onChange={(e) => setMinPrice(e.target.value)} />
        </div>
        <div>
          <label htmlFor={`${id}-max`}>{t('catalogue.maxPrice')}</label>
          <Input id={`${id}-max`} inputMode="decimal" value={maxPrice} onChange={(e) => setMaxPrice(e.target.value)} />
        </div>
        {select('sort', 'catalogue.sort', SORTS.map((s) => ({ value: s, label: t(`catalogue.sort.${s}`) })), 'ending_soon')}
        <div className="checkbox-row">
          <input id={`${id}-soon`} type="checkbox" checked={params.get('endingSoon') === '1'} onChange={(e) => update({ endingSoon: e.target.checked ? '1' : null })} />
          <label htmlFor={`${id}-soon`} style={{ display: 'inline', marginLeft: 6 }}>
            {t('catalogue.endingSoon')}
          </label>
        </div>
        <div style={{ display: 'flex', gap: 8 }}>
          <Button htmlType="submit">{t('catalogue.filters')}</Button>
          <Button
            onClick={() => {
              setQ('');
              setMinPrice('');
              setMaxPrice('');
              setProvince('');
              setCity('');
              onReset();
            }}
          >
            {t('catalogue.reset')}
          </Button>
        </div>
      </div>
      </details>
    </form>
  );
}
