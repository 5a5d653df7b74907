// Answers are Markdown: marked parses, highlight.js colours code, DOMPurify removes anything unsafe (model output and
// documents are untrusted). Citation markers the platform's prompt asks for, [doc#chunk], become numbered links.
// An answer never makes the browser load anything by itself: a Markdown image becomes a link the reader may open, and
// raw <img> (or any other tag or style that fetches a URL on sight) is removed, so no answer can send data to a host.
import { Marked } from 'marked';
import DOMPurify from 'dompurify';
import hljs from 'highlight.js/lib/core';
import bash from 'highlight.js/lib/languages/bash';
import csharp from 'highlight.js/lib/languages/csharp';
import css from 'highlight.js/lib/languages/css';
import go from 'highlight.js/lib/languages/go';
import java from 'highlight.js/lib/languages/java';
import javascript from 'highlight.js/lib/languages/javascript';
import json from 'highlight.js/lib/languages/json';
import python from 'highlight.js/lib/languages/python';
import sql from 'highlight.js/lib/languages/sql';
import typescript from 'highlight.js/lib/languages/typescript';
import xml from 'highlight.js/lib/languages/xml';
import yaml from 'highlight.js/lib/languages/yaml';
import { copyText } from './clipboard.js';

for (const [name, lang] of Object.entries({ bash, csharp, css, go, java, javascript, json, python, sql, typescript, xml, yaml }))
  hljs.registerLanguage(name, lang);
hljs.registerAliases(['sh', 'shell', 'zsh'], { languageName: 'bash' });
hljs.registerAliases(['cs', 'c#'], { languageName: 'csharp' });
hljs.registerAliases(['js', 'jsx'], { languageName: 'javascript' });
hljs.registerAliases(['ts', 'tsx'], { languageName: 'typescript' });
hljs.registerAliases(['html', 'svg'], { languageName: 'xml' });
hljs.registerAliases(['yml'], { languageName: 'yaml' });
hljs.registerAliases(['py'], { languageName: 'python' });

// Marks the elements this renderer makes (the copy buttons, the citation links), fresh for each render: text from a
// model or a document cannot guess it, so its own <button> or data-cite link is never taken for the platform's.
let ownMark = '';
const newMark = () => Array.from(crypto.getRandomValues(new Uint8Array(12)), b => b.toString(16).padStart(2, '0')).join('');

const escape = s => s.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

/** Options a page passes once: the label of the code copy button. */
export const markdownText = { copy: 'Copy', copied: 'Copied' };

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    code({ text, lang }) {
      const language = (lang || '').trim().split(/\s+/)[0].toLowerCase();
      const known = language && hljs.getLanguage(language);
      const body = known ? hljs.highlight(text, { language, ignoreIllegals: true }).value : escape(text);
      return `<div class="code-block"><div class="code-head"><span>${escape(language || 'text')}</span>` +
        `<button type="button" class="copy-code" data-own="${ownMark}" aria-label="${escape(markdownText.copy)}">${escape(markdownText.copy)}</button></div>` +
        `<pre><code class="hljs">${body}</code></pre></div>`;
    },
    // ![alt](url) is a link named by its alt text (or its address): opened only when the reader clicks it.
    image({ href, title, text }) {
      if (!href) return escape(text || '');
      const name = (text || '').trim() || href;
      return `<a href="${escape(href)}" class="image-link"${title ? ` title="${escape(title)}"` : ''}>${escape(name)}</a>`;
    },
  },
});

// Tags and attributes that fetch a URL as soon as they are shown (images, media, SVG references, inline styles with
// url(...)) are removed; links stay, and open only on a click. Form controls are removed too: an answer or a document
// must not draw a box that asks for a key and submits it (a same-origin form would put it in a URL). Ids go: the
// page's own styles and scripts must not find an answer's element for one of theirs.
const sanitizeOptions = {
  ADD_ATTR: ['target'],
  FORBID_TAGS: ['img', 'picture', 'source', 'video', 'audio', 'track', 'image', 'feImage', 'use', 'style',
    'form', 'input', 'textarea', 'select', 'option', 'optgroup', 'fieldset', 'datalist', 'output'],
  FORBID_ATTR: ['style', 'srcset', 'poster', 'background', 'xlink:href', 'formaction', 'form', 'id'],
  RETURN_DOM_FRAGMENT: true,
};

// An answer may not use the page's CSS classes: with class="drawer-open" and "scrim" or "sidebar" it could cover a
// phone's screen with its own link or a fake sign-in panel. Only the classes this renderer and highlight.js write are
// kept (highlight.js: hljs, hljs-<scope>, <sub-scope>_ and language-<name> for an embedded language); they only colour
// text inside the answer. keepOwnControls then takes cite off any link this render did not make.
const ownClass = /^(?:code-block|code-head|copy-code|image-link|cite|hljs|hljs-[\w-]+|[a-z]+_+|language-[\w-]+)$/;
const purify = DOMPurify(window); // an instance of its own: the hook below is for answers only
purify.addHook('uponSanitizeAttribute', (_, data) => {
  if (data.attrName !== 'class') return;
  data.attrValue = data.attrValue.split(/\s+/).filter(c => ownClass.test(c)).join(' ');
  data.keepAttr = data.attrValue !== '';
});

// After sanitizing: a button this render did not make goes; a link it did not make is an ordinary link (a new tab,
// no opener), whatever data-cite or class="cite" the text gave it.
function keepOwnControls(fragment) {
  for (const button of fragment.querySelectorAll('button')) if (button.getAttribute('data-own') !== ownMark) button.remove();
  for (const link of fragment.querySelectorAll('a')) {
    if (link.getAttribute('data-own') === ownMark && link.classList.contains('cite')) continue;
    for (const name of ['data-cite', 'data-doc', 'data-chunk']) link.removeAttribute(name);
    link.classList.remove('cite');
    if (link.getAttribute('href')) {
      link.setAttribute('target', '_blank');
      link.setAttribute('rel', 'noopener noreferrer');
    }
  }
  for (const own of fragment.querySelectorAll('[data-own]')) own.removeAttribute('data-own');
  const holder = document.createElement('div');
  holder.append(fragment);
  return holder.innerHTML;
}

const citationMarker = /\[([A-Za-z0-9._@-]{1,128})#(\d{1,6})\]/g;

/**
 * Renders an answer to safe HTML. Its citation markers are numbered in the order the answer first cites each source;
 * `citations` (the retrieved {documentId, chunkIndex, documentTitle}) gives their titles. `citations` in the result is
 * what the numbers name: the cited sources, in that order. `cite: false` (a document's own text, which cites nothing)
 * leaves text such as [ticket#123] as it is.
 */
export function renderMarkdown(text, citations = [], { cite = true } = {}) {
  ownMark = newMark();
  const numbered = [];
  const same = (c, doc, chunk) => c.documentId === doc && c.chunkIndex === chunk;
  const withLinks = !cite ? (text || '') : (text || '').replace(citationMarker, (_, doc, chunk) => {
    const index = Number(chunk);
    let n = numbered.findIndex(c => same(c, doc, index));
    if (n < 0) {
      numbered.push(citations.find(c => same(c, doc, index)) ?? { documentId: doc, chunkIndex: index, documentTitle: doc });
      n = numbered.length - 1;
    }
    const title = escape(numbered[n].documentTitle || doc);
    return `<a href="#" class="cite" data-own="${ownMark}" data-cite="${n}" data-doc="${escape(doc)}" data-chunk="${index}" title="${title}">${n + 1}</a>`;
  });
  const html = marked.parse(withLinks);
  return { html: keepOwnControls(purify.sanitize(html, sanitizeOptions)), citations: numbered };
}

/** Handles a click on a rendered code block's Copy button (true when it was one): copies the code, and says so a moment. */
export function copyCodeClick(e) {
  const copy = e.target.closest?.('button.copy-code');
  if (!copy) return false;
  const code = copy.closest('.code-block')?.querySelector('code')?.innerText ?? '';
  copyText(code).then(() => {
    copy.textContent = markdownText.copied;
    setTimeout(() => { copy.textContent = markdownText.copy; }, 1500);
  });
  return true;
}
