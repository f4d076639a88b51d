# data fetch against a real HTTP server on 127.0.0.1 serving fixture archives: each data set
# converts to train/dev/test; a wrong checksum, a file without a checksum on record and a
# connection that breaks mid-file each give a clear error, exit 1 and no output.
. "$ROOT/tests/lib.sh"
RAW="$ROOT/tests/fixtures/data/raw"
mkdir -p www
tar -czf www/rt-polaritydata.tar.gz -C "$RAW" rt-polaritydata
tar -czf www/rotten_imdb.tar.gz -C "$RAW/rotten_imdb" quote.tok.gt9.5000 plot.tok.gt9.5000
cp "$RAW/train_5500.label" "$RAW/TREC_10.label" www/
python3 -c '
import os, sys, zipfile
def z(out, root, names):
    with zipfile.ZipFile(out, "w") as f:
        for n in names: f.write(os.path.join(root, n), n)
raw = sys.argv[1]
z("www/trainDevTestTrees_PTB.zip", raw, ["trees/train.txt", "trees/dev.txt", "trees/test.txt"])
z("www/datasmall_NB_ACL12.zip", os.path.join(raw, "nb"), ["data/customerr/custrev.pos",
  "data/customerr/custrev.neg", "data/mpqa/mpqa.pos", "data/mpqa/mpqa.neg"])
' "$RAW"
sha() { sha256sum "www/$1" | cut -d' ' -f1; }

# A file server that breaks the connection halfway through every file while www/BROKEN exists.
cat > server.py <<'PY'
import http.server, os, sys
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        path = os.path.join("www", os.path.basename(self.path))
        if not os.path.isfile(path):
            self.send_error(404); return
        data = open(path, "rb").read()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if os.path.exists("www/BROKEN"):
            self.wfile.write(data[: len(data) // 2]); self.wfile.flush()
            self.connection.shutdown(2); return
        self.wfile.write(data)
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open("port.tmp", "w").write(str(s.server_address[1])); os.rename("port.tmp", "port")
s.serve_forever()
PY
python3 server.py & server=$!
trap 'kill $server 2>/dev/null || true' EXIT
i=0; until [ -s port ]; do sleep 0.1; i=$((i + 1)); [ $i -lt 100 ] || fail "server did not start"; done
export LIANDAN_FETCH_BASE_URL="http://127.0.0.1:$(cat port)/data"

# mr: no SHA-256 on record, the MD5 on record does not match the fixture: refused
expect_exit 1 ld data fetch mr -o mr
expect_grep "MD5 is .* but 50c1c2c047b4225e148e97aa7708c34e was on record" err.txt
[ -z "$(ls -A mr)" ] || fail "mr: output left after a checksum mismatch: $(ls -A mr)"
# with the fixture's SHA-256 accepted: converted, 80/10/10 stratified, Latin-1 made UTF-8
expect_exit 0 ld data fetch mr -o mr --sha256 "rt-polaritydata.tar.gz=$(sha rt-polaritydata.tar.gz)" --json
expect_eq "$(jq -c '[.outputs[].examples]' out.txt)" "[16,2,2]" "mr split"
expect_eq "$(jq -c '.outputs[1].classes' out.txt)" '{"neg":1,"pos":1}' "mr dev"
expect_eq "$(ls -A mr | tr '\n' ' ')" "dev.tsv test.tsv train.tsv " "mr files"
grep -h 'caf' mr/*.tsv | grep -q "café" || fail "mr: Latin-1 not converted"
# a wrong SHA-256
expect_exit 1 ld data fetch mr -o mr2 --sha256 "rt-polaritydata.tar.gz=$(printf '0%.0s' $(seq 64))"
expect_grep "SHA-256 is $(sha rt-polaritydata.tar.gz) but 0000" err.txt
expect_grep "Nothing was written" err.txt
[ -z "$(ls -A mr2)" ] || fail "mr2: output left after a wrong checksum"
# no checksum on record at all: refused, with the SHA-256 to check
expect_exit 1 ld data fetch subj -o subj
expect_grep "no checksum on record for this file; its SHA-256 is $(sha rotten_imdb.tar.gz)" err.txt
expect_exit 0 ld data fetch subj -o subj --sha256 "rotten_imdb.tar.gz=$(sha rotten_imdb.tar.gz)" --json
expect_eq "$(jq -c '.input.classes' out.txt)" '{"obj":10,"subj":10}' "subj classes"

# sst2: the SHA-256 on record is the publisher's archive's, not the fixture's: refused
expect_exit 1 ld data fetch sst2 -o sst2
expect_grep "SHA-256 is $(sha trainDevTestTrees_PTB.zip) but 5c613a4f673fc74097d523a2c83f38e0cc462984d847b82c7aaf36b01cbbbfcc was on record" err.txt
[ -z "$(ls -A sst2)" ] || fail "sst2: output left after a checksum mismatch"
# the official splits, neutral dropped, lower-cased leaves
expect_exit 0 ld data fetch sst2 -o sst2 --sha256 "trainDevTestTrees_PTB.zip=$(sha trainDevTestTrees_PTB.zip)" --json
expect_eq "$(jq -c '[.outputs[].examples]' out.txt)" "[2,2,2]" "sst2 splits"
expect_grep "^neg	a terrible -lrb- mess -rrb-$" sst2/train.tsv
expect_grep "^pos	crème brûlée$" sst2/dev.tsv
z=$(sha datasmall_NB_ACL12.zip)
expect_exit 0 ld data fetch cr -o cr --sha256 "datasmall_NB_ACL12.zip=$z" --json
expect_eq "$(jq -c '.input.examples' out.txt)" 20 "cr"
expect_exit 0 ld data fetch mpqa -o mpqa --sha256 "datasmall_NB_ACL12.zip=$z" --json
expect_eq "$(jq -c '.input.classes' out.txt)" '{"neg":3,"pos":3}' "mpqa"
# trec: two plain files; their SHA-256 on record is the publisher's, so the fixtures need theirs
expect_exit 0 ld data fetch trec -o trec --sha256 "train_5500.label=$(sha train_5500.label)" \
    --sha256 "TREC_10.label=$(sha TREC_10.label)" --json
expect_eq "$(jq -c '[.outputs[].examples]' out.txt)" "[11,1,3]" "trec"

# a connection broken halfway: curl's error, exit 1, nothing left in the folder
touch www/BROKEN
expect_exit 1 ld data fetch subj -o broken --sha256 "rotten_imdb.tar.gz=$(sha rotten_imdb.tar.gz)"
expect_grep "downloading http://127.0.0.1:.*/data/rotten_imdb.tar.gz: " err.txt
[ -z "$(ls -A broken)" ] || fail "broken: output left after a broken download"
rm www/BROKEN
# a refused connection and a 404
LIANDAN_FETCH_BASE_URL="http://127.0.0.1:1" expect_exit 1 ld data fetch subj -o refused
expect_grep "downloading http://127.0.0.1:1/rotten_imdb.tar.gz" err.txt
rm www/rotten_imdb.tar.gz
expect_exit 1 ld data fetch subj -o gone
expect_grep "404" err.txt
expect_exit 2 ld data fetch nosuch -o x
expect_exit 2 ld data fetch
expect_grep "mpqa" err.txt

# --from converts files downloaded by hand
mkdir -p byhand && cp "$RAW/train_5500.label" "$RAW/TREC_10.label" byhand/
expect_exit 0 ld data fetch trec -o trec2 --from byhand
cmp trec/train.tsv trec2/train.tsv || fail "--from differs from the download"
echo ok
