#!/usr/bin/env bash
# The project's test command (the README's second command; CI runs it through .ci/run).
# Installs the locked test tools into the active Python (requirements-dev.lock, hashes checked),
# makes sure Debian's Chromium and a font with Hangul are there for the browser tests, nginx
# and HAProxy for the deploy-config tests and Graphviz for the graph export, lints, then runs
# every test (the MNIST learning tests take a few minutes on 2 cores). Extra arguments go to
# pytest, which then runs them as given, in one process: ./scripts/test.sh tests/app -x
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export PIP_DISABLE_PIP_VERSION_CHECK=1
python -m pip install -q -r requirements-dev.lock

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
  # nginx's and HAProxy's package scripts start their service when they can; here nothing is
  # to be started. Without a policy of its own (Debian's Docker images have one), this machine
  # gets one that forbids starting services, for the length of the install.
  local policy=/usr/sbin/policy-rc.d made_policy=false status=0
  if [[ ! -e $policy ]]; then
    ${as_root[@]+"${as_root[@]}"} sh -c "printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy" &&
      made_policy=true
  fi
  ${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    ${as_root[@]+"${as_root[@]}"} env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends "$@" || status=1
  if $made_policy; then
    ${as_root[@]+"${as_root[@]}"} rm -f "$policy"
  fi
  return $status
}

has_hangul_font() {
  command -v fc-list >/dev/null 2>&1 && [[ -n $(fc-list :lang=ko family 2>/dev/null) ]]
}

# nginx and haproxy live in /usr/sbin, which a user's PATH may lack.
has_tool() {
  command -v "$1" >/dev/null 2>&1 || [[ -x /usr/sbin/$1 ]]
}

missing=()
[[ -x $CHROMIUM ]] || missing+=(chromium)
has_hangul_font || missing+=(fonts-noto-cjk)
# tests/app/test_deploy_configs.py runs docs/deploy/ through Debian's nginx and HAProxy.
for tool in nginx haproxy openssl; do
  has_tool $tool || missing+=($tool)
done
# The graph lesson's SVG/PNG export runs Graphviz's dot (ui/export.py).
has_tool dot || missing+=(graphviz)
# npm installs axe-core, the accessibility checker of tests/e2e/test_a11y.py (package.json).
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
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
for tool in nginx haproxy openssl; do
  if ! has_tool $tool; then
    # In CI the deploy-config tests fail without it (CI=true); here they are skipped.
    echo "test.sh: NOTE: $tool is missing: the deploy-config tests will be SKIPPED" \
      "(sudo apt-get install -y $tool)." >&2
  fi
done
if ! has_hangul_font; then
  echo "test.sh: WARNING: no font with Hangul found; Korean screenshots will show boxes." >&2
  echo "test.sh: Install one with: sudo apt-get install -y fonts-noto-cjk" >&2
fi

# axe-core at the version package-lock.json pins (its hash checked by npm ci), into
# node_modules/; nothing is fetched when that version is there already.
axe_wanted=$(python -c 'import json; print(json.load(open("package-lock.json"))["packages"]["node_modules/axe-core"]["version"])')
axe_have=$(python -c 'import json; print(json.load(open("node_modules/axe-core/package.json"))["version"])' 2>/dev/null || true)
if [[ $axe_have != "$axe_wanted" ]]; then
  if command -v npm >/dev/null 2>&1; then
    npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
  elif [[ ${CI:-} == true ]]; then
    echo "test.sh: ERROR: npm is missing, and the accessibility tests must run in CI." >&2
    exit 1
  else
    echo "test.sh: NOTE: npm is missing: the accessibility (axe) tests will be SKIPPED." >&2
  fi
fi

ruff check .
if [[ $# -gt 0 ]]; then
  exec python -m pytest "$@"
fi
# The whole suite, in two parts. First every test that does not time a server, on
# $TEST_WORKERS workers side by side (pytest-xdist; each worker starts its own server and
# Chromium, and takes the next test from the queue when it is free). Much of a browser
# test is waiting for a page, so more workers than cores pays. Then the load and
# hostile-client tests (marker `serial`), alone on the cores, because they read the
# server's CPU time and memory.
#
# A browser test waits for pages in a real Chromium; with three workers on two cores a wait
# now and then runs out while a neighbour holds the cores. When only browser tests (tests/e2e)
# failed in the first part, those tests run once more, alone on the cores, and the part
# passes only if they pass there: the log names each one. Any other failure stands as it is.
# Each part prints its slowest tests (--durations), where CI's time goes.
workers=${TEST_WORKERS:-3}
status=0
rm -f .pytest_cache/v/cache/lastfailed  # so that it names this run's failures only
python -m pytest -n "$workers" --dist worksteal -m "not serial" --durations=30 || status=$?
if [[ $status -eq 1 ]]; then
  mapfile -t failed < <(python scripts/last_failed.py)
  if [[ ${#failed[@]} -gt 0 && ${failed[0]} == e2e-only ]]; then
    echo "test.sh: only browser tests failed beside other workers; running them again alone:" >&2
    printf 'test.sh:   %s\n' "${failed[@]:1}" >&2
    status=0
    python -m pytest "${failed[@]:1}" || status=$?
  fi
fi
python -m pytest -m serial --durations=15 || status=$?
exit $status
