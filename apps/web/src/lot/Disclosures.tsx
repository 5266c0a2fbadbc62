/**
 * Every OJA Art. 13 disclosure, in the article's order, and the Art. 14 special warnings set apart. A
 * missing item is shown as "not disclosed" rather than hidden: its absence is information too.
 */
import type { LotView } from '@fapai/contracts';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages';

const ART13 = [
  'announcementText',
  'enforcementTitle',
  'valuationBasis',
  'biddingRules',
  'titleAndEncumbrances',
  'priorityHolders',
  'notificationStatement',
  'paymentInstructions',
  'taxesAndFees',
  'courtContact',
] as const;

export function Disclosures({ lot }: { lot: LotView }) {
  const { t } = useI18n();
  const d = lot.disclosures;
  const text = (value: string | undefined) => (value && value.trim() !== '' ? <span className="prewrap">{value}</span> : <span className="muted">{t('lot.notDisclosed')}</span>);
  const extra: [MessageKey, string][] = [
    ['lot.description', lot.description],
    ['lot.knownDefects', lot.knownDefects],
    ['lot.encumbrances', lot.encumbrances],
    ['lot.occupancy', lot.occupancy],
    ['lot.taxBurden', lot.taxBurden],
  ];
  return (
    <>
      {d.specialWarnings && (
        <section className="panel" aria-labelledby="warnings-title" style={{ borderColor: '#8a5300' }}>
          <h2 id="warnings-title">
            <span aria-hidden="true">⚠ </span>
            {t('lot.specialWarnings')}
          </h2>
          <p className="prewrap" data-testid="special-warnings">
            {d.specialWarnings}
          </p>
        </section>
      )}
      <section className="panel" aria-labelledby="disclosures-title">
        <h2 id="disclosures-title">{t('lot.disclosures')}</h2>
        <dl className="facts" data-testid="disclosures">
          {ART13.map((key) => (
            <div key={key} style={{ display: 'contents' }}>
              <dt>{t(`disclosure.${key}`)}</dt>
              <dd>{text(d[key])}</dd>
            </div>
          ))}
          {d.other && (
            <>
              <dt>{t('disclosure.other')}</dt>
              <dd>{text(d.other)}</dd>
            </>
          )}
        </dl>
        <h3>{t('lot.description')}</h3>
        <dl className="facts">
          {extra.map(([key, value]) => (
            <div key={key} style={{ display: 'contents' }}>
              <dt>{t(key)}</dt>
              <dd>{text(value)}</dd>
            </div>
          ))}
          <dt>{t('lot.priorityHolderList')}</dt>
          <dd>
            {lot.priorityHolders.length === 0 ? (
              text(undefined)
            ) : (
              <ul style={{ margin: 0, paddingLeft: 18 }}>
                {lot.priorityHolders.map((h) => (
                  <li key={`${h.name}-${h.rank}`}>{t('lot.priorityHolderRow', { name: h.name, nature: h.nature, rank: h.rank })}</li>
                ))}
              </ul>
            )}
          </dd>
        </dl>
        {lot.documents.length > 0 && (
          <>
            <h3>{t('lot.documents')}</h3>
            <ul>
              {lot.documents.map((f) => (
                <li key={f.id}>
                  <a href={f.url} target="_blank" rel="noreferrer">
                    {f.name}
                  </a>
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </>
  );
}
