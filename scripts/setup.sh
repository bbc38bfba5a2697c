#!/usr/bin/env bash
# Sets up kiln on a fresh Debian machine: the Debian packages kiln drives (when
# run as root), the npm packages, and the build. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(runc busybox-static docker-registry skopeo umoci git ca-certificates zstd apache2-utils openssl debootstrap)

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  missing=()
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  echo "setup: not root; skipping Debian packages (${DEBIAN_PACKAGES[*]}): integration tests that need them will say so"
fi

npm ci --no-audit --no-fund
npm run build
