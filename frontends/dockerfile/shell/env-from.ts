import type { ShellEnv } from './shell-lex.js';

/**
 * A ShellEnv over a record, a Map, or `KEY=value` strings (BuildKit's
 * `EnvsFromSlice`): an entry without `=` sets KEY to '', and a later KEY wins,
 * as a later `ENV`/`ARG` does. Names are case-sensitive (unix semantics). The
 * source is copied, so later changes to it are not seen.
 *
 * @example
 * envFrom(['PATH=/bin', 'PATH=/usr/bin']).get('PATH'); // '/usr/bin'
 * envFrom({ HOME: '/root' }).get('USER');               // undefined
 */
export function envFrom(source: Readonly<Record<string, string>> | ReadonlyMap<string, string> | readonly string[]): ShellEnv {
  const vars = new Map<string, string>();
  if (isList(source)) {
    for (const entry of source) {
      const eq = entry.indexOf('=');
      if (eq < 0) vars.set(entry, '');
      else vars.set(entry.slice(0, eq), entry.slice(eq + 1));
    }
  } else if (source instanceof Map) {
    for (const [key, value] of source as ReadonlyMap<string, string>) vars.set(key, value);
  } else {
    // Own properties only: `constructor` or `toString` must not look like set variables.
    for (const [key, value] of Object.entries(source)) vars.set(key, value);
  }
  return Object.freeze({ get: (name: string) => vars.get(name) });
}

function isList(source: unknown): source is readonly string[] {
  return Array.isArray(source);
}
