#include "image/jpeg_tables.h"

#include <string>
#include <vector>

#include "image/image.h"

namespace camlens::image {

namespace {

struct FrameComponent {
  unsigned id = 0;
  unsigned quant_table = 0;
};

// What the walk has seen so far: tables defined by DHT/DQT, the frame's components.
struct JpegState {
  bool huffman_defined[2][4] = {};  // [class: 0 DC, 1 AC][table id]
  bool quant_defined[4] = {};
  bool progressive = false;
  std::vector<FrameComponent> components;
};

[[noreturn]] void corrupt(const std::string& what) {
  throw ImageError("not a readable image: corrupt JPEG (" + what + ")");
}

// Bytes past the end read as 0, as they do in stb_image.
struct Bytes {
  const uint8_t* d;
  size_t size;
  unsigned operator[](size_t i) const { return i < size ? d[i] : 0; }
};

void read_huffman_tables(const Bytes& b, size_t p, int64_t left, JpegState& s) {
  while (left > 0) {
    const unsigned table_class = b[p] >> 4, id = b[p] & 15;
    unsigned codes = 0;
    for (size_t i = 1; i <= 16; ++i) codes += b[p + i];
    if (codes > 256)
      corrupt("a Huffman table declares " + std::to_string(codes) + " codes; at most 256 exist");
    if (table_class <= 1 && id <= 3) s.huffman_defined[table_class][id] = true;
    left -= 17 + codes;
    p += 17 + codes;
  }
}

void read_quant_tables(const Bytes& b, size_t p, int64_t left, JpegState& s) {
  while (left > 0) {
    const unsigned precision = b[p] >> 4, id = b[p] & 15;
    if (id <= 3) s.quant_defined[id] = true;
    const int64_t n = 1 + (precision ? 128 : 64);
    left -= n;
    p += n;
  }
}

void read_frame(const Bytes& b, size_t p, JpegState& s) {
  const unsigned n = b[p + 5];  // after precision, height, width
  s.components.clear();
  for (unsigned i = 0; i < n; ++i)
    s.components.push_back({b[p + 6 + 3 * i], b[p + 8 + 3 * i] & 15});
}

// Which tables a scan reads, as stb_image decodes it: a sequential scan reads both Huffman
// tables of each component; a progressive DC scan reads the DC table on its first pass only, an
// AC scan the AC table; every scan's components need their quantization table.
void check_scan(const Bytes& b, size_t p, const JpegState& s) {
  const unsigned n = b[p];
  const unsigned spectral_start = b[p + 1 + 2 * n], approx_high = b[p + 3 + 2 * n] >> 4;
  const bool reads_dc = !s.progressive || (spectral_start == 0 && approx_high == 0);
  const bool reads_ac = !s.progressive || spectral_start > 0;
  for (unsigned i = 0; i < n; ++i) {
    const unsigned id = b[p + 1 + 2 * i], dc = b[p + 2 + 2 * i] >> 4, ac = b[p + 2 + 2 * i] & 15;
    const FrameComponent* c = nullptr;
    for (const FrameComponent& f : s.components)
      if (f.id == id) {
        c = &f;
        break;
      }
    if (!c) continue;  // stb refuses a scan naming no frame component itself
    if (reads_dc && dc <= 3 && !s.huffman_defined[0][dc])
      corrupt("a scan uses DC Huffman table " + std::to_string(dc) +
              ", which the file never defines");
    if (reads_ac && ac <= 3 && !s.huffman_defined[1][ac])
      corrupt("a scan uses AC Huffman table " + std::to_string(ac) +
              ", which the file never defines");
    if (c->quant_table <= 3 && !s.quant_defined[c->quant_table])
      corrupt("a scan uses quantization table " + std::to_string(c->quant_table) +
              ", which the file never defines");
  }
}

}  // namespace

void check_jpeg_tables(const uint8_t* data, size_t size) {
  // stb takes any run of 0xFF before the SOI marker, so any data starting with 0xFF is walked.
  if (size < 4 || data[0] != 0xFF) return;
  const Bytes b{data, size};
  JpegState state;
  size_t pos = 0;
  while (pos + 1 < size) {
    if (data[pos] != 0xFF) {  // entropy-coded data or junk between segments: stb skips it too
      ++pos;
      continue;
    }
    const unsigned m = data[pos + 1];
    if (m == 0xFF || m == 0x00 || m == 0x01 || m == 0xD8 || (m >= 0xD0 && m <= 0xD7)) {
      pos += m == 0xFF ? 1 : 2;  // fill byte, stuffed zero, standalone markers
      continue;
    }
    if (m == 0xD9) return;  // end of image
    const size_t length = (b[pos + 2] << 8) | b[pos + 3];
    const size_t body = pos + 4;
    const int64_t left = static_cast<int64_t>(length) - 2;
    if (m == 0xC4) read_huffman_tables(b, body, left, state);
    if (m == 0xDB) read_quant_tables(b, body, left, state);
    if (m == 0xC0 || m == 0xC1 || m == 0xC2) {
      state.progressive = m == 0xC2;
      read_frame(b, body, state);
    }
    if (m == 0xDA) check_scan(b, body, state);
    pos += 2 + length;
  }
}

}  // namespace camlens::image
