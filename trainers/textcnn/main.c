/*
 * main.c — liandan-textcnn: trains a TextCNN or RCNN text classifier and reports each epoch as a
 * liandan metric line, so `liandan run` can tune it; or loads a saved model and predicts.
 *
 * stdout carries the metric lines (and predictions when no file is named); stderr carries
 * warnings and errors. Exit 0 ok, 1 the run failed or diverged, 2 bad usage or input.
 */
#include "checkpoint.h"
#include "resume.h"
#include "data.h"
#include "embeddings.h"
#include "gemm.h"
#include "model.h"
#include "optim.h"
#include "options.h"
#include "train.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Seeded random streams, one per purpose, so changing one use never shifts another. */
enum { STREAM_INIT = 1, STREAM_SPLIT, STREAM_FRACTION, STREAM_ORDER, STREAM_DROPOUT };

static void parse_windows(const char *text, tc_shape *s)
{
    s->nwin = 0;
    const char *p = text;
    while (*p) {
        char *end;
        long w = strtol(p, &end, 10);
        if (end == p || w < 1 || w > 64 || (*end && *end != ','))
            tc_die(TC_EXIT_USAGE, "--windows: expected comma-separated widths 1..64 like 3,4,5, "
                   "got \"%s\"", text);
        if (s->nwin == TC_MAX_WINDOWS)
            tc_die(TC_EXIT_USAGE, "--windows: at most %d widths", TC_MAX_WINDOWS);
        s->windows[s->nwin++] = (int)w;
        p = *end ? end + 1 : end;
    }
    if (s->nwin == 0)
        tc_die(TC_EXIT_USAGE, "--windows: expected at least one width, like 3,4,5");
    for (int i = 1; i < s->nwin; i++) /* ascending, as conv_forward needs */
        for (int j = i; j > 0 && s->windows[j] < s->windows[j - 1]; j--) {
            int t = s->windows[j];
            s->windows[j] = s->windows[j - 1];
            s->windows[j - 1] = t;
        }
    s->kmax = s->windows[s->nwin - 1];
}

/*
 * OpenMP reads OMP_WAIT_POLICY once, when the program loads. Its default lets idle threads spin,
 * which is ruinous when the cores are shared (parallel trials, other jobs): a barrier then waits
 * for a descheduled thread a whole time slice, and an epoch was measured 7x slower with two
 * threads than with one. So unless the user chose a policy, the program runs itself again with
 * passive waiting, before any OpenMP code has run. If that fails it carries on as it is.
 */
static void prefer_passive_waiting(char **argv, int threads)
{
    if (threads < 2 || getenv("OMP_WAIT_POLICY"))
        return;
    if (setenv("OMP_WAIT_POLICY", "passive", 1) == 0)
        execv("/proc/self/exe", argv);
}

static void write_predictions(const char *path, const tc_dataset *d, const tc_strtab *labels,
                              const int *pred, const float *conf)
{
    FILE *f = path ? tc_fopen(path, "w") : stdout;
    for (int i = 0; i < d->n; i++) {
        fprintf(f, "%s\t%s\t%.4f\t", d->label[i] >= 0 ? labels->words[d->label[i]] : "",
                labels->words[pred[i]], conf[i]);
        for (const char *c = d->text[i]; *c; c++)
            fputc(*c == '\t' ? ' ' : *c, f);
        fputc('\n', f);
    }
    if (path && fclose(f) != 0)
        tc_die(TC_EXIT_FAILED, "%s: write failed", path);
}

static void run_loaded(const tc_config *cfg)
{
    if (!cfg->predict && !cfg->test)
        tc_die(TC_EXIT_USAGE, "--load needs --predict FILE or --test FILE");
    if (cfg->embeddings)
        tc_die(TC_EXIT_USAGE, "--embeddings is for training; a --load model holds its own "
               "vectors");
    tc_model m;
    tc_strtab vocab, labels;
    int max_len;
    const tc_config c = *cfg;
    const char *path = c.predict ? c.predict : c.test;
    tc_raw_file raw;
    data_raw_read(&raw, path, c.predict != NULL, c.strict);
    ckpt_load(cfg->load, &m, &vocab, &labels, &max_len, cfg->batch, 1);
    tc_dataset d;
    data_encode(&d, &raw, &vocab, &labels, max_len, c.strict);
    if (d.n == 0)
        tc_die(TC_EXIT_USAGE, "%s: no usable lines to classify", path);
    /* the vocabulary needed to encode came with the model: now size the activations */
    if (d.max_len > m.maxT) {
        tc_model sized;
        model_alloc(&sized, &m.shape, cfg->batch, d.max_len);
        memcpy(sized.params, m.params, m.nparams * sizeof *m.params);
        model_free(&m);
        m = sized;
    }
    int *pred = tc_malloc((size_t)d.n * sizeof *pred);
    float *conf = tc_malloc((size_t)d.n * sizeof *conf);
    double loss, acc = train_evaluate(&m, &d, cfg->batch, &loss, pred, conf);
    if (c.predict) {
        write_predictions(c.predictions, &d, &labels, pred, conf);
        if (!isnan(acc)) {
            if (c.predictions)
                printf("test_acc=%.4f test_loss=%.4f\n", acc, loss);
            else
                tc_warn("accuracy %.4f on %d labelled lines of %s", acc, d.n, path);
        }
    } else {
        printf("test_acc=%.4f test_loss=%.4f\n", acc, loss);
        if (c.predictions)
            write_predictions(c.predictions, &d, &labels, pred, conf);
    }
    free(pred);
    free(conf);
    data_free(&d);
    data_raw_free(&raw);
    strtab_free(&vocab);
    strtab_free(&labels);
    model_free(&m);
    exit(TC_EXIT_OK);
}

int main(int argc, char **argv)
{
    tc_config cfg;
    options_parse(&cfg, argc, argv);
    if (cfg.help) {
        options_help(stdout);
        return TC_EXIT_OK;
    }
    prefer_passive_waiting(argv, cfg.threads);
    gemm_init(cfg.threads);
    gemm_timing = cfg.profile;
    if (cfg.load)
        run_loaded(&cfg);
    if (!cfg.train)
        tc_die(TC_EXIT_USAGE, "--train FILE is required (or --load MODEL --predict FILE); see "
               "--help");

    tc_shape shape;
    memset(&shape, 0, sizeof shape);
    if (strcasecmp(cfg.model, "cnn") == 0) {
        shape.kind = MODEL_CNN;
        parse_windows(cfg.windows, &shape);
    } else if (strcasecmp(cfg.model, "rcnn") == 0) {
        shape.kind = MODEL_RCNN;
        shape.nwin = 1;
        shape.windows[0] = shape.kmax = 1;
        shape.context = cfg.context;
        shape.cell = rnn_cell_parse(cfg.cell);
        shape.context_word = cfg.context_word;
        if (strcasecmp(cfg.projection_act, "relu") == 0)
            shape.projection_act = ACT_RELU;
        else if (strcasecmp(cfg.projection_act, "tanh") == 0)
            shape.projection_act = ACT_TANH;
        else
            tc_die(TC_EXIT_USAGE, "--projection-act: expected relu or tanh, got \"%s\"",
                   cfg.projection_act);
        if (shape.cell < 0)
            tc_die(TC_EXIT_USAGE, "--cell: expected rnn, lstm or gru, got \"%s\"", cfg.cell);
    } else {
        tc_die(TC_EXIT_USAGE, "--model: expected cnn or rcnn, got \"%s\"", cfg.model);
    }
    int opt_kind = optim_parse(cfg.optimizer);
    if (opt_kind < 0)
        tc_die(TC_EXIT_USAGE, "--optimizer: expected sgd, adam, adadelta or rmsprop, got \"%s\"",
               cfg.optimizer);

    /* ---- data ---- */
    tc_raw_file raw_train, raw_dev, raw_test;
    memset(&raw_dev, 0, sizeof raw_dev);
    memset(&raw_test, 0, sizeof raw_test);
    data_raw_read(&raw_train, cfg.train, 0, cfg.strict);
    if (raw_train.n == 0)
        tc_die(TC_EXIT_USAGE, "%s: the training set is empty; expected `label<TAB>text` or "
               "`__label__X text` lines", cfg.train);
    if (cfg.dev)
        data_raw_read(&raw_dev, cfg.dev, 0, cfg.strict);
    if (cfg.test)
        data_raw_read(&raw_test, cfg.test, 0, cfg.strict);
    tc_strtab labels, vocab;
    strtab_init(&labels);
    for (int i = 0; i < raw_train.n; i++)
        strtab_add(&labels, raw_train.ex[i].label, strlen(raw_train.ex[i].label));
    vocab_build(&vocab, &raw_train, cfg.min_count, cfg.max_vocab);
    tc_dataset train, dev, test;
    memset(&dev, 0, sizeof dev);
    memset(&test, 0, sizeof test);
    data_encode(&train, &raw_train, &vocab, &labels, cfg.max_len, cfg.strict);
    if (cfg.dev)
        data_encode(&dev, &raw_dev, &vocab, &labels, cfg.max_len, cfg.strict);
    if (cfg.test)
        data_encode(&test, &raw_test, &vocab, &labels, cfg.max_len, cfg.strict);

    int nclasses = labels.n;
    if (cfg.classes > 0 && cfg.classes < nclasses) {
        int *remap = tc_malloc((size_t)nclasses * sizeof *remap);
        int *kept = tc_malloc((size_t)nclasses * sizeof *kept);
        int K = train_top_classes(&train, nclasses, cfg.classes, remap, kept);
        train_apply_remap(&train, remap);
        train_apply_remap(&dev, remap);
        train_apply_remap(&test, remap);
        tc_strtab top;
        strtab_init(&top);
        for (int k = 0; k < K; k++)
            strtab_add(&top, labels.words[kept[k]], strlen(labels.words[kept[k]]));
        strtab_free(&labels);
        labels = top;
        nclasses = K;
        free(remap);
        free(kept);
    }
    tc_rng rng;
    if (cfg.train_fraction < 1) {
        tc_rng_seed(&rng, (uint64_t)cfg.seed, STREAM_FRACTION);
        train_sample_fraction(&train, nclasses, cfg.train_fraction, &rng);
    }
    if (!cfg.dev) {
        tc_rng_seed(&rng, (uint64_t)cfg.seed, STREAM_SPLIT);
        train_split_dev(&train, &dev, nclasses, cfg.dev_fraction, &rng);
    }
    int *counts = tc_calloc((size_t)nclasses, sizeof *counts);
    data_class_counts(&train, nclasses, counts);
    int present = 0, only = 0;
    for (int c = 0; c < nclasses; c++)
        if (counts[c] > 0)
            present++, only = c;
    free(counts);
    if (train.n == 0)
        tc_die(TC_EXIT_USAGE, "%s: no usable training examples (all lines malformed or "
               "filtered out)", cfg.train);
    if (present < 2)
        tc_die(TC_EXIT_USAGE, "%s: the training set has a single class (\"%s\"); a classifier "
               "needs two or more", cfg.train, labels.words[only]);
    if (dev.n == 0)
        tc_die(TC_EXIT_USAGE, "%s: the validation set is empty", cfg.dev ? cfg.dev : cfg.train);

    /* ---- model ---- */
    tc_embeddings_file vectors;
    if (cfg.embeddings)
        embeddings_open(&vectors, cfg.embeddings);
    shape.vocab = vocab.n;
    shape.emb = cfg.emb ? cfg.emb : cfg.embeddings ? vectors.width : 300;
    shape.classes = nclasses;
    shape.maps = cfg.maps;
    int maxT = train.max_len;
    maxT = dev.max_len > maxT ? dev.max_len : maxT;
    maxT = test.max_len > maxT ? test.max_len : maxT;
    tc_model m;
    model_alloc(&m, &shape, cfg.batch, maxT);
    m.dropout = (float)cfg.dropout;
    tc_rng_seed(&rng, (uint64_t)cfg.seed, STREAM_INIT);
    model_init(&m, &rng);
    m.freeze_emb = cfg.freeze_embeddings;
    if (cfg.embeddings) {
        int covered = embeddings_load(&vectors, &vocab, m.p.emb, shape.emb);
        embeddings_close(&vectors);
        int words = vocab.n - 2; /* without <pad> and <unk> */
        fprintf(stderr, "embeddings: %d of %d vocabulary words covered (%.1f%%) from %s\n",
                covered, words, words > 0 ? 100.0 * covered / words : 0.0, cfg.embeddings);
    }
    float lr = cfg.lr > 0 ? (float)cfg.lr : optim_default_lr((tc_optim_kind)opt_kind);
    tc_optim opt;
    optim_init(&opt, (tc_optim_kind)opt_kind, lr, (float)cfg.momentum, (float)cfg.l2,
               m.nparams);
    opt.dense_emb = cfg.dense_embedding_updates;
    tc_sampler sampler;
    sampler_init(&sampler, &train, nclasses, cfg.oversample);
    float *best = tc_malloc(m.nparams * sizeof *best);
    memcpy(best, m.params, m.nparams * sizeof *best);
    tc_rng order_rng, dropout_rng;
    tc_rng_seed(&order_rng, (uint64_t)cfg.seed, STREAM_ORDER);
    tc_rng_seed(&dropout_rng, (uint64_t)cfg.seed, STREAM_DROPOUT);

    /* ---- resuming a stopped run (--checkpoint) ---- */
    double best_acc = -1, train_secs = 0, train_flops = 0;
    int best_epoch = 0, stale = 0, first_epoch = 1;
    tc_progress progress;
    memset(&progress, 0, sizeof progress);
    tc_train_state state = {&progress, &m, best, &opt, &sampler, &order_rng, &dropout_rng};
    const char *ckpt = cfg.checkpoint;
    if (ckpt && strcmp(ckpt, "auto") == 0)
        ckpt = getenv("LIANDAN_CHECKPOINT_DIR") && *getenv("LIANDAN_CHECKPOINT_DIR")
                   ? getenv("LIANDAN_CHECKPOINT_DIR")
                   : NULL;
    uint64_t fingerprint = ckpt ? resume_fingerprint(argc, argv) : 0;
    if (ckpt && resume_load(ckpt, fingerprint, &state)) {
        first_epoch = progress.epoch + 1;
        best_acc = progress.best_acc;
        best_epoch = progress.best_epoch;
        stale = progress.stale;
        train_secs = progress.train_secs;
        train_flops = progress.train_flops;
        if (cfg.patience > 0 && stale >= cfg.patience)
            first_epoch = cfg.epochs + 1; /* it had stopped early already */
        fprintf(stderr, "liandan-textcnn: resumed from %s/train.state after epoch %d\n", ckpt,
                progress.epoch);
    }

    /* ---- training: no allocation from here to the end of the loop (but a checkpoint's) ---- */
    for (int epoch = first_epoch; epoch <= cfg.epochs; epoch++) {
        double t0 = tc_now(), flops0 = gemm_flops;
        int n = sampler_epoch(&sampler, cfg.oversample, cfg.balanced_batches, &order_rng);
        double loss_sum = 0;
        long right = 0;
        for (int start = 0; start < n; start += cfg.batch) {
            int B = n - start < cfg.batch ? n - start : cfg.batch;
            int T = train_fill_batch(&m, &train, sampler.order + start, B);
            int correct;
            double loss = model_forward(&m, B, T, 1, &dropout_rng, &correct);
            if (!isfinite(loss)) {
                printf("epoch=%d train_loss=%g lr=%g diverged=1\n", epoch, loss, opt.lr);
                fflush(stdout);
                tc_warn("the loss became %g in epoch %d; training stopped (try a smaller --lr "
                        "or --clip 5)", loss, epoch);
                return TC_EXIT_FAILED;
            }
            loss_sum += loss * B;
            right += correct;
            model_backward(&m, B, T);
            if (cfg.clip > 0) {
                double norm = optim_grad_norm(&m);
                if (norm > cfg.clip)
                    optim_scale_grads(&m, (float)(cfg.clip / norm));
            }
            optim_step(&opt, &m);
            if (cfg.max_norm > 0)
                optim_max_norm(&m, (float)cfg.max_norm);
        }
        double epoch_train = tc_now() - t0;
        train_secs += epoch_train;
        train_flops += gemm_flops - flops0;
        double val_loss, val_acc = train_evaluate(&m, &dev, cfg.batch, &val_loss, NULL, NULL);
        printf("epoch=%d train_loss=%.4f train_acc=%.4f val_loss=%.4f val_acc=%.4f lr=%g "
               "secs=%.3f train_secs=%.3f\n", epoch, loss_sum / n, (double)right / n, val_loss,
               val_acc, opt.lr, tc_now() - t0, epoch_train);
        fflush(stdout);
        int improved = val_acc > best_acc;
        if (improved) {
            best_acc = val_acc;
            best_epoch = epoch;
            stale = 0;
            memcpy(best, m.params, m.nparams * sizeof *best);
        } else {
            stale++;
        }
        if (cfg.decay < 1 && (cfg.decay_every > 0 ? epoch % cfg.decay_every == 0 : !improved))
            opt.lr *= (float)cfg.decay;
        if (ckpt) {
            progress = (tc_progress){.epoch = epoch, .best_epoch = best_epoch, .stale = stale,
                                     .best_acc = best_acc, .train_secs = train_secs,
                                     .train_flops = train_flops};
            resume_save(ckpt, fingerprint, &state);
        }
        if (cfg.patience > 0 && stale >= cfg.patience)
            break;
    }

    /* ---- the best epoch's model: test, predictions, save ---- */
    memcpy(m.params, best, m.nparams * sizeof *best);
    const tc_dataset *scored = cfg.test ? &test : &dev;
    int *pred = tc_malloc((size_t)(scored->n ? scored->n : 1) * sizeof *pred);
    float *conf = tc_malloc((size_t)(scored->n ? scored->n : 1) * sizeof *conf);
    double test_loss, test_acc = train_evaluate(&m, scored, cfg.batch, &test_loss, pred, conf);
    if (cfg.test)
        printf("test_acc=%.4f test_loss=%.4f best_epoch=%d best_val_acc=%.4f\n", test_acc,
               test_loss, best_epoch, best_acc);
    else
        printf("best_epoch=%d best_val_acc=%.4f\n", best_epoch, best_acc);
    fflush(stdout);
    if (cfg.predictions)
        write_predictions(cfg.predictions, scored, &labels, pred, conf);
    if (cfg.save)
        ckpt_save(cfg.save, &m, &vocab, &labels, cfg.max_len);
    if (cfg.profile)
        fprintf(stderr, "profile: train_secs=%.3f train_gflop=%.3f gemm_gflop=%.3f "
                "gemm_mbytes=%.1f gemm_intensity=%.1f gemm_secs=%.3f gemm_gflops=%.1f vocab=%d "
                "params=%zu\n", train_secs, train_flops / 1e9, gemm_flops / 1e9, gemm_bytes / 1e6,
                gemm_flops / (gemm_bytes > 0 ? gemm_bytes : 1), gemm_seconds,
                gemm_flops / 1e9 / (gemm_seconds > 0 ? gemm_seconds : 1), vocab.n, m.nparams);

    free(pred);
    free(conf);
    free(best);
    sampler_free(&sampler);
    optim_free(&opt);
    model_free(&m);
    data_free(&train);
    data_free(&dev);
    data_free(&test);
    strtab_free(&vocab);
    strtab_free(&labels);
    data_raw_free(&raw_train);
    data_raw_free(&raw_dev);
    data_raw_free(&raw_test);
    return TC_EXIT_OK;
}
