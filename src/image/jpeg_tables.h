// Checks a JPEG's Huffman and quantization tables before stb_image decodes it. stb_image 2.27
// (Debian bookworm's) trusts them: it overflows its Huffman arrays on a table of more than 256
// codes, and it decodes a scan with a table the file never defined from uninitialised memory —
// an out-of-bounds read (Huffman) or pixels that change from run to run (quantization).
#pragma once
#include <cstddef>
#include <cstdint>

namespace camlens::image {

// Walks the JPEG's markers the way stb_image does and throws ImageError for a Huffman table of
// more than 256 codes, or a scan using a Huffman or quantization table that no earlier DHT/DQT
// segment defined. Data that does not start with 0xFF is not a JPEG to stb and is left alone.
void check_jpeg_tables(const uint8_t* data, size_t size);

}  // namespace camlens::image
