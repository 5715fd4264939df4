/**
 * i18next with every feature's words, in English and Simplified Chinese. The browser's language chooses
 * at first; the switch in the shell changes it (remembered in localStorage: a preference, not a secret).
 * A missing key is reported on the console as an error, which the browser tests treat as a failure.
 */
import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import { LANGUAGES, NAMESPACES, type Language } from "./i18nResources";

export { LANGUAGES, type Language };

const STORAGE_KEY = "ledgerline.language";

export function initialLanguage(): Language {
  const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (stored === "en" || stored === "zh-CN") return stored;
  const preferred = globalThis.navigator?.languages ?? [];
  return preferred.some((l) => l.toLowerCase().startsWith("zh")) ? "zh-CN" : "en";
}

export function rememberLanguage(language: Language): void {
  globalThis.localStorage?.setItem(STORAGE_KEY, language);
  document.documentElement.lang = language;
}

const resources = Object.fromEntries(
  LANGUAGES.map((language) => [language, Object.fromEntries(Object.entries(NAMESPACES).map(([ns, text]) => [ns, text[language]]))]),
);

export function initI18n(): typeof i18next {
  const language = initialLanguage();
  document.documentElement.lang = language;
  void i18next.use(initReactI18next).init({
    resources,
    lng: language,
    fallbackLng: false,
    supportedLngs: [...LANGUAGES],
    ns: Object.keys(NAMESPACES),
    defaultNS: "app",
    interpolation: { escapeValue: false },
    saveMissing: true,
    missingKeyHandler: (languages, namespace, key) => {
      console.error(`i18n: missing key ${namespace}:${key} in ${languages.join(",")}`);
    },
    returnNull: false,
  });
  return i18next;
}
