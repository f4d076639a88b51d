# A trial that another tuner already marked stale (its own tuner went silent too long) and that
# then reports and ends anyway: its values are kept, it stays failed (its re-run owns the
# result), and the reason says how it really ended. Not an error for the late tuner.
. "$ROOT/tests/lib.sh"
cat > sweep.yaml <<'Y'
name: late
method: random
metric: {name: loss}
parameters:
  x: {min: 0.0, max: 1.0}
budget: {trials: 2}
Y
expect_exit 0 ld ask --sweep sweep.yaml
expect_exit 0 ld report late 0 loss=0.75 --step 1
# what a tuner that judged trial 0 stale writes (study.c: ld_study_recover_stale)
python3 - "${LIANDAN_STORAGE#sqlite:///}" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE trials SET state = 'failed', finished = ?, "
           "reason = 'stale: no heartbeat from its tuner for 60s' WHERE number = 0", (time.time(),))
db.commit()
PY
expect_exit 0 ld report late 0 loss=0.5 --step 2
expect_exit 0 ld tell late 0
ld show late 0 --json > t.json
expect_eq "$(jq -r .state t.json)" failed "a stale trial stays failed"
jq -r .reason t.json | grep -q "^stale: no heartbeat.*; it reported late: complete, value 0.5" \
    || fail "late reason: $(jq -r .reason t.json)"
expect_eq "$(jq -c .metrics.loss t.json)" "[[1,0.75],[2,0.5]]" "late values kept"
echo ok
