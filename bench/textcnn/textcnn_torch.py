#!/usr/bin/python3
"""textcnn_torch.py — the PyTorch anchor of bench/textcnn/run.sh: the same TextCNN as
liandan-textcnn (same tokenizer rules, vocabulary, initialisation, masked max-over-time pooling,
dropout, max-norm, Adam, batch size and random batch composition) written the usual PyTorch way,
printing the same metric lines so the two are compared in one run. By default the embedding is
updated densely by torch.optim.Adam, the usual PyTorch way; --sparse-embedding uses SparseAdam
for the lazy row updates liandan-textcnn makes. Run with Debian's /usr/bin/python3
(python3-torch 1.13)."""
import argparse
import random
import re
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# liandan-textcnn's tokenizer (trainers/textcnn/data.c): ASCII lowercased; ' and - inside a word
# stay; other ASCII punctuation and each CJK character are tokens of their own.
CJK = "\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TOKEN = re.compile(r"[A-Za-z0-9](?:['\-](?=[A-Za-z0-9])|[^\s!-/:-@\[-`{-~" + CJK + r"])*"
                   r"|[^\s!-/:-@\[-`{-~" + CJK + r"]+|[!-/:-@\[-`{-~" + CJK + r"]")


def tokenize(text):
    return [t.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"))
            for t in TOKEN.findall(text)]


def read(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if "\t" not in line:
                continue
            label, text = line.split("\t", 1)
            rows.append((label.strip(), tokenize(text)))
    return rows


class TextCNN(nn.Module):
    def __init__(self, vocab, emb, windows, maps, classes, dropout, sparse=False):
        super().__init__()
        self.windows = sorted(windows)
        self.emb = nn.Embedding(vocab, emb, padding_idx=0, sparse=sparse)
        nn.init.uniform_(self.emb.weight, -0.25, 0.25)
        with torch.no_grad():
            self.emb.weight[0].zero_()
        self.convs = nn.ModuleList(nn.Conv1d(emb, maps, w) for w in self.windows)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(maps * len(windows), classes)

    def forward(self, ids, lens):
        x = self.emb(ids).transpose(1, 2)              # [B, E, T]
        kmax = self.windows[-1]
        padded = lens.clamp(min=kmax)
        pooled = []
        for w, conv in zip(self.windows, self.convs):
            y = conv(x)                                # [B, maps, T - w + 1]
            valid = torch.arange(y.shape[2]).unsqueeze(0) < (padded - w + 1).unsqueeze(1)
            y = y.masked_fill(~valid.unsqueeze(1), float("-inf"))
            pooled.append(F.relu(y.max(dim=2).values))
        return self.out(self.drop(torch.cat(pooled, 1)))


def batches(rows, order, size, kmax):
    for start in range(0, len(order), size):
        chunk = [rows[i] for i in order[start:start + size]]
        T = max(kmax, max(len(ids) for _, ids in chunk))
        ids = torch.zeros(len(chunk), T, dtype=torch.long)
        for b, (_, toks) in enumerate(chunk):
            ids[b, :len(toks)] = torch.tensor(toks, dtype=torch.long)
        lens = torch.tensor([len(t) for _, t in chunk])
        labels = torch.tensor([lab for lab, _ in chunk])
        yield ids, lens, labels


def evaluate(model, rows, size, kmax):
    model.eval()
    right, loss = 0, 0.0
    with torch.no_grad():
        for ids, lens, labels in batches(rows, list(range(len(rows))), size, kmax):
            logits = model(ids, lens)
            loss += F.cross_entropy(logits, labels, reduction="sum").item()
            right += (logits.argmax(1) == labels).sum().item()
    return right / len(rows), loss / len(rows)


def add_common_args(ap):
    """The flags both anchors share, with liandan-textcnn's defaults."""
    ap.add_argument("--train", required=True)
    ap.add_argument("--dev", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--emb", type=int, default=300)
    ap.add_argument("--maps", type=int, default=100)
    ap.add_argument("--dropout", type=float, default=0.5)
    ap.add_argument("--max-norm", type=float, default=3.0)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--max-len", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--clip", type=float, default=0.0,
                    help="clip gradients by global norm (0: off), as liandan-textcnn --clip")
    ap.add_argument("--sparse-embedding", action="store_true",
                    help="lazy embedding updates with SparseAdam, as liandan-textcnn does")


def load_sets(args):
    """Seeds torch and random, reads the three files and encodes them with liandan-textcnn's
    vocabulary (training words by falling count, then bytes; 0 padding, 1 <unk>). Returns
    train, dev, test as (label id, token ids) lists, the vocabulary size and the class count."""
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    train, dev, test = read(args.train), read(args.dev), read(args.test)
    counts = {}
    for _, toks in train:
        for t in toks:
            counts[t] = counts.get(t, 0) + 1
    words = sorted(counts, key=lambda w: (-counts[w], w.encode()))
    vocab = {w: i + 2 for i, w in enumerate(words)}
    labels = {}
    for lab, _ in train:
        labels.setdefault(lab, len(labels))

    def encode(rows):
        return [(labels[lab], [vocab.get(t, 1) for t in toks[:args.max_len]])
                for lab, toks in rows if lab in labels and toks]

    return encode(train), encode(dev), encode(test), len(vocab) + 2, len(labels)


def fit(model, args, train, dev, test, kmax):
    """liandan-textcnn's training loop: Adam, shuffled batches, max-norm on model.out, clipping
    by global norm with --clip, the best validation epoch's model scored on test; prints the
    same metric lines. model.emb is the embedding, model.out the output layer."""
    if args.sparse_embedding:
        dense = [p for n, p in model.named_parameters() if not n.startswith("emb.")]
        opts = [torch.optim.SparseAdam([model.emb.weight], lr=args.lr),
                torch.optim.Adam(dense, lr=args.lr)]
    else:
        opts = [torch.optim.Adam(model.parameters(), lr=args.lr)]
    best_acc, best_epoch, best_state = -1.0, 0, None
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        model.train()
        order = list(range(len(train)))
        random.shuffle(order)
        loss_sum, right = 0.0, 0
        for ids, lens, y in batches(train, order, args.batch, kmax):
            logits = model(ids, lens)
            loss = F.cross_entropy(logits, y)
            for opt in opts:
                opt.zero_grad()
            loss.backward()
            if args.clip > 0:
                nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            for opt in opts:
                opt.step()
            with torch.no_grad():
                model.emb.weight[0].zero_()
                if args.max_norm > 0:
                    w = model.out.weight
                    norms = w.norm(dim=1, keepdim=True)
                    w.mul_(torch.where(norms > args.max_norm, args.max_norm / norms,
                                       torch.ones_like(norms)))
            loss_sum += loss.item() * len(y)
            right += (logits.argmax(1) == y).sum().item()
        train_secs = time.perf_counter() - t0
        val_acc, val_loss = evaluate(model, dev, args.batch, kmax)
        print(f"epoch={epoch} train_loss={loss_sum / len(train):.4f} "
              f"train_acc={right / len(train):.4f} val_loss={val_loss:.4f} val_acc={val_acc:.4f} "
              f"lr={args.lr:g} secs={time.perf_counter() - t0:.3f} train_secs={train_secs:.3f}",
              flush=True)
        if val_acc > best_acc:
            best_acc, best_epoch = val_acc, epoch
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
    model.load_state_dict(best_state)
    return evaluate(model, test, args.batch, kmax), best_epoch, best_acc


def main():
    ap = argparse.ArgumentParser()
    add_common_args(ap)
    ap.add_argument("--windows", default="3,4,5")
    args = ap.parse_args()
    train, dev, test, nvocab, nclasses = load_sets(args)
    windows = [int(w) for w in args.windows.split(",")]
    kmax = max(windows)
    model = TextCNN(nvocab, args.emb, windows, args.maps, nclasses, args.dropout,
                    args.sparse_embedding)
    (test_acc, test_loss), best_epoch, best_acc = fit(model, args, train, dev, test, kmax)
    print(f"test_acc={test_acc:.4f} test_loss={test_loss:.4f} best_epoch={best_epoch} "
          f"best_val_acc={best_acc:.4f} vocab={nvocab}", flush=True)


if __name__ == "__main__":
    main()
