#!/usr/bin/env bash
# The project's test command (the README's second command; CI runs it through .ci/run).
# Installs the test tools into the active Python, makes sure Debian's Chromium and a font with
# Hangul are there for the browser tests, lints, then runs every test (the MNIST learning tests
# take a few minutes on 2 cores). Extra arguments go to pytest: ./scripts/test.sh tests/app -x
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PIP_DISABLE_PIP_VERSION_CHECK=1
python -m pip install -q -r requirements-dev.txt

CHROMIUM=/usr/bin/chromium

# apt_install PKG...: as root, or through passwordless sudo; returns 1 when neither is possible.
apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 1
  local -a as_root=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      as_root=(sudo -n)
    else
      return 1
    fi
  fi
  ${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get update -q || return 1
  ${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "$@" || return 1
}

has_hangul_font() {
  command -v fc-list >/dev/null 2>&1 && [[ -n $(fc-list :lang=ko family 2>/dev/null) ]]
}

missing=()
[[ -x $CHROMIUM ]] || missing+=(chromium)
has_hangul_font || missing+=(fonts-noto-cjk)
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "test.sh: installing ${missing[*]} with apt-get" >&2
  apt_install "${missing[@]}" || echo "test.sh: could not install ${missing[*]} (needs apt-get and root or sudo -n)" >&2
fi

if [[ ! -x $CHROMIUM ]]; then
  if [[ ${CI:-} == true ]]; then
    echo "test.sh: ERROR: $CHROMIUM is missing, and the browser tests must run in CI." >&2
    echo "test.sh: install it with: apt-get install -y chromium" >&2
    exit 1
  fi
  echo "test.sh: ################################################################" >&2
  echo "test.sh: NOTE: $CHROMIUM is missing: the browser (e2e) tests will be SKIPPED." >&2
  echo "test.sh: Install it with: sudo apt-get install -y chromium" >&2
  echo "test.sh: ################################################################" >&2
fi
if ! has_hangul_font; then
  echo "test.sh: WARNING: no font with Hangul found; Korean screenshots will show boxes." >&2
  echo "test.sh: Install one with: sudo apt-get install -y fonts-noto-cjk" >&2
fi

ruff check .
python -m pytest "$@"
