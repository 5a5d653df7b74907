// Copying text for both apps. The Clipboard API needs a secure origin (https or localhost), so a page on plain http
// from a LAN host falls back to a selection copy.

/** Copies `text`; resolves once it is on the clipboard (or the fallback copy ran). */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = Object.assign(document.createElement('textarea'), { value: text });
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
}
