// A confirmation before something that cannot be undone, drawn in the page instead of the browser's confirm() and
// prompt(): it wears the app's theme and language, names the action on its button, and a screen reader announces it as
// an alert dialog. Escape, the backdrop or Cancel answer no; only the action's button answers yes.
import { render } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

let asked = 0;

// A double-click on the button that asks lands its second click in the dialog just opened (on the backdrop, or on one
// of its buttons): that click (a click count past one, this soon after opening) is no answer.
const settleMs = 500;

function ConfirmDialog({ message, action, cancel, input, onAnswer }) {
  const dialog = useRef(null);
  const text = useRef(null);
  const opened = useRef(0);
  const id = `confirm-${++asked}`;
  useEffect(() => { dialog.current.showModal(); opened.current = performance.now(); }, []);
  const tooSoon = e => e.detail > 1 && performance.now() - opened.current < settleMs;
  const close = () => onAnswer(dialog.current.returnValue === 'yes' ? (input ? text.current.value : true) : (input ? null : false));
  return (
    <dialog ref={dialog} class="confirm" role="alertdialog" aria-modal="true" aria-labelledby={`${id}-message`} onClose={close}
      onClickCapture={e => { if (tooSoon(e)) { e.preventDefault(); e.stopPropagation(); } }}
      onClick={e => { if (e.target === dialog.current && !tooSoon(e)) dialog.current.close(); }}>
      <form method="dialog">
        <p id={`${id}-message`}>{message}</p>
        {input && (
          <label class="confirm-input">
            <span>{input.label}</span>
            <input ref={text} type="text" defaultValue={input.value} maxLength={input.maxLength ?? 500} autofocus />
          </label>
        )}
        <div class="confirm-actions">
          <button class="button" value="no" autofocus={!input}>{cancel}</button>
          <button class="button danger-solid" value="yes">{action}</button>
        </div>
      </form>
    </dialog>
  );
}

function ask(props) {
  return new Promise(resolve => {
    const host = document.body.appendChild(document.createElement('div'));
    const answer = value => {
      render(null, host);
      host.remove();
      resolve(value);
    };
    render(<ConfirmDialog {...props} onAnswer={answer} />, host);
  });
}

/** Asks before a destructive action; resolves true only when the action's button is pressed. */
export function confirmAction(message, { action, cancel }) {
  return ask({ message, action, cancel });
}

/**
 * Asks before an action that takes a short text (a reason); resolves the text when the action's button is pressed
 * (Enter in the field presses it too), null otherwise.
 */
export function confirmWithText(message, { label, value = '', action, cancel, maxLength }) {
  return ask({ message, action, cancel, input: { label, value, maxLength } });
}
