#!/usr/bin/env bash
# Renders a worked explanation as HTML and takes a PNG screenshot of it with headless Chromium,
# for a person to review how the page looks (MathML, the loss curve). Not part of the tests.
#
#   scripts/screenshot-html.sh FILE.nabla [OUT.png] [nabla explain options…]
#
# e.g. scripts/screenshot-html.sh examples/classics/step-by-step-2-2-2.nabla /tmp/vi.png --lang vi --steps 100
# Installs Debian's chromium when it is missing. The page is opened from a local file, and
# Chromium is kept from any network traffic of its own.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 1 ]; then
    echo "usage: $0 FILE.nabla [OUT.png] [nabla explain options…]" >&2
    exit 2
fi
input=$1
shift
output=${1:-screenshot.png}
[ $# -gt 0 ] && shift
width=${WIDTH:-1100}
height=${HEIGHT:-6000}

if ! command -v chromium >/dev/null 2>&1; then
    echo "installing chromium (Debian package)…" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

cargo build --quiet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./target/debug/nabla explain "$input" --format html "$@" >"$work/page.html"

chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --no-first-run --user-data-dir="$(mktemp -d -p "$work")" \
    --hide-scrollbars --window-size="$width,$height" \
    --screenshot="$(realpath -m "$output")" "file://$work/page.html" 2>/dev/null
echo "$output"
