#!/usr/bin/env bash
# Installs the pinned livekit-server for tests (built from its published Go module) and prints its
# path. Reuses the build when present. Needs Go; without it, says so and exits 1.
#
# Why v1.13.5: it is the newest release whose go.mod has no `replace` directives, so
# `go install …@version` can build it (v1.13.6 and later replace pion/webrtc with LiveKit's fork,
# which `go install` refuses). It speaks the signalling protocol of the livekit-client in the
# lockfile. docker-compose.yml runs the same version's image.
set -euo pipefail
version=v1.13.5
cache=${PARLOR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/parlor}
bin_dir="$cache/livekit-server-$version"
bin="$bin_dir/server"
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
if ! command -v go >/dev/null 2>&1; then
  echo "livekit-server.sh: Go is not installed, so livekit-server $version cannot be built here." >&2
  exit 1
fi
mkdir -p "$bin_dir"
echo "Building livekit-server $version (go install, once)…" >&2
GOBIN="$bin_dir" GOFLAGS=-mod=mod go install "github.com/livekit/livekit-server/cmd/server@$version" >&2
echo "$bin"
