// The chat's own UI text (shared text is in ../shared/i18n.js).
export const strings = {
  en: {},
  zh: {},
};
