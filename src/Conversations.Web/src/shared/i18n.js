// UI text in English and Chinese; the language follows the browser (any zh* preference picks Chinese).
// Each app passes its own strings; shared strings (sign-in, errors) live here. `t('key', { n: 3 })` fills {n}.
import { useMemo } from 'preact/hooks';

export const language = (navigator.languages?.length ? navigator.languages : [navigator.language || 'en'])
  .map(l => l.toLowerCase())
  .find(l => l.startsWith('zh') || l.startsWith('en'))?.startsWith('zh') ? 'zh' : 'en';

document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';

const shared = {
  en: {
    'signin.title': 'Sign in',
    'signin.intro': 'Enter the API key your administrator gave you. It is kept until you close this tab.',
    'signin.key': 'API key',
    'signin.submit': 'Sign in',
    'signin.checking': 'Checking…',
    'signin.invalid': 'This key was not accepted. Check it and try again.',
    'signin.expired': 'Your key is no longer valid. Sign in again.',
    'signin.operator': 'This is an operator key: the chat needs a key that belongs to a user of a tenant. Operators work in the admin console at /admin/.',
    'signin.notChat': 'This key cannot be used for the chat: it needs a key that belongs to a user of a tenant.',
    'signout': 'Sign out',
    'role.user': 'user',
    'role.tenant_admin': 'tenant admin',
    'role.operator': 'operator',
    'error.offline': 'You appear to be offline. Check your connection.',
    'error.server': 'Something went wrong on our side.',
    'error.limit': 'Too many requests right now. Wait a moment and try again.',
    'error.tooLarge': 'That is more than the server accepts at once. Send less at a time.',
    'retry': 'Try again',
    'close': 'Close',
    'cancel': 'Cancel',
    'save': 'Save',
  },
  zh: {
    'signin.title': '登录',
    'signin.intro': '请输入管理员发给你的 API 密钥。关闭此标签页前会一直保留。',
    'signin.key': 'API 密钥',
    'signin.submit': '登录',
    'signin.checking': '正在验证…',
    'signin.invalid': '密钥未被接受，请检查后重试。',
    'signin.expired': '你的密钥已失效，请重新登录。',
    'signin.operator': '这是运维密钥：聊天需要属于某个租户用户的密钥。运维请使用 /admin/ 的管理后台。',
    'signin.notChat': '此密钥不能用于聊天：聊天需要属于某个租户用户的密钥。',
    'signout': '退出登录',
    'role.user': '用户',
    'role.tenant_admin': '租户管理员',
    'role.operator': '运维',
    'error.offline': '网络似乎已断开，请检查连接。',
    'error.server': '服务端出了点问题。',
    'error.limit': '请求过于频繁，请稍后再试。',
    'error.tooLarge': '内容超出了服务器能接收的大小，请一次少发送一些。',
    // The platform's error codes in Chinese; English readers get the server's own (fuller) text.
    'error.code.budget_exhausted': '本月的模型预算已用完，暂时无法回答。请联系管理员。',
    'error.code.budget_too_small': '剩余的预算不够回答这个问题。请联系管理员。',
    'error.code.budget_busy': '预算正被进行中的回答占用，请一分钟后再试。',
    'error.code.no_vision_model': '这里没有能读取图片的模型。请去掉图片后再发送。',
    'error.code.model_failed': '模型没能给出回答，请稍后再试。',
    'error.code.model_incomplete': '模型中途停止了，已写出的部分已保存。请稍后再试。',
    'error.code.turn_in_progress': '这个会话正在回答另一条消息，请等它结束后再发送。',
    'error.code.storage_unavailable': '无法保存你的消息，所以没有发送。请稍后再试。',
    'error.code.moderation_unavailable': '内容审核暂时不可用，所以没有回答这条消息。请稍后再试。',
    'error.code.interrupted': '回答被中断了，已写出的部分已保存。请重试。',
    'error.code.stream_failed': '回答在服务端中断了。你的消息已保存，请重试。',
    'error.code.rate_limited': '请求过于频繁，请稍后再试。',
    'error.code.batch_queue_full': '本租户未完成的批处理任务已达上限，这个任务没有排入队列。请等待任务完成或取消一个任务后再提交。',
    'error.code.knowledge_quota_exceeded': '知识库已达到分块数量上限，本次上传没有保存任何内容。请删除不再需要的文档或少上传一些。',
    'error.code.document_being_stored': '这个文档正在被一次上传保存，暂时不能删除。请等上传结束后再试。',
    'error.code.upload_interrupted': '上传中途中断了。之前报告为已保存的文档已经保存；再次上传同样的文件是安全的。',
    'error.code.version_mismatch': '这项设置已被别人修改。请重新加载页面，查看最新内容后再保存。',
    'error.code.idempotency_key_reused': '这条消息的编号已被另一条消息使用。请重新发送。',
    'error.code.stopped': '已按你的要求停止，这条消息没有保存。',
    'error.code.image_type': '不支持这种图片格式。请使用 PNG、JPEG、GIF 或 WebP 图片。',
    'error.code.image_too_large': '图片太大了。请发送更小的图片。',
    'error.code.image_invalid': '无法读取这张图片，文件可能已损坏。',
    'error.code.image_quota_exceeded': '本租户的图片存储空间已满。请联系管理员。',
    'error.code.image_refused': '这张图片不被允许发送。',
    'error.code.image_fetch_failed': '无法获取这张图片的地址。请直接上传图片。',
    'error.code.image_blocked_address': '不允许从这个地址获取图片。请直接上传图片。',
    'retry': '重试',
    'close': '关闭',
    'cancel': '取消',
    'save': '保存',
  },
};

/** A translate function over the shared strings and the app's own. */
export function makeT(own) {
  const table = { ...shared.en, ...own.en, ...(language === 'zh' ? { ...shared.zh, ...own.zh } : {}) };
  return (key, params) => {
    const text = table[key] ?? key;
    return params ? text.replace(/\{(\w+)\}/g, (_, k) => params[k] ?? '') : text;
  };
}

/**
 * The reader's words for a platform error code: the app's translation where it has one (Chinese), else `fallback`
 * (the server's own English text).
 */
export function codeText(t, code, fallback) {
  const key = `error.code.${code}`;
  const text = code ? t(key) : key;
  return text !== key ? text : fallback;
}

/** The friendly sentence for an ApiError (or any error). */
export function describeError(t, error) {
  if (!error) return '';
  if (error.status === 0) return t('error.offline');
  // A body that was no JSON (a captive portal's page, a proxy's error): the parser's words mean nothing to a reader.
  if (error instanceof SyntaxError) return t('error.server');
  const coded = codeText(t, error.body?.code, null);
  if (coded) return coded;
  // A coded problem's own text says what happened and what to do (an upload cut off part-way, a full queue): English
  // readers get it rather than a generic sentence; other languages have the code's translation above.
  if (error.body?.code && error.detail && language === 'en' && error.status !== 429) return error.detail;
  // A limit's own text says which limit, but one that points at a response header is for programs, not people.
  if (error.status === 429) return error.detail && language === 'en' && !error.detail.includes('Retry-After') ? error.detail : t('error.limit');
  if (error.status >= 500) return t('error.server');
  // No problem body (a proxy's own error page in front of the platform): the status is all there is to say.
  if (!error.detail && !error.title && error.status > 0) return t(error.status === 413 ? 'error.tooLarge' : 'error.server');
  const text = error.detail || error.title || error.message || t('error.server');
  // An argument check's message may end with the parameter it names, which means nothing to the reader.
  return text.replace(/\s*\(Parameter '[^']*'\)\s*$/, '');
}

export function useT(own) { return useMemo(() => makeT(own), [own]); }
