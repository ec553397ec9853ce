/* Head training: L2-regularised multinomial logistic regression (the objective scikit-learn's
 * LogisticRegression minimises) by full-batch, diagonally preconditioned L-BFGS on centred
 * features over the feature cache (docs/personalization.md section 2). Never allocates: every temporary lives in
 * the caller's scratch. Float operations are plain IEEE + - * / sqrt in a fixed order, and exp
 * and log come from mathf.c, so every target produces the same bits. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "mathf.h"
#include "microt/head.h"
#include "personalize_internal.h"

void mt_train_opts_default(mt_train_opts_t *opts) {
    if (!opts) return;
    memset(opts, 0, sizeof *opts);
    opts->c = 1.0f;
    opts->max_iter = MT_TRAIN_DEFAULT_MAX_ITER;
    opts->history = MT_TRAIN_DEFAULT_HISTORY;
    opts->scaling = MT_SCALE_AUTO;
    opts->warm_start = 0;
    opts->tol = MT_TRAIN_DEFAULT_TOL;
}

static int opts_valid(const mt_train_opts_t *o) {
    return o && isfinite(o->c) && o->c > 0.0f && o->max_iter > 0 && o->history >= 1 &&
           o->history <= MT_LBFGS_MAX_HISTORY && isfinite(o->tol) && o->tol >= 0.0f &&
           o->scaling <= MT_SCALE_NONE;
}

size_t mt_head_train_scratch_bytes(uint32_t n_classes, uint32_t dim, const mt_train_opts_t *opts) {
    if (!opts_valid(opts) || mt_head_bytes(n_classes, dim) == 0) return 0;
    return MT_HEAD_TRAIN_SCRATCH_BYTES(n_classes, dim, opts->history);
}

const char *mt_train_stop_name(mt_train_stop_t stop) {
    switch (stop) {
    case MT_STOP_GRADIENT: return "gradient";
    case MT_STOP_DECREASE: return "decrease";
    case MT_STOP_LINE_SEARCH: return "line-search";
    case MT_STOP_MAX_ITER: return "max-iter";
    }
    return "?";
}

/* One training problem: which samples, which features, how they are normalised. */
typedef struct {
    const mt_features_t *cache;
    mt_head_input_t input;
    const uint8_t *fold; /* NULL: every sample; else the samples with fold[i] != skip_fold */
    uint8_t skip_fold;
    uint32_t n;          /* samples used */
    uint32_t k, dim;     /* classes, feature length */
    float lambda;        /* 1 / (C n): the L2 weight of the mean-loss objective */
    const float *mean, *inv_std;
    float *row;          /* [dim] */
    float *logits;       /* [k] */
} problem_t;

static int used(const problem_t *pb, uint32_t i) {
    return !pb->fold || pb->fold[i] != pb->skip_fold;
}

/* Sample i's raw feature (the head's input) into pb->row. */
static void raw_row(const problem_t *pb, uint32_t i, uint16_t *label) {
    mt_head_input_row(pb->cache, i, pb->input, pb->row, label);
}

/* The normalised input, (x - mean) * inv_std, decoded and normalised in one pass. */
static void load_row(const problem_t *pb, uint32_t i, uint16_t *label) {
    mt_head_input_row_normalized(pb->cache, i, pb->input, pb->mean, pb->inv_std, pb->row, label);
}

/* z[c] = b[c] + sum_j w[c][j] x[j] for c < k. Four classes share each load of x[j] (the loop
 * is load-bound on a Cortex-M4), then two; every z[c] still sums over j in order, so the bits
 * are those of the plain loop on every target. */
static void logits_rows(const float *w, const float *b, const float *x, uint32_t k, uint32_t dim,
                        float *z) {
    uint32_t c = 0;
    for (; c + 4u <= k; c += 4u) {
        const float *w0 = w + (size_t)c * dim, *w1 = w0 + dim, *w2 = w1 + dim, *w3 = w2 + dim;
        float a0 = b[c], a1 = b[c + 1], a2 = b[c + 2], a3 = b[c + 3];
        for (uint32_t j = 0; j < dim; j++) {
            float xj = x[j];
            a0 += w0[j] * xj;
            a1 += w1[j] * xj;
            a2 += w2[j] * xj;
            a3 += w3[j] * xj;
        }
        z[c] = a0;
        z[c + 1] = a1;
        z[c + 2] = a2;
        z[c + 3] = a3;
    }
    for (; c + 2u <= k; c += 2u) {
        const float *w0 = w + (size_t)c * dim, *w1 = w0 + dim;
        float a0 = b[c], a1 = b[c + 1];
        for (uint32_t j = 0; j < dim; j++) {
            float xj = x[j];
            a0 += w0[j] * xj;
            a1 += w1[j] * xj;
        }
        z[c] = a0;
        z[c + 1] = a1;
    }
    for (; c < k; c++) {
        const float *w0 = w + (size_t)c * dim;
        float a0 = b[c];
        for (uint32_t j = 0; j < dim; j++) a0 += w0[j] * x[j];
        z[c] = a0;
    }
}

/* g[c][j] += r[c] x[j] for c < k, four (then two) classes per load of x[j] (same bits as one
 * at a time). */
static void gradient_rows(float *g, const float *r, const float *x, uint32_t k, uint32_t dim) {
    uint32_t c = 0;
    for (; c + 4u <= k; c += 4u) {
        float *g0 = g + (size_t)c * dim, *g1 = g0 + dim, *g2 = g1 + dim, *g3 = g2 + dim;
        float r0 = r[c], r1 = r[c + 1], r2 = r[c + 2], r3 = r[c + 3];
        for (uint32_t j = 0; j < dim; j++) {
            float xj = x[j];
            g0[j] += r0 * xj;
            g1[j] += r1 * xj;
            g2[j] += r2 * xj;
            g3[j] += r3 * xj;
        }
    }
    for (; c + 2u <= k; c += 2u) {
        float *g0 = g + (size_t)c * dim, *g1 = g0 + dim;
        float r0 = r[c], r1 = r[c + 1];
        for (uint32_t j = 0; j < dim; j++) {
            float xj = x[j];
            g0[j] += r0 * xj;
            g1[j] += r1 * xj;
        }
    }
    for (; c < k; c++) {
        float *g0 = g + (size_t)c * dim;
        for (uint32_t j = 0; j < dim; j++) g0[j] += r[c] * x[j];
    }
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
        logits_rows(x, b, pb->row, k, dim, z);
        for (uint32_t c = 0; c < k; c++) zmax = z[c] > zmax ? z[c] : zmax;
        float sum = 0.0f;
        for (uint32_t c = 0; c < k; c++) {
            z[c] = mt_expf(z[c] - zmax); /* z now holds e_c = exp(z_c - zmax) */
            sum += z[c];
        }
        float inv_sum = 1.0f / sum;
        /* CE = lse - z_y = log(sum) - (z_y - zmax) = -log(e_y / sum) */
        f -= (double)mt_logf(z[y] * inv_sum);
        for (uint32_t c = 0; c < k; c++) {
            z[c] = z[c] * inv_sum - (c == y ? 1.0f : 0.0f); /* dCE/dz_c = p_c - [c == y] */
            gb[c] += z[c];
        }
        gradient_rows(g, z, pb->row, k, dim);
    }
    float inv_n = 1.0f / (float)pb->n;
    for (size_t j = 0; j < p; j++) g[j] *= inv_n;
    float w2 = 0.0f;
    for (size_t j = 0; j < (size_t)k * dim; j++) {
        w2 += x[j] * x[j];
        g[j] += pb->lambda * x[j];
    }
    return f / (double)pb->n + 0.5 * (double)pb->lambda * (double)w2;
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

/* Per-feature mean and population variance (as scikit-learn's StandardScaler) of the raw
 * inputs over the used samples: mean into head->mean, variance into var[dim]. */
static void feature_moments(const problem_t *pb, float *mean, float *var) {
    uint32_t dim = pb->dim;
    for (uint32_t d = 0; d < dim; d++) mean[d] = var[d] = 0.0f;
    for (uint32_t i = 0; i < pb->cache->n_samples; i++) {
        if (!used(pb, i)) continue;
        raw_row(pb, i, NULL);
        for (uint32_t d = 0; d < dim; d++) mean[d] += pb->row[d];
    }
    for (uint32_t d = 0; d < dim; d++) mean[d] /= (float)pb->n;
    for (uint32_t i = 0; i < pb->cache->n_samples; i++) {
        if (!used(pb, i)) continue;
        raw_row(pb, i, NULL);
        for (uint32_t d = 0; d < dim; d++) {
            float e = pb->row[d] - mean[d];
            var[d] += e * e;
        }
    }
    for (uint32_t d = 0; d < dim; d++) var[d] /= (float)pb->n;
}

/* Chooses and stores the head's input normalisation from the raw variances var[dim]. A
 * feature is constant when its std is below 1e-5 of its magnitude (float rounding leaves
 * ~1e-7 |mean| on equal values); it keeps inv_std = 1. Returns the scaling applied. */
static mt_scale_t set_normalization(mt_head_t *head, const problem_t *pb, mt_scale_t want,
                                    const float *var, uint32_t *n_constant) {
    uint32_t dim = pb->dim;
    float mean_var = 0.0f;
    *n_constant = 0;
    for (uint32_t d = 0; d < dim; d++) mean_var += var[d];
    mean_var /= (float)dim;
    mt_scale_t s = want;
    if (s == MT_SCALE_AUTO) {
        /* Raw inputs whose variance is far below the L2 weight cannot be fitted: every weight
         * that would separate them costs more penalty than it gains (an untrained extractor's
         * pooled features are ~1e-8). Standardise those; centre everything else. */
        s = mean_var < MT_HEAD_AUTO_VAR_RATIO * pb->lambda ? MT_SCALE_STANDARDIZE : MT_SCALE_CENTER;
    }
    for (uint32_t d = 0; d < dim; d++) {
        float sd = sqrtf(var[d]);
        int varies = sd > 1e-5f * fabsf(head->mean[d]) && sd > 1e-30f;
        *n_constant += (uint32_t)!varies;
        if (s == MT_SCALE_NONE) head->mean[d] = 0.0f;
        head->inv_std[d] = s == MT_SCALE_STANDARDIZE && varies ? 1.0f / sd : 1.0f;
    }
    head->standardize = s == MT_SCALE_STANDARDIZE;
    return s;
}

/* out[P] = scale * pre[j] * in[P] for the weights of feature j (every class), scale * in for the
 * biases: H0 = gamma diag(pre) of the preconditioned L-BFGS below. */
static void precondition(float *out, const float *in, const float *pre, uint32_t k, uint32_t dim,
                         float scale) {
    for (uint32_t c = 0; c < k; c++) {
        const float *a = in + (size_t)c * dim;
        float *o = out + (size_t)c * dim;
        for (uint32_t j = 0; j < dim; j++) o[j] = scale * pre[j] * a[j];
    }
    for (uint32_t c = 0; c < k; c++) out[(size_t)k * dim + c] = scale * in[(size_t)k * dim + c];
}

/* y' diag(pre) y over the weights, plus y' y over the biases. */
static float weighted_dot(const float *y, const float *pre, uint32_t k, uint32_t dim) {
    float s = 0.0f;
    for (uint32_t c = 0; c < k; c++) {
        const float *a = y + (size_t)c * dim;
        for (uint32_t j = 0; j < dim; j++) s += a[j] * pre[j] * a[j];
    }
    for (uint32_t c = 0; c < k; c++) s += y[(size_t)k * dim + c] * y[(size_t)k * dim + c];
    return s;
}

/* The damped Jacobi preconditioner pre[dim]: with v_j the second moment of normalised input j
 * and v its mean over j, pre_j = v / (v_j + v). The curvature along a weight of input j grows
 * with v_j, so inputs of very different spreads (an extractor's features on images unlike its
 * training images) make a badly conditioned problem; the damping keeps inputs of tiny spread
 * from being amplified. The objective is unchanged (same optimum); docs/personalization.md. */
static void set_preconditioner(const problem_t *pb, float *pre) {
    uint32_t dim = pb->dim;
    for (uint32_t j = 0; j < dim; j++) pre[j] = 0.0f;
    for (uint32_t i = 0; i < pb->cache->n_samples; i++) {
        if (!used(pb, i)) continue;
        load_row(pb, i, NULL);
        for (uint32_t j = 0; j < dim; j++) pre[j] += pb->row[j] * pb->row[j];
    }
    float mean_v = 0.0f;
    for (uint32_t j = 0; j < dim; j++) {
        pre[j] /= (float)pb->n;
        mean_v += pre[j];
    }
    mean_v /= (float)dim;
    for (uint32_t j = 0; j < dim; j++) pre[j] = mean_v > 0.0f ? mean_v / (pre[j] + mean_v) : 1.0f;
}

#define MAX_LINE_SEARCH 30 /* backtracking steps before the search gives up */
#define FTOL 1e-9           /* relative decrease that ends training (scipy's factr test) */

/* Scratch, in floats, with P = K*D + K parameters and m = history (MT_HEAD_TRAIN_SCRATCH_BYTES):
 * x, g, d [P]; s, y [m][P] (the slot of the next pair also holds the line search's trial point
 * and its gradient); rho [m]; var [D] (the raw variances, then the preconditioner); row [D];
 * logits [K]. */
mt_status_t mt_head_fit(mt_head_t *head, const mt_features_t *cache, mt_head_input_t input,
                        const mt_train_opts_t *opts, const mt_fit_ctl_t *ctl, void *scratch,
                        size_t scratch_bytes, mt_train_report_t *report) {
    if (!head || !head->weights || !cache || !cache->buf || !scratch || !opts_valid(opts)) {
        return MT_E_ARG;
    }
    if (input != MT_HEAD_PART && input != MT_HEAD_FULL && input != MT_HEAD_CONCAT) return MT_E_ARG;
    if (((uintptr_t)scratch & 3u) != 0) return MT_E_ARENA_ALIGN;
    uint32_t k = cache->n_classes, dim = mt_head_input_dim(cache, input);
    if (head->dim != dim || head->max_classes < k) return MT_E_SHAPE;
    if (k == 0) return MT_E_STATE; /* nothing cached yet */
    if (scratch_bytes < mt_head_train_scratch_bytes(k, dim, opts)) return MT_E_SCRATCH_TOO_SMALL;
    const mt_head_t *init = ctl ? ctl->init : NULL;
    if (init && (init->dim != dim || !init->weights)) return MT_E_SHAPE;

    size_t p = (size_t)k * dim + k;
    uint32_t m = opts->history;
    float *x = (float *)scratch, *g = x + p, *d = g + p;
    float *s_hist = d + p, *y_hist = s_hist + (size_t)m * p, *rho = y_hist + (size_t)m * p;
    float *var = rho + m;
    problem_t pb = {cache, input, ctl ? ctl->fold : NULL, ctl ? ctl->skip_fold : 0, 0, k, dim,
                    0.0f, head->mean, head->inv_std, var + dim, var + 2 * dim};
    for (uint32_t i = 0; i < cache->n_samples; i++) pb.n += (uint32_t)used(&pb, i);
    if (pb.n == 0) return MT_E_STATE;
    pb.lambda = 1.0f / (opts->c * (float)pb.n);

    /* Starting point: zeros, or the weights of `init` (warm start; new classes' rows 0). */
    memset(x, 0, p * sizeof *x);
    if (!init && opts->warm_start) init = head;
    if (init) {
        uint32_t old = init->n_classes < k ? init->n_classes : k;
        memcpy(x, init->weights, (size_t)old * dim * sizeof *x);
        memcpy(x + (size_t)k * dim, init->bias, old * sizeof *x);
    }

    /* Normalisation. Centring is free: the bias is not penalised, so W's optimum is the one of
     * the raw inputs, only better conditioned; standardising changes the objective. A warm
     * start from weights fitted under another normalisation is re-expressed in the new one
     * (same logits: W' = W / inv_std' * inv_std, b' = b + W (mean' - mean)). */
    mt_scale_t applied;
    uint32_t n_constant = 0;
    if (ctl && ctl->keep_normalization) {
        if (init && init != head) {
            memcpy(head->mean, init->mean, dim * sizeof *x);
            memcpy(head->inv_std, init->inv_std, dim * sizeof *x);
            head->standardize = init->standardize;
        }
        applied = head->standardize ? MT_SCALE_STANDARDIZE : MT_SCALE_CENTER;
    } else {
        if (init) {
            /* keep the initial logits: fold the old normalisation into the weights, then
             * re-express them in the new one after it is chosen */
            for (uint32_t c = 0; c < k && c < init->n_classes; c++) {
                float *w = x + (size_t)c * dim;
                float shift = 0.0f;
                for (uint32_t j = 0; j < dim; j++) {
                    w[j] *= init->inv_std[j];
                    shift += w[j] * init->mean[j];
                }
                x[(size_t)k * dim + c] -= shift; /* now logits = W_raw x + b_raw */
            }
        }
        feature_moments(&pb, head->mean, var);
        applied = set_normalization(head, &pb, (mt_scale_t)opts->scaling, var, &n_constant);
        if (init) {
            for (uint32_t c = 0; c < k && c < init->n_classes; c++) {
                float *w = x + (size_t)c * dim;
                float shift = 0.0f;
                for (uint32_t j = 0; j < dim; j++) shift += w[j] * head->mean[j];
                x[(size_t)k * dim + c] += shift;
                for (uint32_t j = 0; j < dim; j++) w[j] /= head->inv_std[j];
            }
        }
    }

    /* L-BFGS (Nocedal & Wright, Numerical Optimization, 2nd ed., Alg. 7.4/7.5) with H0 =
     * gamma diag(pre), gamma = s.y / y' diag(pre) y of the newest pair, and a backtracking
     * Armijo line search (c1 = 1e-4) whose steps come from safeguarded quadratic
     * interpolation; a pair (s, y) enters the history only when s.y > 0, which keeps the
     * implicit inverse Hessian positive definite. The first step, with no curvature known
     * yet, is preconditioned steepest descent, scaled to length at most 1 in that metric. */
    float *pre = var;
    set_preconditioner(&pb, pre);
    uint32_t evals = 1;
    uint16_t iter = 0;
    uint32_t passes = pb.n;
    double f = evaluate(&pb, x, g);
    uint32_t n_hist = 0, newest = 0;
    float gamma = 1.0f;
    float gmax = max_abs(g, p);
    mt_train_stop_t stop = MT_STOP_MAX_ITER;
    int have_dir = 0;
    while (iter < opts->max_iter) {
        if (!(gmax > opts->tol)) {
            stop = MT_STOP_GRADIENT;
            break;
        }
        float t = 1.0f;
        float gd = have_dir ? dot(g, d, p) : 0.0f;
        if (!have_dir || !(gd < 0.0f)) { /* (re)start: steepest descent, length <= 1 */
            n_hist = 0;
            precondition(d, g, pre, k, dim, -1.0f);
            gd = dot(g, d, p);
            float gn = sqrtf(-gd);
            t = gn > 1.0f ? 1.0f / gn : 1.0f;
        }
        have_dir = 0;
        /* The ring slot of the next pair holds the trial point and its gradient. */
        uint32_t slot = n_hist == 0 ? 0 : (newest + 1u) % m;
        float *xt = s_hist + (size_t)slot * p, *gt = y_hist + (size_t)slot * p;
        if (n_hist == m) n_hist--; /* the oldest pair is being overwritten */
        double ft = f;
        int accepted = 0;
        for (int ls = 0; ls < MAX_LINE_SEARCH; ls++) {
            for (size_t j = 0; j < p; j++) xt[j] = x[j] + t * d[j];
            ft = evaluate(&pb, xt, gt);
            evals++;
            passes += pb.n;
            if (isfinite(ft) && ft <= f + 1e-4 * (double)t * (double)gd) {
                accepted = 1;
                break;
            }
            /* Minimiser of the quadratic through f, f'(0) = gd and f(t), kept in [t/10, t/2]. */
            float tn = 0.5f * t;
            if (isfinite(ft)) {
                double den = 2.0 * (ft - f - (double)gd * (double)t);
                if (den > 0.0) tn = (float)(-(double)gd * (double)t * (double)t / den);
            }
            t = tn < 0.1f * t ? 0.1f * t : (tn > 0.5f * t ? 0.5f * t : tn);
        }
        if (!accepted) { /* no decrease left at float precision */
            stop = MT_STOP_LINE_SEARCH;
            break;
        }
        /* The pair: s = xt - x, y = gt - g, formed in place while x and g move to the trial. */
        for (size_t j = 0; j < p; j++) {
            float xn = xt[j], gn = gt[j];
            xt[j] = xn - x[j];
            gt[j] = gn - g[j];
            x[j] = xn;
            g[j] = gn;
        }
        float sy = dot(xt, gt, p);
        if (sy > 1e-12f) {
            float yy = weighted_dot(gt, pre, k, dim);
            rho[slot] = 1.0f / sy;
            gamma = yy > 0.0f ? sy / yy : 1.0f;
            newest = slot;
            n_hist++;
        }
        double decrease = f - ft;
        f = ft;
        iter++;
        gmax = max_abs(g, p);
        /* scipy's L-BFGS-B test (what scikit-learn relies on): stop when the relative
         * decrease falls below FTOL. */
        if (decrease <= FTOL * (fabs(f) > 1.0 ? fabs(f) : 1.0)) {
            stop = gmax > opts->tol ? MT_STOP_DECREASE : MT_STOP_GRADIENT;
            break;
        }
        if (n_hist == 0) continue; /* steepest descent next */
        /* Two-loop recursion: d = -H g with H0 = gamma diag(pre). */
        float alpha[MT_LBFGS_MAX_HISTORY];
        for (size_t j = 0; j < p; j++) d[j] = g[j];
        for (uint32_t h = 0; h < n_hist; h++) {
            uint32_t i = (newest + m - h) % m;
            alpha[i] = rho[i] * dot(s_hist + (size_t)i * p, d, p);
            const float *yi = y_hist + (size_t)i * p;
            for (size_t j = 0; j < p; j++) d[j] -= alpha[i] * yi[j];
        }
        precondition(d, d, pre, k, dim, gamma);
        for (uint32_t h = n_hist; h-- > 0;) {
            uint32_t i = (newest + m - h) % m;
            float beta = rho[i] * dot(y_hist + (size_t)i * p, d, p);
            const float *si = s_hist + (size_t)i * p;
            for (size_t j = 0; j < p; j++) d[j] += (alpha[i] - beta) * si[j];
        }
        for (size_t j = 0; j < p; j++) d[j] = -d[j];
        have_dir = 1;
    }
    if (iter >= opts->max_iter && stop == MT_STOP_MAX_ITER && !(gmax > opts->tol)) {
        stop = MT_STOP_GRADIENT;
    }

    for (size_t j = 0; j < p; j++) {
        if (!isfinite(x[j])) return MT_E_NONFINITE;
    }
    memcpy(head->weights, x, (size_t)k * dim * sizeof *x);
    memcpy(head->bias, x + (size_t)k * dim, k * sizeof *x);
    head->n_classes = (uint16_t)k;
    if (report) {
        memset(report, 0, sizeof *report);
        report->iterations = iter;
        report->evaluations = evals;
        report->sample_passes = passes;
        report->samples = pb.n;
        report->loss = (float)f;
        report->grad_max = gmax;
        report->stop = (uint8_t)stop;
        report->converged = stop == MT_STOP_GRADIENT || stop == MT_STOP_DECREASE;
        report->scaling = (uint8_t)applied;
        report->constant_features = (uint16_t)n_constant;
    }
    return MT_OK;
}

mt_status_t mt_head_train_input(mt_head_t *head, const mt_features_t *cache,
                                mt_head_input_t input, const mt_train_opts_t *opts,
                                void *scratch, size_t scratch_bytes, mt_train_report_t *report) {
    return mt_head_fit(head, cache, input, opts, NULL, scratch, scratch_bytes, report);
}

mt_status_t mt_head_train(mt_head_t *head, const mt_features_t *cache, mt_stage_t stage,
                          const mt_train_opts_t *opts, void *scratch, size_t scratch_bytes,
                          mt_train_report_t *report) {
    if (stage != MT_STAGE_PART && stage != MT_STAGE_FULL) return MT_E_ARG;
    return mt_head_fit(head, cache, stage == MT_STAGE_PART ? MT_HEAD_PART : MT_HEAD_FULL, opts,
                       NULL, scratch, scratch_bytes, report);
}
