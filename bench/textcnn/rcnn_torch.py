#!/usr/bin/python3
"""rcnn_torch.py — the PyTorch anchor of bench/textcnn/rcnn.sh: liandan-textcnn's RCNN (--model
rcnn) written the usual PyTorch way, with the data handling, tokenizer, vocabulary, training loop
and metric lines of textcnn_torch.py, so the two implementations are compared in one run.

The model, as trainers/textcnn/model.h and rnn.h define it: embedding -> a bidirectional
nn.RNN/LSTM/GRU over each sentence (packed, so padding never enters a sentence's recurrence);
the left context of word t is the forward output at t-1 and the right context the backward
output at t+1 (Lai et al.: neither sees word t; --context-word: the outputs at t), zero at
the ends -> [left; word; right] -> a linear projection -> masked max over time -> tanh (Lai's; or
ReLU: --projection-act relu) -> dropout -> linear. The initialisation is
PyTorch's, with the recurrent-side biases zeroed: liandan-textcnn has one bias per gate where
PyTorch has two (b_ih + b_hh), except GRU's b_hn, which it keeps. Run with /usr/bin/python3."""
import argparse

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from textcnn_torch import add_common_args, fit, load_sets

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class RCNN(nn.Module):
    def __init__(self, vocab, emb, context, maps, classes, dropout, cell, sparse=False,
                 with_word=False, act="tanh"):
        super().__init__()
        self.act = torch.relu if act == "relu" else torch.tanh
        self.context = context
        self.with_word = with_word
        self.emb = nn.Embedding(vocab, emb, padding_idx=0, sparse=sparse)
        nn.init.uniform_(self.emb.weight, -0.25, 0.25)
        with torch.no_grad():
            self.emb.weight[0].zero_()
        self.rnn = CELLS[cell](emb, context, batch_first=True, bidirectional=True)
        with torch.no_grad():
            for name, p in self.rnn.named_parameters():
                if name.startswith("bias_hh"):
                    keep = p[2 * context:].clone() if cell == "gru" else None
                    p.zero_()
                    if keep is not None:
                        p[2 * context:] = keep
        self.proj = nn.Linear(2 * context + emb, maps)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(maps, classes)

    def forward(self, ids, lens):
        x = self.emb(ids)                                           # [B, T, E]
        B, T, C = x.shape[0], x.shape[1], self.context
        packed = pack_padded_sequence(x, lens, batch_first=True, enforce_sorted=False)
        h, _ = self.rnn(packed)
        h, _ = pad_packed_sequence(h, batch_first=True, total_length=T)  # [B, T, 2C], 0 past len
        if self.with_word:                                          # the outputs at t
            left, right = h[:, :, :C], h[:, :, C:]
        else:
            zero = x.new_zeros(B, 1, C)
            left = torch.cat([zero, h[:, :-1, :C]], 1)              # forward output at t-1
            right = torch.cat([h[:, 1:, C:], zero], 1)              # backward output at t+1
        y = self.proj(torch.cat([left, x, right], 2))               # [B, T, maps]
        valid = torch.arange(T).unsqueeze(0) < lens.unsqueeze(1)
        y = y.masked_fill(~valid.unsqueeze(2), float("-inf"))
        return self.out(self.drop(self.act(y.max(dim=1).values)))


def main():
    ap = argparse.ArgumentParser()
    add_common_args(ap)
    ap.add_argument("--context", type=int, default=100)
    ap.add_argument("--cell", choices=sorted(CELLS), default="lstm")
    ap.add_argument("--context-word", action="store_true",
                    help="contexts at t that include word t (the BiLSTM outputs at t)")
    ap.add_argument("--projection-act", choices=["relu", "tanh"], default="tanh")
    args = ap.parse_args()
    train, dev, test, nvocab, nclasses = load_sets(args)
    model = RCNN(nvocab, args.emb, args.context, args.maps, nclasses, args.dropout, args.cell,
                 args.sparse_embedding, args.context_word,
                 args.projection_act)
    (test_acc, test_loss), best_epoch, best_acc = fit(model, args, train, dev, test, 1)
    print(f"test_acc={test_acc:.4f} test_loss={test_loss:.4f} best_epoch={best_epoch} "
          f"best_val_acc={best_acc:.4f} vocab={nvocab}", flush=True)


if __name__ == "__main__":
    main()
