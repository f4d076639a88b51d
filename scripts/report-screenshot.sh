#!/bin/sh
# report-screenshot.sh — remakes docs/report-demo.png, the README's picture of the HTML report:
# runs the README's toy study (examples/toy/sweep.yaml) in a scratch journal, writes its report
# and photographs the top of the page in headless Chromium (tests/browser/cdp.py).
# Usage: scripts/report-screenshot.sh [BUILD_DIR] [OUT.png]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build="$root/$build" ;; esac
out=${2:-$root/docs/report-demo.png}
command -v chromium >/dev/null || { echo "report-screenshot: needs chromium (apt-get install chromium)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/liandan-shot.XXXXXX")
trap 'rm -rf "$work"' EXIT
export LIANDAN_STORAGE="sqlite:///$work/journal.db"
sed "s|build/tools/toy_train|$build/tools/toy_train|" "$root/examples/toy/sweep.yaml" > "$work/sweep.yaml"
(cd "$work" && "$build/liandan" run sweep.yaml -q)
"$build/liandan" note toy-demo --conclusion "$("$build/liandan" best toy-demo | head -n 1)" \
    --next "liandan refine toy-demo -o next.yaml" >/dev/null
"$build/liandan" report toy-demo -o "$work/report.html" 2>/dev/null
python3 "$root/tests/browser/cdp.py" load "file://$work/report.html" --width 1240 --height 1000 \
    --screenshot "$out" >/dev/null
echo "report-screenshot: wrote $out"
