import { useI18n } from '../i18n/i18n';
import { useConnection } from '../live/socket';

/** Connection state in words and a dot (never the dot alone). */
export function ConnectionIndicator({ resyncing }: { resyncing: boolean }) {
  const { t } = useI18n();
  const state = useConnection();
  const text = resyncing && state === 'online' ? t('connection.resyncing') : t(`connection.${state}`);
  return (
    <span className={`connection connection-${state}`} data-testid="connection" data-state={state}>
      <span className="connection-dot" aria-hidden="true" />
      <span>
        <span className="visually-hidden">{t('connection.label')}: </span>
        {text}
      </span>
    </span>
  );
}
