# PostgreSQL URLs that cannot work: a wrong password and a server that is not there give a clear
# message and exit 3, and leave no study behind; a password is never printed.
. "$ROOT/tests/lib.sh"
[ -n "${LIANDAN_TEST_PG_URL:-}" ] || fail "no PostgreSQL server: LIANDAN_TEST_PG_URL is unset (tests/run.sh starts one)"
url=$("$ROOT/tests/pg_server.sh" createdb "e2e_errors_$$")
write_quadratic_trial
cat > sweep.yaml <<'Y'
name: never
command: [sh, trial.sh, "${args}"]
method: random
metric: {name: loss}
parameters:
  x: {min: 0.0, max: 1.0}
  y: {values: [a, b]}
budget: {trials: 2}
Y
# a wrong password (PGPASSWORD wins over the password file)
PGPASSWORD=wrong-password expect_exit 3 ld run sweep.yaml --storage "$url"
expect_grep "liandan: postgresql: cannot connect to $url: .*password authentication failed for user \"liandan\"" err.txt
[ ! -s out.txt ] || fail "stdout: $(cat out.txt)"
# nothing was created, not even the schema
expect_eq "$(psql -X -At "$url" -c "SELECT to_regclass('liandan_meta') IS NULL")" t "schema made"
# a password written in the URL is used but never shown
expect_exit 3 ld status --storage "postgresql://liandan:hunter2@127.0.0.1:1/db"
expect_grep "cannot connect to postgresql://liandan:\*\*\*@127.0.0.1:1/db: connection to server at \"127.0.0.1\", port 1 failed: Connection refused" err.txt
if grep -q hunter2 err.txt out.txt; then fail "the password was printed"; fi
# a server that is not there
expect_exit 3 ld run sweep.yaml --storage "postgres://liandan@127.0.0.1:1/liandan"
expect_grep "Is the server running on that host and accepting TCP/IP connections?" err.txt
# a URL liandan cannot read at all is bad usage
expect_exit 2 ld status --storage "postgresql://127.0.0.1/x?colour=blue"
expect_grep "invalid URI query parameter: \"colour\"; expected postgresql://USER@HOST" err.txt
# and with the right password the same sweep runs, and status reads it back
expect_exit 0 ld run sweep.yaml --storage "$url"
expect_exit 0 ld status --storage "$url" --json
expect_eq "$(jq '.studies[0].complete' out.txt)" 2 "complete"
echo ok
