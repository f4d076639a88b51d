# What a trial receives: one argv element per value (no shell: injection stays inert), the
# LIANDAN_* variables, CUDA_VISIBLE_DEVICES with no two running trials sharing a device, and
# thread counts of cores / parallel.
. "$ROOT/tests/lib.sh"
cat > trial.sh <<'T'
n=$LIANDAN_TRIAL
printf '%s\n' "$@" > "argv.$n"
env | grep -E '^(LIANDAN_|CUDA_VISIBLE_DEVICES|OMP_NUM_THREADS|OPENBLAS_NUM_THREADS|MKL_NUM_THREADS)' | sort > "env.$n"
# hold the device: mkdir is atomic, so a second holder fails
mkdir "gpu.$CUDA_VISIBLE_DEVICES" || { echo "device $CUDA_VISIBLE_DEVICES shared" >&2; exit 9; }
sleep 0.2
rmdir "gpu.$CUDA_VISIBLE_DEVICES"
echo "loss=1"
T
cat > sweep.yaml <<'Y'
name: env
command: [sh, trial.sh, "${args}", "name=${cmd}"]
method: grid
order: sequential
metric: {name: loss}
parameters:
  cmd: {values: ["x; rm -rf ~", "$(touch pwned)", "a b"]}
  lr: {values: [0.001]}
gpus: [0, 1]
parallel: 2
Y
expect_exit 0 ld run sweep.yaml
[ ! -e pwned ] || fail "a value was run by a shell"
expect_eq "$(sed -n 1p argv.0)" "--cmd=x; rm -rf ~" "first argument"
expect_eq "$(sed -n 2p argv.0)" "--lr=0.001" "second argument"
expect_eq "$(sed -n 3p argv.0)" "name=x; rm -rf ~" "macro inside an argument"
expect_eq "$(wc -l < argv.0 | tr -d ' ')" 3 "argument count"
expect_eq "$(sed -n 1p argv.1)" '--cmd=$(touch pwned)' "command substitution inert"
expect_grep "^LIANDAN_STUDY=env$" env.0
expect_grep "^LIANDAN_TRIAL=0$" env.0
expect_grep "^LIANDAN_PARAM_CMD=x; rm -rf ~$" env.0
expect_grep "^LIANDAN_PARAM_LR=0.001$" env.0
expect_grep "^CUDA_VISIBLE_DEVICES=[01]$" env.0
cores=$(getconf _NPROCESSORS_ONLN)
want=$((cores / 2)); [ $want -ge 1 ] || want=1
expect_grep "^OMP_NUM_THREADS=$want$" env.0
expect_grep "^OPENBLAS_NUM_THREADS=$want$" env.1
expect_grep "^MKL_NUM_THREADS=$want$" env.2
# a thread count the user set is left alone
cat > sweep2.yaml <<'Y'
name: env2
command: [sh, trial.sh]
method: random
metric: {name: loss}
parameters:
  x: {value: 1}
gpus: [3]
budget: {trials: 2}
parallel: 2
Y
OMP_NUM_THREADS=7 ld run sweep2.yaml >/dev/null 2>&1 || fail "env2 run"
expect_grep "^OMP_NUM_THREADS=7$" env.0
expect_grep "^CUDA_VISIBLE_DEVICES=3$" env.1
echo ok
