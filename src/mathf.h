/* Private to the library: exp and log in float with a fixed sequence of IEEE operations,
 * so the heads train to the same bits on the host, the Cortex-M4 and the M7. The C
 * libraries' expf/logf differ in their last bits (newlib's M4 build from glibc), which made
 * trained heads differ. Accurate to a few ulp; no tables, no double. */
#ifndef MICROT_MATHF_H
#define MICROT_MATHF_H

float mt_expf(float x);
float mt_logf(float x);

#endif
