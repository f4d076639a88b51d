# The C API from outside the tree: an installed libliandan (make install into a scratch
# prefix, found with pkg-config) drives a study with ask / report / should_prune / tell.
. "$ROOT/tests/lib.sh"
san=""; sanmake=""
case "$BUILD" in *san*) san="-fsanitize=address,undefined"; sanmake=1 ;; esac
make -s -C "$ROOT" install BUILD="$BUILD" SAN="$sanmake" PREFIX="$PWD/prefix" >install.log 2>&1 \
    || { cat install.log; fail "make install"; }
[ -x prefix/bin/liandan ] || fail "binary not installed"
[ -f prefix/include/liandan.h ] || fail "header not installed"
[ -f prefix/lib/libliandan.a ] || fail "library not installed"
export PKG_CONFIG_PATH="$PWD/prefix/lib/pkgconfig"
# the C API's link line holds what the library needs, not the data tools' downloaders
for lib in libcurl libarchive libcrypto; do
    pkg-config --print-requires liandan | grep -q "^$lib" && fail "liandan.pc requires $lib"
done
pkg-config --print-requires liandan | grep -q "^libpq" || fail "liandan.pc lost libpq"
cc -std=c11 -Wall -Wextra -Werror $san $(pkg-config --cflags liandan) "$ROOT/examples/capi/capi_loop.c" \
    $(pkg-config --libs liandan) -o capi_loop || fail "the example does not build against the installed library"
cat > sweep.yaml <<'Y'
name: capi
method: grid
order: sequential
metric: {name: loss}
parameters:
  x: {values: [0.1, 0.3, 0.9]}
  mode: {values: [good, bad]}
early_terminate: {type: threshold, upper: 1.6, n_warmup_steps: 2}
Y
expect_exit 0 ./capi_loop sweep.yaml
expect_grep "ran 6 trials of capi" out.txt
ld trials capi --json > t.json
expect_eq "$(jq '[.trials[] | select(.state == "complete")] | length' t.json)" 4 "complete"
expect_eq "$(jq '[.trials[] | select(.state == "pruned")] | length' t.json)" 2 "pruned by threshold"
ld best capi --json > b.json
expect_eq "$(jq -c '[.params.x, .params.mode, .value]' b.json)" '[0.3,"good",0.2]' "best"
echo ok
