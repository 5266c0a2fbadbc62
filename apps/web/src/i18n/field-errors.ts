/**
 * Refusals shown next to a form's fields. antd keeps a field's errors in the form's store as text, set once
 * (`form.setFields`), so a language switch would leave them in the old language. A screen that places
 * refusals at fields keeps what they say as data and hands this hook the words in any language; when the
 * language changes, the hook re-words each field that still shows the earlier words. A field the user has
 * edited since has dropped its refusal (or shows a check of its own): it is left as it is.
 */
import { useEffect, useRef } from 'react';
import { Form, type FormInstance } from 'antd';
import { useI18n } from './i18n';
import type { Lang } from './messages';

export type FieldPath = string | number | (string | number)[];

export interface FieldErrors {
  name: FieldPath;
  errors: string[];
}

/** `errorsIn(lang)`: the refusals placed at fields, worded in `lang`, in the same order for every language. */
export type FieldErrorsIn = (lang: Lang) => readonly FieldErrors[];

function sameWords(shown: readonly string[], words: readonly string[]): boolean {
  return shown.length === words.length && shown.every((s, i) => s === words[i]);
}

export function useFieldErrorsInLanguage(form: FormInstance, errorsIn: FieldErrorsIn | null): void {
  const { lang } = useI18n();
  const shownIn = useRef(lang);
  useEffect(() => {
    const before = shownIn.current;
    shownIn.current = lang;
    if (before === lang || !errorsIn) return;
    const old = errorsIn(before);
    const now = errorsIn(lang);
    const updates = now.filter((field, i) => old[i] !== undefined && sameWords(form.getFieldError(old[i].name), old[i].errors));
    if (updates.length > 0) form.setFields(updates.map((f) => ({ name: f.name, errors: f.errors })));
  }, [lang, form, errorsIn]);
}

/**
 * The form's own checks (its `rules`, and antd's default messages for them) worded in the new language when
 * the reader switches: antd keeps the errors of the last check as text until the field is checked again. Put
 * inside a `<Form>`. Each field that shows an error is checked again without touching the form (validateOnly),
 * and only the fields its own rules still refuse get the new words; a field showing a refusal of the API
 * passes its own rules and is left to `useFieldErrorsInLanguage`.
 */
export function RuleErrorsInLanguage(): null {
  const form = Form.useFormInstance();
  const { lang } = useI18n();
  const shownIn = useRef(lang);
  useEffect(() => {
    if (shownIn.current === lang) return;
    shownIn.current = lang;
    const names = form.getFieldsError().filter((f) => f.errors.length > 0).map((f) => f.name);
    if (names.length === 0) return;
    form.validateFields(names, { validateOnly: true }).catch((failed: { errorFields?: { name: FieldPath; errors: string[] }[] }) => {
      const refused = failed.errorFields ?? [];
      if (refused.length > 0) form.setFields(refused.map((f) => ({ name: f.name, errors: f.errors })));
    });
  }, [lang, form]);
  return null;
}
