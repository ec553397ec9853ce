/* mt_expf / mt_logf against double-precision exp/log: a few ulp everywhere they are used
 * (softmax arguments and sums), and the special values. */
#include <math.h>
#include <stdio.h>

#include "../src/mathf.h"
#include "test_util.h"

static double rel_err(double got, double want) {
    return want == 0.0 ? fabs(got) : fabs(got - want) / fabs(want);
}

int main(void) {
    double worst_exp = 0, worst_log = 0;
    float worst_exp_x = 0, worst_log_x = 0;
    mt_rng_t rng;
    mt_rng_seed(&rng, 11);
    for (int i = 0; i < 200000; i++) {
        float x = -87.0f + 175.0f * mt_rng_unit(&rng);
        double e = rel_err(mt_expf(x), exp((double)x));
        if (e > worst_exp) {
            worst_exp = e;
            worst_exp_x = x;
        }
        float y = ldexpf(0.5f + mt_rng_unit(&rng), mt_rng_range(&rng, -125, 125));
        double l = fabs(mt_logf(y) - log((double)y)) / (fabs(log((double)y)) > 1.0 ? fabs(log((double)y)) : 1.0);
        if (l > worst_log) {
            worst_log = l;
            worst_log_x = y;
        }
    }
    printf("worst relative error: expf %.3g at %.9g, logf %.3g at %.9g (float ulp 5.96e-8)\n",
           worst_exp, (double)worst_exp_x, worst_log, (double)worst_log_x);
    CHECK(worst_exp < 4.0 * 5.96e-8);
    CHECK(worst_log < 4.0 * 5.96e-8);
    CHECK(mt_expf(0.0f) == 1.0f);
    CHECK(mt_expf(-200.0f) == 0.0f);
    CHECK(isinf(mt_expf(100.0f)));
    CHECK(mt_expf(-100.0f) > 0.0f && rel_err(mt_expf(-100.0f), exp(-100.0)) < 0.03); /* subnormal: ~26 steps of 2^-149 */
    CHECK(mt_logf(1.0f) == 0.0f);
    CHECK(isinf(mt_logf(0.0f)) && mt_logf(0.0f) < 0.0f);
    CHECK(isnan(mt_logf(-1.0f)));
    CHECK(rel_err(mt_logf(1e-40f), log(1e-40)) < 1e-6);
    CHECK(isnan(mt_expf(NAN)) && isnan(mt_logf(NAN)));
    return mt_test_summary("test_mathf");
}
