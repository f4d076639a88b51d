# The README's tour runs as written: every `liandan ...` and `man ...` line of its "Then" block,
# in a folder laid out as a built clone (build/ and examples/), in order. Each exits 0, except
# `stop` of a trial that is not running, which must say so (exit 2).
. "$ROOT/tests/lib.sh"
ln -s "$BUILD" build
ln -s "$ROOT/examples" examples
awk '/^Then \(`build\/liandan`/ {on = 1; next} on && /^```sh$/ {inside = 1; next}
     inside && /^```$/ {exit} inside {print}' "$ROOT/README.md" |
    sed 's/[[:space:]]*#.*$//' > tour.txt
[ "$(wc -l < tour.txt)" -ge 8 ] || { cat tour.txt; fail "the README's tour block was not found"; }
n=0
while read -r cmd args; do
    [ -n "$cmd" ] || continue
    echo "\$ $cmd $args"
    case $cmd in
        liandan) bin=$LIANDAN ;;
        man) bin=man ;;
        *) fail "a tour line that is neither liandan nor man: $cmd $args" ;;
    esac
    want=0
    case $args in stop\ *) want=2 ;; esac
    # eval: the README quotes arguments as a shell would
    set +e; eval "\"\$bin\" $args" > out.txt 2> err.txt < /dev/null; got=$?; set -e
    [ "$got" = "$want" ] || { cat out.txt err.txt; fail "'$cmd $args' exited $got, expected $want"; }
    [ "$want" = 2 ] && expect_grep "is already complete" err.txt
    n=$((n + 1))
done < tour.txt
echo "$n tour lines ran"
expect_exit 0 ld status
expect_grep "^toy-v1 " out.txt
echo ok
