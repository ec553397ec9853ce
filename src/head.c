/* Linear softmax heads: L2-regularised multinomial logistic regression trained by full-batch
 * L-BFGS on the feature cache (the objective scikit-learn's LogisticRegression minimises, see
 * docs/personalization.md), and float32 inference. Never allocates: the weights live in the
 * caller's head buffer and every temporary in the caller's scratch. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "microt/head.h"
#include "mathf.h"
#include "personalize_internal.h"

size_t mt_head_bytes(uint32_t max_classes, uint32_t dim) {
    if (max_classes == 0 || max_classes > MT_HEAD_MAX_CLASSES || dim == 0 || dim > 0xFFFFu) {
        return 0;
    }
    return 4u * ((size_t)max_classes * dim + max_classes + 2u * (size_t)dim);
}

mt_status_t mt_head_init(mt_head_t *head, void *buf, size_t buf_bytes, uint32_t max_classes,
                         uint32_t dim) {
    if (!head) return MT_E_ARG;
    memset(head, 0, sizeof *head);
    size_t need = mt_head_bytes(max_classes, dim);
    if (!buf || need == 0) return MT_E_ARG;
    if (((uintptr_t)buf & 3u) != 0) return MT_E_ARENA_ALIGN;
    if (buf_bytes < need) return MT_E_SCRATCH_TOO_SMALL;
    float *f = (float *)buf;
    head->max_classes = (uint16_t)max_classes;
    head->dim = (uint16_t)dim;
    head->weights = f;
    head->bias = f + (size_t)max_classes * dim;
    head->mean = head->bias + max_classes;
    head->inv_std = head->mean + dim;
    for (size_t i = 0; i < (size_t)max_classes * dim + max_classes + dim; i++) f[i] = 0.0f;
    for (uint32_t d = 0; d < dim; d++) head->inv_std[d] = 1.0f;
    return MT_OK;
}

void mt_train_opts_default(mt_train_opts_t *opts) {
    if (!opts) return;
    memset(opts, 0, sizeof *opts);
    opts->c = 1.0f;
    opts->max_iter = 200;
    opts->history = 5;
    opts->standardize = 0;
    opts->warm_start = 0;
    opts->tol = 1e-5f;
}

static int opts_valid(const mt_train_opts_t *o) {
    return o && isfinite(o->c) && o->c > 0.0f && o->max_iter > 0 && o->history >= 1 &&
           o->history <= MT_LBFGS_MAX_HISTORY && isfinite(o->tol) && o->tol >= 0.0f;
}

/* Scratch, in floats, with P = K*D + K parameters and m = history:
 * x, g, d, x_trial, g_trial [P] each; s, y [m][P]; rho [m]; row [D]; logits [K]. */
size_t mt_head_train_scratch_bytes(uint32_t n_classes, uint32_t dim, const mt_train_opts_t *opts) {
    if (!opts_valid(opts) || mt_head_bytes(n_classes, dim) == 0) return 0;
    size_t p = (size_t)n_classes * dim + n_classes;
    return 4u * ((5u + 2u * opts->history) * p + opts->history + dim + n_classes);
}

typedef struct {
    const mt_features_t *cache;
    mt_stage_t stage;
    const uint8_t *fold;
    uint8_t skip_fold;
    uint32_t n;       /* samples used */
    uint32_t k, dim;  /* classes, feature length */
    float lambda;     /* 1 / (C n): the L2 weight of the mean-loss objective */
    const float *mean, *inv_std;
    float *row;       /* [dim] */
    float *logits;    /* [k] */
} problem_t;

static int used(const problem_t *pb, uint32_t i) {
    return !pb->fold || pb->fold[i] != pb->skip_fold;
}

static void load_row(const problem_t *pb, uint32_t i, uint16_t *label) {
    mt_features_get(pb->cache, i, pb->stage, pb->row, label);
    for (uint32_t d = 0; d < pb->dim; d++) pb->row[d] = (pb->row[d] - pb->mean[d]) * pb->inv_std[d];
}

/* f(W, b) = (1/n) sum_i [logsumexp(z_i) - z_i,y_i] + (lambda/2) ||W||^2, z_i = W x_i + b.
 * Returns f and writes its gradient to g[P]; x = [W (k x dim) | b (k)]. */
static double evaluate(const problem_t *pb, const float *x, float *g) {
    uint32_t k = pb->k, dim = pb->dim;
    size_t p = (size_t)k * dim + k;
    const float *b = x + (size_t)k * dim;
    float *gb = g + (size_t)k * dim;
    memset(g, 0, p * sizeof *g);
    /* The loss sum is kept in double (one add per sample, cheap even in software on an M4F):
     * a float sum's rounding noise would hide the small decreases the line search must see
     * near the optimum. */
    double f = 0.0;
    for (uint32_t i = 0; i < pb->cache->n_samples; i++) {
        if (!used(pb, i)) continue;
        uint16_t y;
        load_row(pb, i, &y);
        float *z = pb->logits, zmax = -INFINITY;
        for (uint32_t c = 0; c < k; c++) {
            const float *w = x + (size_t)c * dim;
            float acc = b[c];
            for (uint32_t j = 0; j < dim; j++) acc += w[j] * pb->row[j];
            z[c] = acc;
            zmax = acc > zmax ? acc : zmax;
        }
        float sum = 0.0f;
        for (uint32_t c = 0; c < k; c++) sum += mt_expf(z[c] - zmax);
        float lse = zmax + mt_logf(sum);
        f += (double)(lse - z[y]);
        for (uint32_t c = 0; c < k; c++) {
            float r = mt_expf(z[c] - lse) - (c == y ? 1.0f : 0.0f); /* dCE/dz_c */
            float *gw = g + (size_t)c * dim;
            for (uint32_t j = 0; j < dim; j++) gw[j] += r * pb->row[j];
            gb[c] += r;
        }
    }
    float inv_n = 1.0f / (float)pb->n;
    for (size_t j = 0; j < p; j++) g[j] *= inv_n;
    float w2 = 0.0f;
    for (size_t j = 0; j < (size_t)k * dim; j++) {
        w2 += x[j] * x[j];
        g[j] += pb->lambda * x[j];
    }
    return (double)(f / pb->n) + 0.5 * (double)pb->lambda * (double)w2;
}

static float dot(const float *a, const float *b, size_t n) {
    float s = 0.0f;
    for (size_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

static float max_abs(const float *a, size_t n) {
    float m = 0.0f;
    for (size_t i = 0; i < n; i++) m = fabsf(a[i]) > m ? fabsf(a[i]) : m;
    return m;
}

/* Per-feature mean and 1/std (population std, as scikit-learn's StandardScaler) over the
 * used samples; a constant feature keeps inv_std = 1. "Constant" is relative to the feature's
 * own magnitude (float rounding leaves a std of ~1e-7 |mean| on equal values): an absolute
 * floor would also flatten real features of a tiny scale, e.g. an untrained extractor's
 * pooled outputs of ~1e-8. */
static void fit_standardizer(problem_t *pb, mt_head_t *head) {
    uint32_t dim = pb->dim;
    for (uint32_t d = 0; d < dim; d++) {
        head->mean[d] = 0.0f;
        head->inv_std[d] = 0.0f; /* used as the variance accumulator first */
    }
    for (uint32_t i = 0; i < pb->cache->n_samples; i++) {
        if (!used(pb, i)) continue;
        mt_features_get(pb->cache, i, pb->stage, pb->row, NULL);
        for (uint32_t d = 0; d < dim; d++) head->mean[d] += pb->row[d];
    }
    for (uint32_t d = 0; d < dim; d++) head->mean[d] /= (float)pb->n;
    for (uint32_t i = 0; i < pb->cache->n_samples; i++) {
        if (!used(pb, i)) continue;
        mt_features_get(pb->cache, i, pb->stage, pb->row, NULL);
        for (uint32_t d = 0; d < dim; d++) {
            float e = pb->row[d] - head->mean[d];
            head->inv_std[d] += e * e;
        }
    }
    for (uint32_t d = 0; d < dim; d++) {
        float sd = sqrtf(head->inv_std[d] / (float)pb->n);
        int varies = sd > 1e-5f * fabsf(head->mean[d]) && sd > 1e-30f;
        head->inv_std[d] = varies ? 1.0f / sd : 1.0f;
    }
    head->standardize = 1;
}

#define MAX_LINE_SEARCH 30 /* halvings before the search gives up (converged) */
#define FTOL 1e-9           /* relative decrease that ends training */

mt_status_t mt_head_train_subset(mt_head_t *head, const mt_features_t *cache, mt_stage_t stage,
                                 const mt_train_opts_t *opts, const uint8_t *fold,
                                 uint8_t skip_fold, void *scratch, size_t scratch_bytes,
                                 mt_train_report_t *report) {
    if (!head || !head->weights || !cache || !cache->buf || !scratch || !opts_valid(opts)) {
        return MT_E_ARG;
    }
    if (stage != MT_STAGE_PART && stage != MT_STAGE_FULL) return MT_E_ARG;
    if (((uintptr_t)scratch & 3u) != 0) return MT_E_ARENA_ALIGN;
    uint32_t k = cache->n_classes, dim = cache->dim[stage];
    if (head->dim != dim || head->max_classes < k) return MT_E_SHAPE;
    if (k == 0) return MT_E_STATE; /* nothing cached yet */
    if (scratch_bytes < mt_head_train_scratch_bytes(k, dim, opts)) return MT_E_SCRATCH_TOO_SMALL;

    size_t p = (size_t)k * dim + k;
    uint32_t m = opts->history;
    float *x = (float *)scratch, *g = x + p, *d = g + p, *xt = d + p, *gt = xt + p;
    float *s_hist = gt + p, *y_hist = s_hist + (size_t)m * p, *rho = y_hist + (size_t)m * p;
    problem_t pb = {cache, stage, fold, skip_fold, 0, k, dim, 0.0f, head->mean, head->inv_std,
                    rho + m, rho + m + dim};
    for (uint32_t i = 0; i < cache->n_samples; i++) pb.n += (uint32_t)used(&pb, i);
    if (pb.n == 0) return MT_E_STATE;
    pb.lambda = 1.0f / (opts->c * (float)pb.n);

    /* Starting point: zeros, or the head's weights for the classes it already has. */
    memset(x, 0, p * sizeof *x);
    if (opts->warm_start) {
        uint32_t old = head->n_classes < k ? head->n_classes : k;
        memcpy(x, head->weights, (size_t)old * dim * sizeof *x);
        memcpy(x + (size_t)k * dim, head->bias, old * sizeof *x);
    }
    if (opts->standardize) {
        fit_standardizer(&pb, head);
    } else {
        for (uint32_t j = 0; j < dim; j++) {
            head->mean[j] = 0.0f;
            head->inv_std[j] = 1.0f;
        }
        head->standardize = 0;
    }

    /* L-BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., Alg. 7.4/7.5) with a
     * backtracking Armijo line search (c1 = 1e-4, halving); a pair (s, y) enters the history
     * only when s.y > 0, which keeps the implicit inverse Hessian positive definite. */
    uint16_t evals = 1, iter = 0;
    double f = evaluate(&pb, x, g);
    uint32_t n_hist = 0, newest = 0;
    for (size_t j = 0; j < p; j++) d[j] = -g[j];
    float gmax = max_abs(g, p);
    while (iter < opts->max_iter && gmax > opts->tol) {
        float gd = dot(g, d, p);
        if (!(gd < 0.0f)) { /* not a descent direction: restart from steepest descent */
            n_hist = 0;
            for (size_t j = 0; j < p; j++) d[j] = -g[j];
            gd = -dot(g, g, p);
        }
        float t = 1.0f;
        if (n_hist == 0) { /* no curvature yet: a first step of length at most 1 */
            float gn = sqrtf(-gd);
            t = gn > 1.0f ? 1.0f / gn : 1.0f;
        }
        double ft = f;
        int accepted = 0;
        for (int ls = 0; ls < MAX_LINE_SEARCH; ls++) {
            for (size_t j = 0; j < p; j++) xt[j] = x[j] + t * d[j];
            ft = evaluate(&pb, xt, gt);
            evals++;
            if (isfinite(ft) && ft <= f + 1e-4 * (double)(t * gd)) {
                accepted = 1;
                break;
            }
            t *= 0.5f;
        }
        if (!accepted) break; /* no decrease left at float precision: converged */
        /* New pair: s = xt - x, y = gt - g, stored in the ring slot after the newest. */
        uint32_t slot = n_hist == 0 ? 0 : (newest + 1u) % m;
        float *s = s_hist + (size_t)slot * p, *yv = y_hist + (size_t)slot * p;
        for (size_t j = 0; j < p; j++) {
            s[j] = xt[j] - x[j];
            yv[j] = gt[j] - g[j];
        }
        float sy = dot(s, yv, p);
        if (sy > 1e-12f) {
            rho[slot] = 1.0f / sy;
            newest = slot;
            n_hist = n_hist < m ? n_hist + 1u : m;
        }
        memcpy(x, xt, p * sizeof *x);
        memcpy(g, gt, p * sizeof *g);
        double decrease = f - ft;
        f = ft;
        iter++;
        gmax = max_abs(g, p);
        /* scipy's L-BFGS-B test (what scikit-learn relies on): stop when the relative
         * decrease falls below FTOL, here set near float32 resolution. */
        if (decrease <= FTOL * (fabs(f) > 1.0 ? fabs(f) : 1.0)) break;
        if (n_hist == 0) {
            for (size_t j = 0; j < p; j++) d[j] = -g[j];
            continue;
        }
        /* Two-loop recursion: d = -H g. */
        float alpha[MT_LBFGS_MAX_HISTORY];
        for (size_t j = 0; j < p; j++) d[j] = g[j];
        for (uint32_t h = 0; h < n_hist; h++) {
            uint32_t i = (newest + m - h) % m;
            alpha[i] = rho[i] * dot(s_hist + (size_t)i * p, d, p);
            const float *yi = y_hist + (size_t)i * p;
            for (size_t j = 0; j < p; j++) d[j] -= alpha[i] * yi[j];
        }
        const float *yn = y_hist + (size_t)newest * p;
        float gamma = 1.0f / (rho[newest] * dot(yn, yn, p));
        for (size_t j = 0; j < p; j++) d[j] *= gamma;
        for (uint32_t h = n_hist; h-- > 0;) {
            uint32_t i = (newest + m - h) % m;
            float beta = rho[i] * dot(y_hist + (size_t)i * p, d, p);
            const float *si = s_hist + (size_t)i * p;
            for (size_t j = 0; j < p; j++) d[j] += (alpha[i] - beta) * si[j];
        }
        for (size_t j = 0; j < p; j++) d[j] = -d[j];
    }

    for (size_t j = 0; j < p; j++) {
        if (!isfinite(x[j])) return MT_E_NONFINITE;
    }
    memcpy(head->weights, x, (size_t)k * dim * sizeof *x);
    memcpy(head->bias, x + (size_t)k * dim, k * sizeof *x);
    head->n_classes = (uint16_t)k;
    if (report) {
        report->iterations = iter;
        report->evaluations = evals;
        report->loss = (float)f;
        report->grad_max = gmax;
    }
    return MT_OK;
}

mt_status_t mt_head_train(mt_head_t *head, const mt_features_t *cache, mt_stage_t stage,
                          const mt_train_opts_t *opts, void *scratch, size_t scratch_bytes,
                          mt_train_report_t *report) {
    return mt_head_train_subset(head, cache, stage, opts, NULL, 0, scratch, scratch_bytes, report);
}

static mt_status_t logits_common(const mt_head_t *head, const float *xf, const int8_t *q,
                                 uint32_t len, float scale, int32_t zp, float *logits) {
    if (!head || !head->weights || !logits || head->n_classes == 0) return MT_E_ARG;
    if (len != head->dim) return MT_E_SHAPE;
    for (uint32_t c = 0; c < head->n_classes; c++) {
        const float *w = head->weights + (size_t)c * head->dim;
        float z = head->bias[c];
        for (uint32_t d = 0; d < len; d++) {
            float v = xf ? xf[d] : scale * (float)((int32_t)q[d] - zp);
            z += w[d] * ((v - head->mean[d]) * head->inv_std[d]);
        }
        logits[c] = z;
    }
    return MT_OK;
}

mt_status_t mt_head_logits_f32(const mt_head_t *head, const float *x, uint32_t len,
                               float *logits) {
    if (!x) return MT_E_ARG;
    return logits_common(head, x, NULL, len, 0.0f, 0, logits);
}

mt_status_t mt_head_logits_s8(const mt_head_t *head, const int8_t *q, uint32_t len, float scale,
                              int32_t zero_point, float *logits) {
    if (!q) return MT_E_ARG;
    return logits_common(head, NULL, q, len, scale, zero_point, logits);
}

mt_status_t mt_head_decide(const float *logits, uint32_t n, mt_confidence_t kind,
                           uint16_t *label, float *confidence) {
    if (!logits || n == 0 || n > MT_HEAD_MAX_CLASSES || !label || !confidence) return MT_E_ARG;
    if (kind != MT_CONF_MAX_PROB && kind != MT_CONF_MARGIN && kind != MT_CONF_ENTROPY) {
        return MT_E_ARG;
    }
    uint32_t best = 0;
    for (uint32_t c = 1; c < n; c++) {
        if (logits[c] > logits[best]) best = c;
    }
    if (!isfinite(logits[best])) return MT_E_NONFINITE;
    /* With e_c = exp(z_c - z_max): p_c = e_c / S, S = sum e_c, so max p = 1/S and
     * H = ln S - sum e_c (z_c - z_max) / S: no probability buffer needed. */
    float zmax = logits[best], sum = 0.0f, second = 0.0f, ez = 0.0f;
    for (uint32_t c = 0; c < n; c++) {
        float e = mt_expf(logits[c] - zmax);
        sum += e;
        ez += e * (logits[c] - zmax);
        if (c != best && e > second) second = e;
    }
    float conf;
    if (kind == MT_CONF_MAX_PROB) {
        conf = 1.0f / sum;
    } else if (kind == MT_CONF_MARGIN) {
        conf = (1.0f - second) / sum;
    } else {
        conf = n < 2 ? 1.0f : 1.0f - (mt_logf(sum) - ez / sum) / mt_logf((float)n);
    }
    *label = (uint16_t)best;
    *confidence = conf < 0.0f ? 0.0f : (conf > 1.0f ? 1.0f : conf);
    return MT_OK;
}

mt_status_t mt_head_predict_f32(const mt_head_t *head, const float *x, uint32_t len,
                                mt_confidence_t kind, uint16_t *label, float *confidence) {
    float logits[MT_HEAD_MAX_CLASSES];
    mt_status_t st = mt_head_logits_f32(head, x, len, logits);
    if (st != MT_OK) return st;
    return mt_head_decide(logits, head->n_classes, kind, label, confidence);
}
