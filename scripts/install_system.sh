#!/usr/bin/env bash
# Install the Debian packages the tests start for real: the headless browser and CJK fonts
# (Playwright drives Debian's chromium through executable_path=/usr/bin/chromium, because
# `playwright install` cannot download browsers here), nginx (the HTTPS reverse-proxy tests),
# PostgreSQL (the shared conversation store's tests) and systemd (`systemd-analyze verify` of
# deploy/rag.service); libgl1 and libglib2.0-0 are what the OCR engine's OpenCV loads.
# Safe to run repeatedly: it does nothing when every package is installed.
set -euo pipefail

packages=(chromium fonts-noto-cjk nginx postgresql openssl systemd libgl1 libglib2.0-0)
missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install_system: ${packages[*]} already installed"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi

echo "install_system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install_system: done ($(/usr/bin/chromium --version 2>/dev/null || echo 'chromium version unknown'))"
