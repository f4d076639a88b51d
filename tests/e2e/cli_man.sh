# The manual page: build/liandan.1 is written from the --help table, renders with man -l and
# groff without a warning, and names every command of `liandan help` with its usage line.
. "$ROOT/tests/lib.sh"
page="$BUILD/liandan.1"
[ -s "$page" ] || fail "no $page (make builds it)"
expect_exit 0 ld help --man
cmp -s out.txt "$page" || fail "$page is not what 'liandan help --man' writes now"
warnings=$(groff -man -ww -z "$page" 2>&1)
[ -z "$warnings" ] || fail "groff warnings: $warnings"
LC_ALL=C MANWIDTH=100 man -l "$page" > man.txt 2> man.err || { cat man.err; fail "man -l failed"; }
expect_grep "^LIANDAN(1)" man.txt
expect_grep "EXIT STATUS" man.txt
ld help > help.txt
n=0
for c in $(awk '/^Commands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ {exit}' help.txt); do
    usage=$(ld help "$c" | sed -n '1s/^usage: liandan //p')
    grep -qF -- "$usage" man.txt || fail "the man page lacks '$usage'"
    n=$((n + 1))
done
[ "$n" -ge 20 ] || fail "only $n commands found in 'liandan help'"
echo ok
