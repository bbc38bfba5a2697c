import type { llb } from '../../../compiler/index.js';

/**
 * `user[:group]` as file ownership, the way BuildKit's `llb.WithUser` reads
 * `COPY --chown` and the USER a WORKDIR is created for.
 *
 * Each part is an id when Go's `strconv.ParseInt(v, 10, 32)` accepts it (signs
 * included, negative ids wrap to uint32 as the protobuf field does) or when it is
 * `root`; anything else is a name resolved in the image. An empty part becomes
 * id 0, because BuildKit's `UserOpt{Name: ""}` marshals as `byId: 0`. Without
 * `:group` only the user is set.
 *
 * @example
 * chownOf('1000:staff'); // { user: 1000, group: 'staff' }
 * chownOf(':1000');      // { user: 0, group: 1000 }
 */
export function chownOf(spec: string): llb.ChownOptions {
  const colon = spec.indexOf(':');
  if (colon < 0) return { user: ownerPart(spec) };
  return { user: ownerPart(spec.slice(0, colon)), group: ownerPart(spec.slice(colon + 1)) };
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function ownerPart(v: string): llb.Owner {
  if (v === 'root' || v === '') return 0;
  if (/^[+-]?\d+$/.test(v)) {
    const n = Number(v);
    if (n >= INT32_MIN && n <= INT32_MAX) return n >>> 0;
  }
  return v;
}
