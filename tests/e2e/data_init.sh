# liandan init --preset: each preset writes a commented sweep file that the spec parser accepts
# (a trial is asked from it), with the playbook's ranges; existing files are not overwritten.
. "$ROOT/tests/lib.sh"
for p in textcnn rcnn mlp generic; do
    expect_exit 0 ld init --preset $p -o $p.yaml
    expect_exit 0 ld ask --sweep $p.yaml
    expect_eq "$(jq -r '.params.optimizer | test("^(adam|adadelta|rmsprop)$")' out.txt)" true "$p optimizer"
    expect_eq "$(jq -r '.params.lr >= 0.0001 and .params.lr <= 1' out.txt)" true "$p lr range"
    expect_eq "$(jq -r '.params.lr_decay' out.txt)" 0.5 "$p lr decay"
    expect_eq "$(jq -r '[.params.dropout] | inside([0.3, 0.5, 0.7])' out.txt)" true "$p dropout"
    expect_eq "$(jq -r '[.params.clip] | inside([5, 10, 15])' out.txt)" true "$p clip"
    # every parameter line has a comment line right above it
    awk '/^parameters:/{p=1; next} p && /^[^ ]/{p=0} p && /^  [a-z_]+:/{ if (prev !~ /^  #/) { print "no comment above: " $0; bad=1 } } {prev=$0} END{exit bad}' $p.yaml ||
        fail "$p: a range without a comment"
done
expect_exit 0 ld init --preset textcnn
expect_grep "embedding_dim: {values: \[128, 256\]}" out.txt
expect_grep "filters: {values: \[16, 32, 128\]}" out.txt
expect_exit 2 ld init --preset textcnn -o textcnn.yaml
expect_grep "exists" err.txt
expect_exit 0 ld init --preset mlp -o textcnn.yaml --force
expect_grep "name: mlp" textcnn.yaml
expect_exit 2 ld init --preset nosuch
expect_grep "generic" err.txt
expect_exit 2 ld init
echo ok
