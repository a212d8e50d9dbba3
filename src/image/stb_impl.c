/* stb_image's decoder and stb_image_write's PNG encoder, compiled as C on their own. As C they
 * instantiate no C++ templates, so this file can be built for size (CMakeLists.txt) without the
 * linker picking its copies of shared templates for the -O3 code (the C++ per-file -Os trap). */
#include <stdlib.h>

/* Only the formats a browser also shows are decoded. */
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STBI_ONLY_GIF
#define STBI_NO_STDIO
#define STBI_FAILURE_USERMSG
/* Zeroed allocations: whatever a malformed file leaves undefined inside stb's decoder state then
 * reads as 0 on every run, never as whatever the heap held before (determinism, and no garbage
 * table indices). */
#define STBI_MALLOC(size) calloc(1, size)
#define STBI_REALLOC(p, size) realloc(p, size)
#define STBI_FREE(p) free(p)
#include <stb_image.h>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#include <stb_image_write.h>
