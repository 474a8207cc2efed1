#!/usr/bin/env bash
# Installs the system packages Tessera's browser and WebGPU tests need, on Debian bookworm (as root):
#  - Debian's Chromium, driven by playwright-core in the demo's browser tests;
#  - Mesa's lavapipe Vulkan driver from bookworm-backports, the software adapter the `webgpu`
#    npm package (Dawn) uses in Node. Bookworm's own Mesa is too old for Dawn.
# Idempotent: a second run installs nothing new. Writes no mirror host name of its own: the
# backports source is a copy of the machine's existing Debian source with the suite changed.
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
  echo "install-system-deps: run as root (apt-get)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

backports=/etc/apt/sources.list.d/tessera-bookworm-backports.sources
if [ ! -f "$backports" ] && ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    # deb822 format: take the first stanza that lists the bookworm suite, change its suites.
    awk 'BEGIN{RS=""; ORS="\n\n"} /Suites:[^\n]*bookworm( |$|\n)/ && !done {
           gsub(/Suites:[^\n]*/, "Suites: bookworm-backports"); print; done=1 }' \
      /etc/apt/sources.list.d/debian.sources > "$backports"
  elif [ -f /etc/apt/sources.list ]; then
    grep -E '^deb .* bookworm( |$)' /etc/apt/sources.list | head -n 1 \
      | sed -E 's/ bookworm( |$)/ bookworm-backports\1/' > /etc/apt/sources.list.d/tessera-bookworm-backports.list
    backports=/etc/apt/sources.list.d/tessera-bookworm-backports.list
  fi
  if [ ! -s "$backports" ]; then
    echo "install-system-deps: found no Debian bookworm apt source to copy for backports" >&2
    exit 1
  fi
  updated=0
fi

need=()
have_pkg chromium || need+=(chromium)
have_pkg mesa-vulkan-drivers || need+=(mesa-vulkan-drivers)
# Mesa from backports is the one Dawn needs: reinstall from there if the stable one is present.
if have_pkg mesa-vulkan-drivers && ! dpkg-query -W -f='${Version}' mesa-vulkan-drivers | grep -q bpo; then
  need+=(mesa-vulkan-drivers)
fi

if [ ${#need[@]} -eq 0 ]; then
  echo "install-system-deps: chromium and lavapipe already installed"
  exit 0
fi

apt-get update -q
if printf '%s\n' "${need[@]}" | grep -qx chromium; then
  apt-get install -y -q --no-install-recommends chromium fonts-liberation
fi
if printf '%s\n' "${need[@]}" | grep -qx mesa-vulkan-drivers; then
  apt-get install -y -q --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1
fi
echo "install-system-deps: done ($(chromium --version 2>/dev/null || echo 'chromium ?'); mesa $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers))"
