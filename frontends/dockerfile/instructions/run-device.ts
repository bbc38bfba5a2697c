import { csvFields } from './csv-fields.js';
import { didYouMean, failure, isFailure, wrapFailure, type Failure } from './failure.js';
import { goParseBool } from './go-strconv.js';

/**
 * `RUN --device=name[,required[=bool]]`: BuildKit's `commands_rundevice.go`.
 * The name is a CDI device name (`vendor.com/class=name`), given bare or as
 * `name=…`; the first field that is not an option is the name.
 */
export interface RunDevice {
  readonly name: string;
  readonly required: boolean;
}

const invalid = (message: string, hint?: string): Failure => failure('invalid-device', message, hint);

/**
 * Parses one `--device` value.
 *
 * @example
 * parseDevice('vendor1.com/device=foo,required') // { name: 'vendor1.com/device=foo', required: true }
 */
export function parseDevice(spec: string): RunDevice | Failure {
  const fields = csvFields(spec);
  if (isFailure(fields)) return wrapFailure({ ...fields, slug: 'invalid-device' }, 'failed to parse csv devices');
  let name = '';
  let required = false;
  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const value = field.slice(eq + 1);
    if (eq < 0) {
      if (key === 'required') {
        required = true;
        continue;
      }
      if (name === '') {
        name = field;
        continue;
      }
      return invalid(`invalid field '${field}' must be a key=value pair`);
    }
    switch (key) {
      case 'name':
        if (name !== '') return invalid(`device name already set to ${name}`);
        name = value;
        break;
      case 'required': {
        const b = goParseBool(value);
        if (b === undefined) return invalid(`invalid value for ${key}: ${value}`);
        required = b;
        break;
      }
      default:
        // `vendor.com/class=name`: a CDI name contains `=`, so an unknown key is the name when none is set yet.
        if (name === '') {
          name = field;
          break;
        }
        return invalid(`unexpected key '${key}' in '${field}'`, didYouMean(key, ['name', 'required'], true));
    }
  }
  return { name, required };
}
