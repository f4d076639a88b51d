#!/usr/bin/python3
"""phrases.py — a corpus of very short texts for liandan-textcnn's short-text check: from each
`label<TAB>text` line of a sentence corpus (SST-2 or MR), one phrase of 1, 2 or 3 tokens (length
drawn uniformly), a span of the sentence that holds at least one word outside the 150 most frequent
words of the training file (so that "the ," is not a phrase), labelled with its sentence's label.
Tokens are the trainer's (bench/textcnn/textcnn_torch.py's tokenize). Seeded; writes
OUT/{train,dev,test}.tsv from SRC/{train,dev,test}.tsv.

    bench/textcnn/phrases.py SRC OUT [SEED]
"""
import os
import random
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from textcnn_torch import tokenize  # noqa: E402


def rows(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            label, _, text = line.rstrip("\r\n").partition("\t")
            if text:
                yield label, tokenize(text)


def main():
    src, out = sys.argv[1], sys.argv[2]
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    counts = Counter(t for _, toks in rows(os.path.join(src, "train.tsv")) for t in toks)
    common = {w for w, _ in counts.most_common(150)}
    os.makedirs(out, exist_ok=True)
    for split in ("train", "dev", "test"):
        with open(os.path.join(out, split + ".tsv"), "w", encoding="utf-8") as f:
            for label, toks in rows(os.path.join(src, split + ".tsv")):
                n = rng.randint(1, 3)
                spans = [toks[i:i + n] for i in range(len(toks) - n + 1)
                         if any(t not in common for t in toks[i:i + n])]
                if spans:
                    f.write(label + "\t" + " ".join(rng.choice(spans)) + "\n")


if __name__ == "__main__":
    main()
