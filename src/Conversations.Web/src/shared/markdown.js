// Answers are Markdown: marked parses, highlight.js colours code, DOMPurify removes anything unsafe (model output and
// documents are untrusted). Citation markers the platform's prompt asks for, [doc#chunk], become numbered links.
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

for (const [name, lang] of Object.entries({ bash, csharp, css, go, java, javascript, json, python, sql, typescript, xml, yaml }))
  hljs.registerLanguage(name, lang);
hljs.registerAliases(['sh', 'shell', 'zsh'], { languageName: 'bash' });
hljs.registerAliases(['cs', 'c#'], { languageName: 'csharp' });
hljs.registerAliases(['js', 'jsx'], { languageName: 'javascript' });
hljs.registerAliases(['ts', 'tsx'], { languageName: 'typescript' });
hljs.registerAliases(['html', 'svg'], { languageName: 'xml' });
hljs.registerAliases(['yml'], { languageName: 'yaml' });
hljs.registerAliases(['py'], { languageName: 'python' });

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
        `<button type="button" class="copy-code" aria-label="${escape(markdownText.copy)}">${escape(markdownText.copy)}</button></div>` +
        `<pre><code class="hljs">${body}</code></pre></div>`;
    },
  },
});

DOMPurify.addHook('afterSanitizeAttributes', node => {
  if (node.tagName === 'A' && node.getAttribute('href') && !node.hasAttribute('data-cite')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

const citationMarker = /\[([A-Za-z0-9._@-]{1,128})#(\d{1,6})\]/g;

/**
 * Renders an answer to safe HTML. `citations` ({documentId, chunkIndex, documentTitle}) numbers the markers: a marker
 * names the source's position in that list (a marker for a source not in it is appended to it).
 */
export function renderMarkdown(text, citations = []) {
  const numbered = citations.slice();
  const withLinks = (text || '').replace(citationMarker, (_, doc, chunk) => {
    let n = numbered.findIndex(c => c.documentId === doc && c.chunkIndex === Number(chunk));
    if (n < 0) { numbered.push({ documentId: doc, chunkIndex: Number(chunk), documentTitle: doc }); n = numbered.length - 1; }
    const title = escape(numbered[n].documentTitle || doc);
    return `<a href="#" class="cite" data-cite="${n}" data-doc="${escape(doc)}" data-chunk="${Number(chunk)}" title="${title}">${n + 1}</a>`;
  });
  const html = marked.parse(withLinks);
  return { html: DOMPurify.sanitize(html, { ADD_ATTR: ['target'] }), citations: numbered };
}
