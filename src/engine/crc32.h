#ifndef R1SIM_ENGINE_CRC32_H
#define R1SIM_ENGINE_CRC32_H

/* CRC-32 as zlib computes it (reflected polynomial 0xEDB88320), so checkpoint
 * checksums can be produced and verified by other tools. */

#include <stddef.h>
#include <stdint.h>

/* Continues a running CRC: start with crc = 0. */
uint32_t crc32_update(uint32_t crc, const void *data, size_t len);

#endif
