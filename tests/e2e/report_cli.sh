# The report commands from the shell: report STUDY -o FILE (and the ask/tell form beside it),
# plot every kind as SVG and --json, show's braille curves, status's sparkline and bars,
# colours only on request, clear errors, and the 2 MB limit for a 500-trial study.
. "$ROOT/tests/lib.sh"
cat > trial.sh <<'T'
for a; do case $a in --x=*) x=${a#--x=};; --opt=*) o=${a#--opt=};; esac; done
awk -v x="$x" -v o="$o" 'BEGIN{
  peak = 0.9 - (x - 0.3) * (x - 0.3) - (o == "b" ? 0.05 : 0)
  for (e = 1; e <= 4; e++) { a = peak * e / 4
    printf "epoch=%d train_acc=%.4f val_acc=%.4f train_loss=%.4f val_loss=%.4f\n", e, a + 0.02, a, 1 - a, 1.05 - a }
}'
T
cat > sweep.yaml <<'Y'
name: rep
description: does x matter more than opt?
command: [sh, trial.sh, "${args}"]
method: random
metric: {name: val_acc, goal: maximize}
parameters:
  x: {distribution: uniform, min: 0, max: 1}
  opt: {values: [a, b]}
budget: {trials: 12}
parallel: 2
seed: 3
Y
expect_exit 0 ld run sweep.yaml -q
n=$(ld trials rep --json | jq '.trials | length')
expect_eq "$n" 12 "trials run"

# the HTML report: every chart, every trial in the table, no network reference
expect_exit 0 ld report rep -o rep.html
expect_grep "wrote rep.html" err.txt
[ "$(grep -c '<svg class="chart"' rep.html)" -eq $((12 + 5)) ] || fail "expected 17 charts"
expect_eq "$(grep -o 'class="curve"' rep.html | wc -l | tr -d ' ')" $((12 * 4 + 12 + 12)) "curve paths"
expect_eq "$(grep -c '^<tr data-trial=' rep.html)" 12 "table rows"
# hover text on every trial's marks (history, slices, parallel coordinates, curves) and a row
# per trial to highlight with them
for n in 0 5 11; do
    c=$(grep -o "data-trial=\"$n\"><title>trial $n ([a-z]*): val_acc=" rep.html | wc -l)
    [ "$c" -ge 3 ] || fail "trial $n has hover text on $c marks"
done
grep -q "document.addEventListener('click'" rep.html || fail "no click-to-highlight script"
# the best trial: labelled by its number on the curves, in the ramp's darkest colour (viridis's
# violet end, readable on white), not its pale yellow one
best=$(ld best rep --json | jq .trial)
grep -q "class=\"best-label\" data-trial=\"$best\"><text[^>]*>#$best<" rep.html ||
    fail "the best curve is not labelled #$best"
grep -q "stroke=\"#440154\"[^>]*data-trial=\"$best\"" rep.html ||
    fail "the best trial's curve is not the darkest colour"
grep -q 'stroke="#fde725"[^>]*data-trial="'"$best"'"' rep.html && fail "the best curve is pale yellow"
expect_grep "does x matter more than opt?" rep.html
expect_grep "Content-Security-Policy" rep.html
if grep -Eq '(src|href)="(https?:)?//' rep.html; then fail "the report refers to the network"; fi
# the default file name, and stdout
expect_exit 0 ld report rep
[ -s report.html ] || fail "report.html not written"
expect_exit 0 ld report rep -o -
expect_grep "<!DOCTYPE html>" out.txt
# errors: unknown study (2), missing journal (2), unwritable output (1)
expect_exit 2 ld report nosuch -o x.html
expect_grep "no study named 'nosuch'" err.txt
[ ! -e x.html ] || fail "a failed report left a file"
expect_exit 2 ld --storage sqlite:///$PWD/none.db report rep
expect_grep "no journal at" err.txt
[ ! -e none.db ] || fail "the report created a journal"
# sqlite:///tmp/x.db is relative (SQLAlchemy's rule): when the absolute one exists, say so
rel=${PWD#/}
expect_exit 2 ld --storage "sqlite:///$rel/test.db" report rep
expect_grep "a path after sqlite:/// is relative: for the journal at $PWD/test.db write \
sqlite:///$PWD/test.db" err.txt
expect_exit 3 ld --storage "sqlite:///$rel/test.db" run sweep.yaml
expect_grep "for the absolute $PWD/test.db write sqlite:///$PWD/test.db" err.txt
expect_exit 1 ld report rep -o /nonexistent/dir/r.html
expect_grep "cannot write" err.txt
# the ask/tell form of report (the old spelling of record) is kept
expect_exit 2 ld report rep 0
expect_grep "usage: liandan record STUDY TRIAL" err.txt
# a study whose name holds '=' gets its report
expect_exit 0 ld run sweep.yaml --name "lr=0.1" -q
expect_exit 0 ld report "lr=0.1" -o eq.html
grep -q "lr=0.1" eq.html || fail "the report of study 'lr=0.1'"
expect_exit 2 ld report rep other -o x.html
expect_grep "report takes one study, got 'rep' and 'other'" err.txt

# summary metrics (printed once: test_acc=, best_epoch=) in best, trials, export and the report's
# table, and no curve panel of one point for them
sed 's/^}.$/}'"'"'; echo "test_acc=$x best_epoch=4"/' trial.sh > trial_sum.sh
sed -e 's/^name: rep$/name: sum/' -e 's/trial.sh/trial_sum.sh/' -e 's/trials: 12/trials: 3/' \
    sweep.yaml > sum.yaml
expect_exit 0 ld run sum.yaml -q
expect_exit 0 ld best sum
expect_grep "^trial [0-9]*: val_acc=[0-9.]* test_acc=[0-9.]* best_epoch=4$" out.txt
expect_exit 0 ld best sum --json
expect_eq "$(jq -c '.metrics.best_epoch' out.txt)" '{"mean":4,"sd":0,"n":1}' "best --json metrics"
ld trials sum > t.txt
expect_grep "^TRIAL  STATE     VALUE          DURATION  test_acc   best_epoch PARAMS$" t.txt
ld trials sum --columns train_loss > t.txt
expect_grep "DURATION  train_loss PARAMS$" t.txt
expect_exit 2 ld trials sum --columns nope
expect_grep "no trial of sum reported 'nope'" err.txt
ld export sum --format csv > sum.csv
expect_eq "$(head -1 sum.csv)" "number,state,value,x,opt,duration,started,finished,exit,reason,test_acc,best_epoch" \
    "csv header"
expect_eq "$(awk -F, 'NR > 1 && $12 != 4' sum.csv | wc -l)" 0 "csv best_epoch column"
expect_exit 0 ld report sum -o sum.html
grep -q "<th>test_acc</th><th>best_epoch</th><th>x</th>" sum.html || fail "report table columns"
[ "$(grep -o 'best_epoch' sum.html | wc -l)" -eq 1 ] || fail "a curve panel for a summary metric"

# plot: one SVG per kind, well-formed XML, the data as JSON
for kind in curves history parallel slice importance; do
    expect_exit 0 ld plot rep --kind $kind -o $kind.svg
    python3 -c "import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); \
assert r.tag == '{http://www.w3.org/2000/svg}svg', r.tag; assert r.get('data-kind')" $kind.svg \
        || fail "$kind.svg is not an SVG document"
done
expect_exit 0 ld plot rep --kind curves --trial 3 -o t3.svg
expect_eq "$(grep -o 'class="curve"' t3.svg | wc -l | tr -d ' ')" 4 "train/val acc and loss of trial 3"
expect_exit 0 ld plot rep --kind importance --json
expect_eq "$(jq -r '.params[0].name' out.txt)" x "x matters most"
expect_eq "$(jq '[.params[].importance] | add | . * 1000 | round' out.txt)" 1000 "importance sums to 1"
expect_exit 0 ld plot rep --kind history --json
expect_eq "$(jq '[.points[].best] | . == (sort)' out.txt)" true "best so far is monotone"
expect_eq "$(jq '.points | length' out.txt)" 12 "history points"
expect_exit 0 ld plot rep --kind curves --trial 3 --json
expect_eq "$(jq -c '[.charts[].title]' out.txt)" '["acc","loss"]' "curve charts"
expect_eq "$(jq -c '.charts[0].series | map(.key)' out.txt)" '["train_acc","val_acc"]' "pair"
expect_exit 0 ld plot rep --kind parallel --json
expect_eq "$(jq -c '[.axes[].scale]' out.txt)" '["linear","categorical","linear"]' "axes"
expect_exit 2 ld plot rep --kind pie
expect_grep "curves, history, parallel, slice or importance" err.txt
expect_exit 2 ld plot rep --kind history --trial 2
expect_exit 2 ld plot rep --kind curves --trial 99 -o no.svg
expect_grep "has no trial 99" err.txt
[ ! -e no.svg ] || fail "a failed plot left a file"

# show: braille curves with axis labels; no colour when not a terminal or with NO_COLOR
expect_exit 0 ld show rep 3
expect_grep "^curves:" out.txt
expect_grep "acc:" out.txt
expect_grep "train_acc" out.txt
expect_grep "┤" out.txt
expect_grep "└" out.txt
expect_grep "step" out.txt
if grep -q "$(printf '\033')" out.txt; then fail "colour codes in piped output"; fi
# on a terminal: colours, unless NO_COLOR (script(1) gives a pseudo-terminal)
if command -v script >/dev/null 2>&1; then
    script -qec "$LIANDAN show rep 3" /dev/null > tty.txt
    grep -q "$(printf '\033')\[3[14]m" tty.txt || fail "no colour on a terminal"
    NO_COLOR=1 script -qec "$LIANDAN show rep 3" /dev/null > tty2.txt
    if grep -q "$(printf '\033')\[3[14]m" tty2.txt; then fail "colour despite NO_COLOR"; fi
fi
# status STUDY: the sparkline and the importance bars, x first
expect_exit 0 ld status rep
expect_grep "best so far (val_acc, max) over 12 complete trials" out.txt
expect_grep "▁" out.txt
expect_eq "$(sed -n '/^importance:/{n;p;}' out.txt | awk '{print $1}')" x "x on top"

# size: a 500-trial study's report stays under 2 MB
expect_exit 0 "$TOOLS/report_bigstudy" "$LIANDAN_STORAGE" big500 500
expect_exit 0 ld report big500 -o big.html
size=$(wc -c < big.html)
[ "$size" -lt 2000000 ] || fail "500-trial report is $size bytes"
echo "500-trial report: $size bytes"
