/* Placeholder model for minimal_fw.c: not a valid .mtm (mt_model_open rejects it). Replace it
 * with `microt export-c MODEL -o FILE` and -DMT_FW_MODEL_C=FILE for real flash figures. */
#include <stdint.h>

const unsigned int mt_model_data_len = 4;
const uint8_t mt_model_data[4] __attribute__((aligned(4))) = {0, 0, 0, 0};
