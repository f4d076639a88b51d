# The data tools from the command line: stats --json, sample/split/classes/balance with exact
# counts and determinism per seed, badcases, the Debian corpus on a fixture, and bad input
# named by file:line with exit 2.
. "$ROOT/tests/lib.sh"
FIX="$ROOT/tests/fixtures/data"
# 60 examples: pos 40, neg 15, meh 5
i=0
while [ $i -lt 60 ]; do
    if [ $((i % 12)) -eq 0 ]; then l=meh; elif [ $((i % 4)) -eq 1 ]; then l=neg; else l=pos; fi
    printf '%s\tsentence %d is here\n' "$l" "$i"
    i=$((i + 1))
done > all.tsv
expect_eq "$(cut -f1 all.tsv | sort | uniq -c | tr -s ' ' | tr '\n' ,)" " 5 meh, 15 neg, 40 pos," "fixture"

expect_exit 0 ld data stats all.tsv --json
expect_eq "$(jq -c '[.files[0].examples, .files[0].classes[0].label, .files[0].classes[0].count, .files[0].imbalance]' out.txt)" '[60,"pos",40,8]' "stats"
expect_eq "$(jq -c '.files[0].tokens' out.txt)" '{"p50":4,"p90":4,"p99":4,"max":4,"mean":4}' "token lengths"

# stratified sample: exact shares, same seed same bytes
expect_exit 0 ld data sample all.tsv -o s1.tsv --n 12 --stratify --seed 5 --json
expect_eq "$(jq -c '.outputs[0].classes' out.txt)" '{"pos":8,"neg":3,"meh":1}' "stratified sample"
expect_exit 0 ld data sample all.tsv -o s2.tsv --n 12 --stratify --seed 5
expect_eq "$(cat out.txt)" "wrote 12 examples in 3 classes to s2.tsv" "sample summary"
cmp s1.tsv s2.tsv || fail "same seed, different sample"
expect_exit 0 ld data sample all.tsv -o s3.tsv --n 12 --stratify --seed 6
cmp -s s1.tsv s3.tsv && fail "another seed gave the same sample"

# split into fastText files, then back: counts add up and every class is in train
expect_exit 0 ld data split all.tsv -o parts --dev 0.1 --test 0.2 --stratify --format fasttext --json
expect_eq "$(jq -c '[.outputs[].examples]' out.txt)" "[42,6,12]" "split sizes"
expect_eq "$(jq -c '.outputs[2].classes' out.txt)" '{"pos":8,"neg":3,"meh":1}' "test classes"
expect_grep "^__label__pos sentence" parts/train.txt
expect_exit 0 ld data sample parts/train.txt -o back.tsv --fraction 1 --format tsv
expect_eq "$(wc -l < back.tsv | tr -d ' ')" 42 "round trip"
expect_grep "^pos	sentence" back.tsv

expect_exit 0 ld data classes all.tsv -o top.tsv --top 2 --json
expect_eq "$(jq -c '.outputs[0].classes' out.txt)" '{"pos":40,"neg":15}' "top 2"
expect_exit 0 ld data balance all.tsv -o bal.tsv --oversample --json
expect_eq "$(jq -c '.outputs[0].classes' out.txt)" '{"meh":40,"neg":40,"pos":40}' "oversample"
expect_exit 0 ld data balance all.tsv -o bal.tsv --undersample --ratio 0.5 --json
expect_eq "$(jq -c '.outputs[0].classes' out.txt)" '{"neg":10,"pos":10,"meh":5}' "undersample"

# badcases on the hand-checked predictions file
expect_exit 0 ld data badcases "$FIX/predictions.tsv" --top 3 --json
expect_eq "$(jq -c '[.examples, .correct, .confusion]' out.txt)" '[11,6,[[2,2,0],[1,2,1],[1,0,2]]]' "badcases"
expect_eq "$(jq -c '[.mistakes[] | [.gold, .predicted, .count, [.examples[].text]]]' out.txt)" '[["a","b",2,["three","two"]],["c","a",1,["six"]]]' "mistakes"
expect_exit 0 ld data badcases "$FIX/predictions.tsv" --top 3
expect_grep "^a -> b (2 mistakes in all)" out.txt

# the Debian corpus from a dumpavail fixture
expect_exit 0 ld data debian -o deb --dumpavail "$FIX/dumpavail.txt" --json
expect_eq "$(jq -c '.input' out.txt)" '{"examples":5,"classes":{"doc":1,"games":1,"kernel":1,"libs":1,"python":1}}' "debian classes"
expect_eq "$(cat deb/*.tsv | sort | head -1)" "doc	documentation for bar" "debian text"

# bad input: file:line and exit 2; no output left behind
printf 'pos\tfine\nno tab on this line\n' > bad.tsv
expect_exit 2 ld data sample bad.tsv -o never.tsv --n 1
expect_grep "^liandan: bad.tsv:2: no tab" err.txt
[ ! -e never.tsv ] || fail "output written from bad input"
ls | grep -q 'never.tsv.tmp' && fail "temporary file left behind"
expect_exit 2 ld data sample all.tsv -o x.tsv --n 2 --stratify
expect_grep "needs --n 3 or more" err.txt
expect_exit 2 ld data sample all.tsv -o x.tsv
expect_grep "one of --n N or --fraction F" err.txt
expect_exit 2 ld data split all.tsv -o d --dev 0.6 --test 0.5
expect_exit 2 ld data nosuch
expect_exit 2 ld data stats missing.tsv
expect_grep "missing.tsv" err.txt
expect_exit 0 ld help data
expect_grep "badcases PREDICTIONS.tsv" out.txt
echo ok
