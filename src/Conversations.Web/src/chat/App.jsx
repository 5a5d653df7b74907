// The chat: sign-in, then the conversation list beside the open conversation.
import { useEffect, useState } from 'preact/hooks';
import { session } from '../shared/session.js';
import { SignIn, restoreSession } from '../shared/SignIn.jsx';
import { useT } from '../shared/i18n.js';
import { strings } from './strings.js';

export function App() {
  const t = useT(strings);
  const [me, setMe] = useState(session.me);
  const [ready, setReady] = useState(!session.key);

  useEffect(() => {
    const off = session.subscribe(s => setMe(s.me));
    if (session.key) restoreSession().then(m => { if (!m) session.signOut(); setMe(m); setReady(true); });
    return off;
  }, []);

  if (!ready) return null;
  if (!me) return <SignIn t={t} product="Conversations" accept={m => (m.tenantId ? null : t('signin.operator'))} />;
  return <main><p>{me.tenantName} · {me.userId} · {t(`role.${me.role}`)}</p></main>;
}
