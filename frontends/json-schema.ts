import ajvModule from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';

// ajv is CommonJS: under Node's ESM interop its class is the default export's `default`.
const Ajv = ((ajvModule as unknown as { default?: unknown }).default ?? ajvModule) as new (options: object) => {
  compile<T>(schema: object): ValidateFunction<T>;
};

/**
 * A validator for a build language's JSON schema (grammars/*.schema.json), reporting every
 * error, compiled on first use: ajv's compile took ~150 ms, and every build loads the module
 * that holds it, whatever its language.
 *
 * @example
 * const validator = schemaValidator<Mockerfile>(schema);
 * const validate = validator();
 * if (!validate(doc)) report(validate.errors);
 */
export function schemaValidator<T>(schema: object): () => ValidateFunction<T> {
  let compiled: ValidateFunction<T> | undefined;
  return () => (compiled ??= new Ajv({ allErrors: true, strict: false }).compile<T>(schema));
}

/**
 * Where in the document an ajv error is, as keys and indices; for an unknown key, the key
 * itself (the mistake is where it is written).
 */
export function errorPath(e: ErrorObject): (string | number)[] {
  const parts = e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const out: (string | number)[] = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  if (e.keyword === 'additionalProperties') out.push((e.params as { additionalProperty: string }).additionalProperty);
  return out;
}
