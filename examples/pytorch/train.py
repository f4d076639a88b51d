#!/usr/bin/python3
# train.py — the PyTorch example liandan users copy: a small bag-of-embeddings text classifier
# whose flags match examples/pytorch/sweep.yaml and which reports one metric line per epoch.
#
#   /usr/bin/python3 examples/pytorch/train.py --train=data/trec/train.tsv \
#       --dev=data/trec/dev.tsv --lr=0.01 --dropout=0.2 --emb=64 --epochs=5
#
# Data: `label<TAB>text` lines. Prints `epoch=N train_loss=.. train_acc=.. val_loss=.. val_acc=..`
# after every epoch (flushed, so liandan can prune a trial while it runs), and `diverged=1` with
# exit status 1 as soon as the loss is NaN or infinite.
import argparse
import math
import os
import random
import re
import sys

import torch
import torch.nn as nn

TOKEN = re.compile(r"[a-z0-9']+")


def parse_args():
    p = argparse.ArgumentParser(description="bag-of-embeddings text classifier (liandan example)")
    p.add_argument("--train", default="data/trec/train.tsv", help="label<TAB>text training file")
    p.add_argument("--dev", default="data/trec/dev.tsv", help="label<TAB>text validation file")
    p.add_argument("--lr", type=float, default=1e-2)
    p.add_argument("--dropout", type=float, default=0.2)
    p.add_argument("--emb", type=int, default=64, help="embedding size")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--optimizer", choices=["sgd", "adam", "rmsprop", "adagrad"], default="adam")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    return p.parse_args()


def read_tsv(path):
    examples = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip():
                continue
            if "\t" not in line:
                sys.exit(f"train.py: {path}:{n}: expected 'label<TAB>text'")
            label, text = line.split("\t", 1)
            examples.append((label, TOKEN.findall(text.lower())))
    if not examples:
        sys.exit(f"train.py: {path}: no examples")
    return examples


def encode(examples, vocab, labels):
    """Token ids (unknown words dropped) and label ids of each example."""
    return [([vocab[w] for w in words if w in vocab], labels[label]) for label, words in examples]


def batches(data, size, shuffle, rng):
    order = list(range(len(data)))
    if shuffle:
        rng.shuffle(order)
    for start in range(0, len(order), size):
        chunk = [data[i] for i in order[start:start + size]]
        ids, offsets = [], []
        for words, _ in chunk:
            offsets.append(len(ids))
            ids.extend(words)
        yield (torch.tensor(ids, dtype=torch.long), torch.tensor(offsets, dtype=torch.long),
               torch.tensor([y for _, y in chunk], dtype=torch.long))


class BagOfEmbeddings(nn.Module):
    """Mean of the word embeddings, dropout, one linear layer to the classes."""

    def __init__(self, vocab_size, emb, classes, dropout):
        super().__init__()
        self.embed = nn.EmbeddingBag(vocab_size, emb, mode="mean")
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(emb, classes)

    def forward(self, ids, offsets):
        return self.out(self.drop(self.embed(ids, offsets)))


def make_optimizer(name, params, lr):
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if name == "adam":
        return torch.optim.Adam(params, lr=lr)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr)
    return torch.optim.Adagrad(params, lr=lr)


def diverged():
    print("diverged=1", flush=True)
    sys.exit(1)


def run_epoch(model, data, args, device, loss_fn, rng, optimizer=None):
    """One pass; trains when given an optimizer. Returns (mean loss, accuracy)."""
    model.train(optimizer is not None)
    total_loss, correct = 0.0, 0
    with torch.set_grad_enabled(optimizer is not None):
        for ids, offsets, y in batches(data, args.batch, optimizer is not None, rng):
            ids, offsets, y = ids.to(device), offsets.to(device), y.to(device)
            logits = model(ids, offsets)
            loss = loss_fn(logits, y)
            if not math.isfinite(loss.item()):
                diverged()
            if optimizer is not None:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            total_loss += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
    return total_loss / len(data), correct / len(data)


def main():
    args = parse_args()
    # liandan sets OMP_NUM_THREADS to cores / parallel: trials must not fight over the cores.
    threads = os.environ.get("OMP_NUM_THREADS", "")
    if threads.isdigit() and int(threads) > 0:
        torch.set_num_threads(int(threads))
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("train.py: --device=cuda but no CUDA device is visible (CUDA_VISIBLE_DEVICES="
                 + os.environ.get("CUDA_VISIBLE_DEVICES", "unset") + ")")
    # With `gpus:` in the sweep, CUDA_VISIBLE_DEVICES holds this trial's one device: it is cuda:0.
    device = torch.device(args.device)
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)

    train_ex, dev_ex = read_tsv(args.train), read_tsv(args.dev)
    vocab = {}
    for _, words in train_ex:
        for w in words:
            vocab.setdefault(w, len(vocab))
    labels = {}
    for label, _ in train_ex + dev_ex:
        labels.setdefault(label, len(labels))
    train, dev = encode(train_ex, vocab, labels), encode(dev_ex, vocab, labels)

    model = BagOfEmbeddings(max(len(vocab), 1), args.emb, len(labels), args.dropout).to(device)
    optimizer = make_optimizer(args.optimizer, model.parameters(), args.lr)
    loss_fn = nn.CrossEntropyLoss()
    print(f"train.py: {len(train)} train, {len(dev)} dev, {len(vocab)} words, "
          f"{len(labels)} classes, device {device}", file=sys.stderr, flush=True)
    for epoch in range(1, args.epochs + 1):
        train_loss, train_acc = run_epoch(model, train, args, device, loss_fn, rng, optimizer)
        val_loss, val_acc = run_epoch(model, dev, args, device, loss_fn, rng)
        print(f"epoch={epoch} train_loss={train_loss:.4f} train_acc={train_acc:.4f} "
              f"val_loss={val_loss:.4f} val_acc={val_acc:.4f}", flush=True)


if __name__ == "__main__":
    main()
