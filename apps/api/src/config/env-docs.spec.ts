/**
 * docker/.env.example is the operator's list of settings (README "Running in production"), kept by hand: every
 * setting of the schema is in it, and every setting in it outside its "Compose only" part is one the API reads,
 * so a renamed or new setting cannot silently go missing from what a deployment configures.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EnvSchema } from './env.js';

const root = process.cwd();
const example = readFileSync(path.join(root, 'docker/.env.example'), 'utf8');
/** Read outside the schema, straight from process.env (payments/stripe.gateway.ts). */
const READ_DIRECTLY = ['STRIPE_LOCAL_URL'];
/** Optional settings have no default, so they are not own properties of a fresh EnvSchema. */
const schemaKeys = (): string[] => {
  const source = readFileSync(path.join(root, 'apps/api/src/config/env.ts'), 'utf8');
  const body = source.slice(source.indexOf('export class EnvSchema'), source.indexOf('export interface AppConfig'));
  return [...body.matchAll(/^\s*(?:@.*?\)\s+)*([A-Z][A-Z0-9_]+)[?!]?(?:\s*[:=])/gm)].map((m) => m[1]);
};

/** `NAME=` and commented `# NAME=` lines, by the section (`# --- Title ---`) they are in. */
function settingsBySection(text: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let section = '';
  for (const line of text.split('\n')) {
    const title = /^# --- (.+?) -+$/.exec(line);
    if (title) section = title[1];
    const setting = /^#?\s?([A-Z][A-Z0-9_]+)=/.exec(line);
    if (setting) sections.set(section, [...(sections.get(section) ?? []), setting[1]]);
  }
  return sections;
}

describe('docker/.env.example against the environment schema', () => {
  const sections = settingsBySection(example);
  const documented = [...sections.values()].flat();
  const appSettings = [...sections].filter(([title]) => !title.startsWith('Compose only')).flatMap(([, keys]) => keys);

  it('reads the schema it checks against (the parse of env.ts finds the settings a fresh schema has)', () => {
    const keys = schemaKeys();
    expect(keys.length).toBeGreaterThan(30);
    for (const key of Object.keys(new EnvSchema())) expect(keys).toContain(key);
  });

  it('documents every setting of the schema', () => {
    expect(schemaKeys().filter((key) => !documented.includes(key))).toEqual([]);
  });

  it('lists only settings the API reads outside its Compose-only part', () => {
    const known = [...schemaKeys(), ...READ_DIRECTLY];
    expect(appSettings.filter((key) => !known.includes(key))).toEqual([]);
  });
});
