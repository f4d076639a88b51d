# Wrong input on purpose: every mistake exits 2 (3 for storage) with file:line:column or a
# clear reason, and nothing recorded is lost.
. "$ROOT/tests/lib.sh"
cat > typo.yaml <<'Y'
name: typo
method: random
metric: {name: loss}
paramters:
  x: {min: 0, max: 1}
Y
expect_exit 2 ld run typo.yaml
expect_grep "typo.yaml:4:1: unknown key 'paramters'" err.txt
expect_grep "did you mean 'parameters'" err.txt

cat > range.yaml <<'Y'
name: range
method: random
metric: {name: loss}
parameters:
  lr: {distribution: log_uniform_values, min: 0, max: 1}
Y
expect_exit 2 ld run range.yaml
expect_grep "range.yaml:5:" err.txt

cat > macro.yaml <<'Y'
name: macro
command: [sh, trial.sh, "--lr=${lrr}"]
method: random
metric: {name: loss}
parameters:
  lr: {min: 0.1, max: 1.0}
Y
expect_exit 2 ld run macro.yaml
expect_grep "macro.yaml:2:" err.txt
expect_grep "lrr" err.txt

cat > duration.yaml <<'Y'
name: dur
method: random
metric: {name: loss}
timeout: 10 parsecs
parameters:
  x: {min: 0.1, max: 1.0}
Y
expect_exit 2 ld run duration.yaml
expect_grep "duration.yaml:4:" err.txt
expect_grep "parsecs" err.txt

cat > gridc.yaml <<'Y'
name: gridc
command: [sh, trial.sh]
method: grid
metric: {name: loss}
parameters:
  x: {min: 0.1, max: 1.0}
Y
expect_exit 2 ld run gridc.yaml
expect_grep "gridc.yaml:6:3: method grid needs a discrete parameter" err.txt

printf 'name: [unclosed\n' > syntax.yaml
expect_exit 2 ld run syntax.yaml
expect_grep "syntax.yaml:" err.txt

expect_exit 2 ld run no-such-file.yaml
expect_grep "no-such-file.yaml" err.txt

# usage mistakes
expect_exit 2 ld
expect_exit 2 ld frobnicate
expect_grep "no command 'frobnicate'" err.txt
expect_exit 2 ld stauts
expect_grep "no command 'stauts' (did you mean 'status'?)" err.txt
expect_exit 0 ld --version
expect_grep "^liandan [0-9]" out.txt
expect_exit 0 ld -V
expect_grep "^liandan [0-9]" out.txt
# an empty status names the journal it read, without a password
mkdir -p nojournal
(cd nojournal && env -u LIANDAN_STORAGE "$LIANDAN" status) > out.txt
expect_grep "^no studies in liandan.db (no journal there yet); 'liandan run SWEEP.yaml' starts one" \
    out.txt
printf 'method: random\nmetric: {name: loss}\nparameters: {x: {min: 0, max: 1}}\n' > probe.yaml
expect_exit 0 ld --storage "sqlite:///$PWD/fresh.db" ask --sweep probe.yaml
expect_exit 0 ld --storage "sqlite:///$PWD/fresh.db" delete probe --force
expect_exit 0 ld --storage "sqlite:///$PWD/fresh.db" status
expect_grep "^no studies in sqlite:///$PWD/fresh.db;" out.txt
expect_exit 2 ld run
expect_exit 2 ld run --trials zero sweep.yaml
expect_exit 2 ld run --bogus x.yaml
expect_exit 2 ld trials no-such-study
expect_grep "no study named 'no-such-study'" err.txt
expect_exit 2 ld export x --format xml
expect_exit 0 ld help run
cp out.txt help1.txt
expect_exit 0 ld run --help
diff help1.txt out.txt || fail "help run and run --help differ"
expect_grep "Exit status" out.txt

# a study of the same name with a different sweep is refused, and the first is kept
cat > a.yaml <<'Y'
name: same
command: [sh, -c, "echo loss=1"]
method: random
metric: {name: loss}
parameters:
  x: {min: 0.1, max: 1.0}
budget: {trials: 2}
Y
expect_exit 0 ld run a.yaml
sed 's/max: 1.0/max: 2.0/' a.yaml > b.yaml
expect_exit 2 ld run b.yaml
expect_grep "already exists with a different sweep" err.txt
expect_eq "$(ld trials same --json | jq '.trials | length')" 2 "first study kept"

# storage errors exit 3
echo "this is not a database, just text that is long enough to be checked by sqlite......" > bad.db
expect_exit 3 ld status --storage "sqlite:///$PWD/bad.db"
expect_exit 3 ld status --storage "sqlite:///$PWD/no/such/dir/x.db"
echo ok
