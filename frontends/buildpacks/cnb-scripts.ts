// The shell that runs inside the build image: CNB's detect and build phases for buildpacks
// mounted at /cnb/buildpacks/<n>, the app at /workspace, layers at /layers/<n>. Kept in sh so
// any build image with a POSIX shell works (busybox included).

/** Runs every buildpack's bin/detect; writes /out/<n>.exit, /out/<n>.plan.toml, /out/<n>.log. */
export function detectScript(count: number): string {
  return `set -u
cd /workspace
for n in $(seq 0 ${count - 1}); do
  d=/cnb/buildpacks/$n
  : > /out/$n.plan.toml
  CNB_BUILDPACK_DIR=$d CNB_PLATFORM_DIR=/platform CNB_BUILD_PLAN_PATH=/out/$n.plan.toml \\
    "$d/bin/detect" /platform /out/$n.plan.toml > /out/$n.log 2>&1
  echo $? > /out/$n.exit
done
exit 0`;
}

/**
 * Runs buildpack <n>'s bin/build with the CNB environment: earlier buildpacks' build layers
 * on PATH, LD_LIBRARY_PATH and their env/ and env.build/ files applied; its cache layers
 * restored from /cache first and saved back after; its launch layers copied to /export.
 */
export function buildScript(n: number, earlier: readonly number[]): string {
  return `set -eu
${ENV_RULES}
for k in ${earlier.join(' ')}; do
  for layer in /layers/$k/*/; do
    [ -d "$layer" ] || continue
    toml="\${layer%/}.toml"
    grep -Eq '^[[:space:]]*build[[:space:]]*=[[:space:]]*true' "$toml" 2>/dev/null || continue
    [ -d "$layer/bin" ] && PATH="$layer/bin:$PATH"
    [ -d "$layer/lib" ] && LD_LIBRARY_PATH="$layer/lib\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    apply_env "$layer/env"; apply_env "$layer/env.build"
  done
done
export PATH; export LD_LIBRARY_PATH="\${LD_LIBRARY_PATH:-}"
for f in /platform/env/*; do [ -f "$f" ] && export "$(basename "$f")=$(cat "$f")"; done
L=/layers/${n}
for c in /cache/*.toml; do
  [ -f "$c" ] || continue
  name=$(basename "$c" .toml)
  cp -a "$c" "$L/$name.toml" && [ -d "/cache/$name" ] && cp -a "/cache/$name" "$L/$name"
done
cd /workspace
CNB_BUILDPACK_DIR=/cnb/buildpacks/${n} CNB_LAYERS_DIR=$L CNB_PLATFORM_DIR=/platform CNB_BP_PLAN_PATH=/cnb/plan.toml \\
  /cnb/buildpacks/${n}/bin/build "$L" /platform /cnb/plan.toml
for toml in "$L"/*.toml; do
  [ -f "$toml" ] || continue
  name=$(basename "$toml" .toml)
  case "$name" in launch|build|store) [ "$name" = launch ] && cp -a "$toml" /export/launch.toml; continue;; esac
  if grep -Eq '^[[:space:]]*cache[[:space:]]*=[[:space:]]*true' "$toml"; then
    rm -rf "/cache/$name" "/cache/$name.toml"; cp -a "$toml" /cache/; [ -d "$L/$name" ] && cp -a "$L/$name" /cache/
  fi
  if grep -Eq '^[[:space:]]*launch[[:space:]]*=[[:space:]]*true' "$toml"; then
    cp -a "$toml" /export/ && [ -d "$L/$name" ] && cp -a "$L/$name" /export/
  fi
done
exit 0`;
}

/**
 * CNB's environment file rules for one env dir: NAME (override unless a suffix says),
 * NAME.override, NAME.default (only if unset), NAME.append / NAME.prepend (with NAME.delim,
 * else nothing between).
 */
const ENV_RULES = `apply_env() {
  [ -d "$1" ] || return 0
  for f in "$1"/*; do
    [ -f "$f" ] || continue
    base=$(basename "$f"); name=\${base%.*}; kind=\${base##*.}
    [ "$name" = "$base" ] && kind=override
    [ "$kind" = delim ] && continue
    val=$(cat "$f"); delim=""; [ -f "$1/$name.delim" ] && delim=$(cat "$1/$name.delim")
    eval "cur=\\\${$name:-}"
    case "$kind" in
      override) export "$name=$val" ;;
      default) [ -n "$cur" ] || export "$name=$val" ;;
      append) if [ -n "$cur" ]; then export "$name=$cur$delim$val"; else export "$name=$val"; fi ;;
      prepend) if [ -n "$cur" ]; then export "$name=$val$delim$cur"; else export "$name=$val"; fi ;;
    esac
  done
}`;
