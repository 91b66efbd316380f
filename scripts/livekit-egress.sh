#!/usr/bin/env bash
# Builds LiveKit Egress for the tests of Parlor's Egress recording mode (RECORDER=egress) and prints
# the binary's path. Reuses the build when present. Installs nothing from outside the package
# registries: it fetches Egress's published Go module (the Go module proxy) and the npm packages
# of its web template (the npm registry), and says which Debian packages are missing, if any.
#
# Why v1.8.6, built from source: `go install …@version` cannot build Egress (its main package
# embeds a web template that is not in the module: it is built here from the module's
# template-default, with @livekit/egress-sdk ^0.2.1, into cmd/server/templates), and 1.8.6 builds
# against Debian 12's GStreamer 1.22. The binary must be called `egress` and be on PATH when it
# runs: it starts each recording as a subprocess by that name. It runs with Xvfb, PulseAudio and
# Debian's Chromium; Debian's GStreamer has no AAC encoder Egress knows (faac), so recordings made
# with this build use Opus audio (RECORDING_EGRESS_AUDIO_CODEC=opus). docker-compose.yml runs
# LiveKit's own image of the same version, which has AAC.
set -euo pipefail
version=v1.8.6
template_sdk='@livekit/egress-sdk@^0.2.1'
cache=${PARLOR_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/parlor}
bin_dir="$cache/egress-$version"
bin="$bin_dir/egress"
# Debian 12's packages for the build (GStreamer's headers) and for recording (GStreamer's plugins,
# Xvfb, PulseAudio, fonts); Chromium comes from Debian too. `--apt-packages` prints them.
apt_packages="pkg-config gcc libglib2.0-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  libgstreamer-plugins-bad1.0-dev gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav gstreamer1.0-tools
  gstreamer1.0-x gstreamer1.0-pulseaudio pulseaudio xvfb fonts-noto-core chromium"
apt_packages=$(echo $apt_packages)
if [ "${1:-}" = "--apt-packages" ]; then echo "$apt_packages"; exit 0; fi
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi

# What the build and the recordings need from Debian (see .ci/run, which installs them).
missing=()
for tool in go pkg-config gcc pnpm Xvfb pulseaudio pactl; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 || missing+=(chromium)
if command -v pkg-config >/dev/null 2>&1; then
  for lib in gstreamer-1.0 gstreamer-app-1.0 gstreamer-plugins-base-1.0 gstreamer-plugins-bad-1.0 glib-2.0; do
    pkg-config --exists "$lib" || missing+=("$lib")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  {
    echo "livekit-egress.sh: cannot build Egress $version here; missing: ${missing[*]}."
    echo "On Debian 12 (and Go 1.22 or newer, pnpm from npm):"
    echo "  apt-get install -y --no-install-recommends $apt_packages"
  } >&2
  exit 1
fi

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
echo "Building LiveKit Egress $version (once, into $bin_dir)…" >&2

# The published module, copied out of Go's module cache (read-only there).
src_dir=$(GOFLAGS=-mod=mod go mod download -json "github.com/livekit/egress@$version" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
cp -r "$src_dir" "$work/src"
chmod -R u+w "$work/src"

# Its web template (what Chrome shows for a room composite), built and embedded into the binary.
cp -r "$work/src/template-default" "$work/template"
(
  cd "$work/template"
  pnpm add "$template_sdk" >&2
  CI=false GENERATE_SOURCEMAP=false pnpm run build >&2
)
rm -rf "$work/src/cmd/server/templates"
cp -r "$work/template/build" "$work/src/cmd/server/templates"

(cd "$work/src" && CGO_ENABLED=1 GOFLAGS=-mod=mod go build -o "$work/egress" ./cmd/server) >&2
mkdir -p "$bin_dir"
mv "$work/egress" "$bin"
echo "$bin"
