# The HTML report and the dashboard in a real headless browser (Debian's chromium, driven by
# tests/browser/cdp.py over the DevTools pipe): pages load with no console error, hold the
# expected number of charts and curve paths, and ask for nothing beyond the file or the
# dashboard itself. The dashboard refreshes while a tuner runs beside it, never writes the
# journal, and stays responsive with a 10,000-trial study.
. "$ROOT/tests/lib.sh"
if ! command -v chromium >/dev/null 2>&1; then
    [ "${CI:-}" = true ] && fail "chromium is missing in CI (scripts/deps.txt installs it)"
    echo "SKIP: chromium is not installed (apt-get install chromium); browser tests not run"
    exit 0
fi
cdp() { python3 "$ROOT/tests/browser/cdp.py" load "$@"; }
dash_pid=""
trap '[ -n "$dash_pid" ] && kill "$dash_pid" 2>/dev/null; true' EXIT

sed -e "s|build/tools/toy_train|$TOOLS/toy_train|" -e 's/--sleep=0.05/--sleep=0.01/' \
    -e 's/trials: 24/trials: 10/' "$ROOT/examples/toy/sweep.yaml" > sweep.yaml
expect_exit 0 ld run sweep.yaml -q
ld export toy-demo --format json > study.json
# expected counts from the journal: one chart per trial with metrics plus five study charts;
# curves: every reported series of every trial, plus the overlay's and parallel lines
n_curves=$(jq '[.trials[] | select(.metrics | length > 0)] | length' study.json)
want_charts=$((n_curves + 5))
want_paths=$(jq '([.trials[].metrics | length] | add)
    + ([.trials[] | select(.metrics.val_acc)] | length)
    + ([.trials[] | select(.value != null)] | length)' study.json)

# 1. the report file
expect_exit 0 ld report toy-demo -o report.html
cdp "file://$PWD/report.html" > page.json || fail "the browser could not load the report"
expect_eq "$(jq -c .errors page.json)" "[]" "console errors in the report"
expect_eq "$(jq .loaded page.json)" true "report loaded"
expect_eq "$(jq .charts page.json)" "$want_charts" "charts in the report"
expect_eq "$(jq .curves page.json)" "$want_paths" "curve paths in the report"
expect_eq "$(jq -c .kinds page.json)" \
    "{\"overlay\":1,\"curves\":$n_curves,\"history\":1,\"parallel\":1,\"slice\":1,\"importance\":1}" \
    "chart kinds"
expect_eq "$(jq .rows page.json)" 10 "table rows"
expect_eq "$(jq -c '[.requests[] | select(startswith("file://") | not)]' page.json)" "[]" \
    "requests leaving the file"

# 1b. the report under a real mouse: the hover text of a point or line in every chart names
#     its trial, params and value; a click on a trial highlights it in every chart and in the
#     table; a drag over the curves zooms in (ticks redrawn for the window), a double-click
#     zooms out; a drag is not a click
best=$(jq -r '[.trials[] | select(.state == "complete")] | max_by(.value) | .number' study.json)
move() { jq -nc --arg t "svg[data-kind=$1] $2[data-trial=\"$best\"]" '{move: $t}'; }
read_js() { jq -nc --arg js "$1" '{eval: $js}'; }
highlighted='[document.querySelector("tr.sel").dataset.trial,
    document.querySelectorAll("svg .sel").length,
    document.querySelectorAll("svg .sel:not([data-trial=\"" +
        document.querySelector("tr.sel").dataset.trial + "\"])").length]'
zoomed='(function () { var z = document.querySelector("g.zoom");
    function ticks(anchor) { return Array.from(document.querySelectorAll(
        "g.zticks text[text-anchor=" + anchor + "]")).map(function (t) { return +t.textContent; }); }
    return {transform: z.hasAttribute("transform"), zticks: document.querySelectorAll("g.zticks").length,
        old: getComputedStyle(document.querySelector("g.ticks")).display,
        x: ticks("middle"), y: ticks("end"), frame: z.dataset.frame.split(" ").map(Number),
        rows: document.querySelectorAll("tr.sel").length}; })()'
cdp "file://$PWD/report.html" --act "$(move history circle.point)" \
    --act "$(move overlay path.curve)" --act "$(move parallel path.curve)" \
    --act "$(move slice circle.point)" \
    --act "$(jq -nc --arg t "svg[data-kind=history] circle.point[data-trial=\"$best\"]" '{click: $t}')" \
    --act "$(read_js "$highlighted")" \
    --act '{"drag": "svg[data-kind=overlay]", "from": [0.4, 0.3], "to": [0.7, 0.6]}' \
    --act "$(read_js "$zoomed")" \
    --act '{"dblclick": "svg[data-kind=overlay]"}' --act "$(read_js "$zoomed")" \
    > mouse.json || fail "the browser could not drive the report"
expect_eq "$(jq -c .errors mouse.json)" "[]" "console errors under the mouse"
for i in 0 1 2 3; do
    under=$(jq -c ".acts[$i].under" mouse.json)
    expect_eq "$(echo "$under" | jq -r .trial)" "$best" "the trial under the pointer ($i: $under)"
    echo "$under" | jq -r .title | grep -q "^trial $best (complete): val_acc=0\.[0-9]*; lr=.*, dropout=" ||
        fail "hover text of act $i: $under"
done
expect_eq "$(jq -c '.acts[5].eval[0]' mouse.json)" "\"$best\"" "the table row highlighted by the click"
[ "$(jq '.acts[5].eval[1]' mouse.json)" -ge 4 ] || fail "highlighted marks: $(jq -c .acts[5] mouse.json)"
expect_eq "$(jq '.acts[5].eval[2]' mouse.json)" 0 "marks of other trials highlighted"
expect_eq "$(jq -c '.acts[7].eval | [.transform, .old, .zticks, .rows]' mouse.json)" '[true,"none",1,1]' \
    "zoomed: curves transformed, old ticks hidden, new ones drawn, highlight kept (a drag is no click)"
# the overlay is 720 x 340 with its frame at x 56-696, y 28-296: the drag from 40% to 70% across
# and 30% to 60% down spans 36-70% of the steps and 34-72% of the values (y grows upwards)
jq -e '.acts[7].eval as $z | $z.frame as $f
    | def inside($lo; $hi; $a; $b): map(. >= $a + $lo * ($b - $a) and . <= $a + $hi * ($b - $a)) | all;
    ($z.x | length) >= 2 and ($z.y | length) >= 2
    and ($z.x | inside(0.35; 0.71; $f[4]; $f[5])) and ($z.y | inside(0.33; 0.73; $f[6]; $f[7]))' \
    mouse.json >/dev/null || fail "zoomed ticks outside the dragged window: $(jq -c .acts[7] mouse.json)"
expect_eq "$(jq -c '.acts[9].eval | [.transform, .zticks, .old]' mouse.json)" '[false,0,"inline"]' \
    "a double-click zooms out"

# 2. the dashboard: read-only, local, same report
start_dashboard() {
    : > dash.err # exists before the background job opens it
    "$LIANDAN" dashboard --port 0 2> dash.err &
    dash_pid=$!
    for _ in $(seq 100); do
        port=$(sed -n 's|.*http://127.0.0.1:\([0-9]*\)/.*|\1|p' dash.err 2>/dev/null)
        [ -n "$port" ] && return 0
        sleep 0.1
    done
    cat dash.err >&2
    fail "the dashboard did not start"
}
stop_dashboard() { kill "$dash_pid"; wait "$dash_pid" || true; dash_pid=""; }
db=${LIANDAN_STORAGE#sqlite:///}
before=$(cat "$db" "$db-wal" 2>/dev/null | sha256sum)
start_dashboard
base="http://127.0.0.1:$port"
cdp "$base/" > index.json
expect_eq "$(jq -c .errors index.json)" "[]" "console errors on the index"
expect_eq "$(jq .studies index.json)" 1 "studies listed"
cdp "$base/study/toy-demo" > dash.json
expect_eq "$(jq -c .errors dash.json)" "[]" "console errors in the dashboard"
expect_eq "$(jq .charts dash.json)" "$want_charts" "charts in the dashboard"
expect_eq "$(jq .curves dash.json)" "$want_paths" "curve paths in the dashboard"
expect_eq "$(jq -c --arg b "$base/" '[.requests[] | select(startswith($b) | not)]' dash.json)" \
    "[]" "requests leaving the dashboard"
python3 - "$base" <<'PY' || fail "dashboard answers"
import sys, urllib.request, urllib.error
b = sys.argv[1]
def code(path, method="GET"):
    try:
        return urllib.request.urlopen(urllib.request.Request(b + path, method=method)).status
    except urllib.error.HTTPError as e:
        return e.code
assert code("/study/nosuch") == 404, "unknown study"
assert code("/study/toy-demo", "POST") == 405, "writes refused"
assert code("/svg/toy-demo?kind=parallel") == 200, "one chart"
assert code("/svg/toy-demo?kind=pie") == 400, "bad kind"
PY
stop_dashboard
after=$(cat "$db" "$db-wal" 2>/dev/null | sha256sum)
expect_eq "$after" "$before" "the journal after the dashboard read it"
ls "$db"* > files.txt
[ ! -e "$db-journal" ] || fail "the dashboard wrote a rollback journal"

# 3. live: a tuner runs beside the dashboard; the open page refreshes itself until it shows
#    every new trial, and the tuner is never blocked
sed -e 's/^name: toy-demo/name: live/' -e 's/--sleep=0.01/--sleep=0.15/' -e 's/trials: 10/trials: 6/' \
    sweep.yaml > live.yaml
start_dashboard
base="http://127.0.0.1:$port"
( sleep 3; "$LIANDAN" run live.yaml -q > run.out 2>&1; echo $? > run.code ) &
run_pid=$!
# the study does not exist for the first seconds: wait for it, then watch the page
for _ in $(seq 100); do ld status live >/dev/null 2>&1 && break; sleep 0.1; done
cdp "$base/study/live" --timeout 55 \
    --wait-for "document.querySelectorAll('table#trials tbody tr td.complete').length + document.querySelectorAll('table#trials tbody tr td.pruned').length >= 6" \
    > live.json
wait $run_pid
expect_eq "$(cat run.code)" 0 "the tuner beside the dashboard"
expect_eq "$(jq .waited live.json)" true "the page refreshed until all trials finished"
expect_eq "$(jq -c .errors live.json)" "[]" "console errors while refreshing"
expect_eq "$(jq .rows live.json)" 6 "rows after refresh"
stop_dashboard

# 4. 10,000 trials: the page is built in seconds, served from cache after, and loads cleanly
export LIANDAN_STORAGE="sqlite:///$PWD/big.db"
expect_exit 0 "$TOOLS/report_bigstudy" "$LIANDAN_STORAGE" big 10000
start_dashboard
base="http://127.0.0.1:$port"
python3 - "$base" <<'PY' || fail "the dashboard is not responsive with 10,000 trials"
import sys, time, urllib.request
b = sys.argv[1]
def timed(path):
    t = time.time()
    body = urllib.request.urlopen(b + path, timeout=60).read()
    return time.time() - t, len(body)
first, size = timed("/study/big")
again, _ = timed("/study/big")
stamp, _ = timed("/stamp/big")
print("10,000 trials: first build %.2fs (%d KB), cached %.3fs, stamp %.3fs"
      % (first, size // 1024, again, stamp))
assert first < 15, first
assert again < 1, again
assert stamp < 1, stamp
PY
cdp "$base/study/big" --timeout 55 > big.json
expect_eq "$(jq -c .errors big.json)" "[]" "console errors with 10,000 trials"
expect_eq "$(jq .rows big.json)" 10000 "rows with 10,000 trials"
# per-trial charts are capped in the dashboard (the best 100); overlay and parallel draw
# at most 2000 lines each
expect_eq "$(jq .kinds.curves big.json)" 100 "trial charts in the dashboard"
[ "$(jq .curves big.json)" -le $((100 * 4 + 2000 + 2000)) ] || fail "too many paths"
stop_dashboard
