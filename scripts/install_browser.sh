#!/usr/bin/env bash
# Install the headless browser and CJK fonts the browser tests need (Debian packages).
# Playwright drives Debian's chromium through executable_path=/usr/bin/chromium, because
# `playwright install` cannot download browsers here. Safe to run repeatedly: it does nothing
# when both packages are already installed.
set -euo pipefail

packages=(chromium fonts-noto-cjk)
missing=()
for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$pkg")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install_browser: chromium and fonts-noto-cjk already installed"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi

echo "install_browser: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install_browser: done ($(/usr/bin/chromium --version 2>/dev/null || echo 'chromium version unknown'))"
