/** Earlier rounds of the same property (一拍 → 二拍 → 变卖), following `previousLotId`. */
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import type { LotView } from '@fapai/contracts';
import { endpoints } from '../api/endpoints';
import { yuanOrDash } from '../format/money';
import { formatDateTime } from '../format/time';
import { useI18n } from '../i18n/i18n';

const MAX_ROUNDS = 3;

async function previousRounds(first: string | null): Promise<LotView[]> {
  const out: LotView[] = [];
  let id = first;
  while (id && out.length < MAX_ROUNDS) {
    const lot = await endpoints.lot(id);
    out.push(lot);
    id = lot.previousLotId;
  }
  return out;
}

export function RoundHistory({ lot }: { lot: LotView }) {
  const { t, lang } = useI18n();
  const { data } = useQuery({ queryKey: ['rounds', lot.previousLotId], queryFn: () => previousRounds(lot.previousLotId), enabled: lot.previousLotId !== null, staleTime: 300_000 });
  return (
    <section className="panel" aria-labelledby="rounds-title">
      <h2 id="rounds-title">{t('lot.roundHistory')}</h2>
      {lot.previousLotId === null ? (
        <p className="muted">{t('lot.roundHistoryNone')}</p>
      ) : (
        <ol data-testid="round-history">
          {(data ?? []).map((r) => (
            <li key={r.id}>
              <Link to={`/lots/${r.id}`}>{t(`round.${r.round}`)}</Link>{t('common.colon')}{t(`status.${r.status}`)}{t('common.comma')}{t('lot.startingPrice')} {yuanOrDash(r.startingPrice)}{t('common.comma')}{t('lot.endsAt')}{' '}
              {formatDateTime(r.endsAt, lang)}
              {t('time.beijingSuffix')}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
