// The tenant's settings: its name, the assistant's instructions and the prompt budgets.
import { useState } from 'preact/hooks';
import { api } from '../../shared/api.js';
import { session } from '../../shared/session.js';
import { t } from '../strings.js';
import { Badge, Card, ErrorNote, Field, Page, SaveActions, lines, useAction, useLoad } from '../ui.jsx';

export function Settings() {
  const settings = useLoad(() => api.get('/v1/tenant/settings'));
  const [draft, setDraft] = useState(null);
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const s = draft ?? settings.data;
  const set = (k, conv = v => v) => e => { setSaved(false); setDraft({ ...s, [k]: conv(e.currentTarget.value) }); };
  async function save(e) {
    e.preventDefault();
    if (!action.check(e.currentTarget)) return;
    const { name, instructions, contextBudgetTokens, summaryThresholdTokens, maxOutputTokens, conciseInstruction } = s;
    // One question a line; empty lines are only spacing. The platform checks the count and lengths (400 otherwise).
    const starterQuestions = lines(starterLines(s));
    const r = await action.run(() => api.patch('/v1/tenant/settings', { name, instructions, contextBudgetTokens, summaryThresholdTokens, maxOutputTokens, conciseInstruction, starterQuestions }));
    if (!r) return;
    setDraft(null); setSaved(true); settings.reload();
    // The sidebar and breadcrumb show the tenant's name from /v1/me: ask again so a rename shows without a reload.
    if (name !== settings.data.name) api.get('/v1/me').then(me => session.key && session.signIn(session.key, me), () => {});
  }
  return (
    <Page busy={settings.loading} title={t('nav.settings')} description={t("The assistant's voice for this tenant, and how much of the conversation each prompt carries.")}
      actions={settings.data && <Badge>{t('version {v}', { v: settings.data.version })}</Badge>}>
      <ErrorNote error={settings.error} onRetry={settings.error ? settings.reload : undefined} />
      {s && (
        <Card>
          <form class="form" onSubmit={save} {...action.formProps}>
            <Field label={t('Tenant name')}><input class="input" value={s.name} onInput={set('name')} /></Field>
            <Field label={t('Instructions to the assistant')} hint={t("Placed after the platform's system prompt in every conversation.")}>
              <textarea class="input" rows="5" maxLength={20000} value={s.instructions} onInput={set('instructions')} />
            </Field>
            <Field label={t('Concise-answer instruction (empty turns it off)')}><textarea class="input" rows="2" value={s.conciseInstruction} onInput={set('conciseInstruction')} /></Field>
            <Field label={t('Starter questions in the chat (one a line, up to 6)')} hint={t('Offered to a user before the first question. None are shown when this is empty.')}>
              <textarea class="input" rows="4" name="starterQuestions" value={starterLines(s)} onInput={e => { setSaved(false); setDraft({ ...s, starterText: e.currentTarget.value }); }} />
            </Field>
            <div class="grid-3">
              <Field label={t('Context budget (tokens)')}><input class="input" type="number" min="1000" max="1000000" required value={s.contextBudgetTokens} onInput={set('contextBudgetTokens', Number)} /></Field>
              <Field label={t('Summarize past (tokens)')}><input class="input" type="number" min="200" max="1000000" required value={s.summaryThresholdTokens} onInput={set('summaryThresholdTokens', Number)} /></Field>
              <Field label={t('Longest answer (tokens)')}><input class="input" type="number" min="16" max="500000" required value={s.maxOutputTokens} onInput={set('maxOutputTokens', Number)} /></Field>
            </div>
            <SaveActions saved={saved} disabled={action.busy || !draft} error={action.error} />
          </form>
        </Card>
      )}
    </Page>
  );
}

// The starter questions as the admin edits them: the text typed so far, else the stored list, one a line.
const starterLines = s => s.starterText ?? (s.starterQuestions ?? []).join('\n');
