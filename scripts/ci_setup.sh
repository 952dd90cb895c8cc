#!/usr/bin/env bash
# System packages the browser and database tests need (Debian): headless Chromium and PostgreSQL.
# Run by .ci/run before `make test`; safe to run again. Without root or network it says so and
# the tests that need these programs skip with a visible reason.
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -eq 0 ]; then
  echo "ci_setup: chromium and postgresql already installed"
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ci_setup: cannot install ${need[*]} (needs root and apt-get); browser/database tests will skip"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || echo "ci_setup: apt-get update failed"
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
  && echo "ci_setup: installed ${need[*]}" \
  || echo "ci_setup: could not install ${need[*]}; browser/database tests will skip"
exit 0
