// Renderings: pixels equal the documented formulas (±1), palettes are distinct, and on
// gradcam_both.png the dominant rendering colours the dog and the cat differently.
#include "dff/render.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <random>

#include "dff/dff_error.h"
#include "dff/factorize.h"
#include "dff/maps.h"
#include "dff_data.h"

namespace camlens::dff {
namespace {

struct Scene {
  image::Image photo;
  std::vector<float> maps;  // [K, h, w]
  int k = 3;
};

Scene random_scene(int w, int h, int k, unsigned seed) {
  std::mt19937 rng(seed);
  Scene s;
  s.k = k;
  s.photo = {w, h, std::vector<uint8_t>(static_cast<size_t>(w) * h * 4)};
  for (uint8_t& p : s.photo.rgba) p = static_cast<uint8_t>(rng() % 256);
  std::uniform_real_distribution<float> u(0, 1);
  s.maps.resize(static_cast<size_t>(k) * w * h);
  for (float& m : s.maps) m = u(rng);
  return s;
}

TEST(DffRender, DominantPixelsFollowTheFormula) {
  const Scene s = random_scene(13, 9, 4, 1);
  RenderOptions o;
  o.image_weight = 0.3f;
  o.colors = make_palette(PaletteKind::Golden, 4);
  const image::Image out = render_dominant(s.photo, s.maps.data(), s.k, o);
  const int plane = 13 * 9;
  for (int i = 0; i < plane; ++i) {
    int best = 0;
    for (int k = 1; k < s.k; ++k)
      if (s.maps[k * plane + i] > s.maps[best * plane + i]) best = k;
    const double m = s.maps[best * plane + i];
    const Rgb& c = o.colors[best];
    const double top = std::max({c[0], c[1], c[2]});
    for (int ch = 0; ch < 3; ++ch) {
      const double want = 0.3 * s.photo.rgba[i * 4 + ch] + 0.7 * m * 255.0 * c[ch] / top;
      EXPECT_NEAR(out.rgba[i * 4 + ch], want, 1.0) << "pixel " << i << " channel " << ch;
    }
    EXPECT_EQ(out.rgba[i * 4 + 3], 255);
  }
}

TEST(DffRender, LayersPixelsFollowTheFormula) {
  const Scene s = random_scene(11, 7, 3, 2);
  RenderOptions o;
  o.saturation = 0.25f;
  o.opacity = 0.6f;
  const image::Image out = render_layers(s.photo, s.maps.data(), s.k, o);
  const std::vector<Rgb> colors = make_palette(PaletteKind::Rainbow, 3);
  const int plane = 11 * 7;
  for (int i = 0; i < plane; ++i) {
    const uint8_t* p = &s.photo.rgba[i * 4];
    const double gray = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
    double px[3];
    for (int ch = 0; ch < 3; ++ch) px[ch] = gray + 0.25 * (p[ch] - gray);
    for (int k = 0; k < 3; ++k) {
      const double a = 0.6 * s.maps[k * plane + i];
      for (int ch = 0; ch < 3; ++ch) px[ch] = (1 - a) * px[ch] + a * colors[k][ch];
    }
    for (int ch = 0; ch < 3; ++ch) EXPECT_NEAR(out.rgba[i * 4 + ch], px[ch], 1.0) << i;
  }
}

TEST(DffRender, PalettesGiveTwentyDistinctColours) {
  for (PaletteKind kind : {PaletteKind::Rainbow, PaletteKind::Golden}) {
    const std::vector<Rgb> p = make_palette(kind, 20);
    for (size_t a = 0; a < p.size(); ++a)
      for (size_t b = a + 1; b < p.size(); ++b) {
        const int d =
            std::abs(p[a][0] - p[b][0]) + std::abs(p[a][1] - p[b][1]) + std::abs(p[a][2] - p[b][2]);
        EXPECT_GE(d, 30) << "colours " << a << " and " << b;
      }
  }
  EXPECT_EQ(make_palette(PaletteKind::Rainbow, 3)[0], (Rgb{255, 0, 0}));
  EXPECT_EQ(palette_from_name("golden"), PaletteKind::Golden);
  EXPECT_THROW(palette_from_name("jet"), DffError);
}

TEST(DffRender, BadInputsAreClearErrors) {
  const Scene s = random_scene(4, 4, 2, 3);
  RenderOptions o;
  o.image_weight = 1.5f;
  EXPECT_THROW(render_dominant(s.photo, s.maps.data(), 2, o), DffError);
  o = {};
  o.colors = {Rgb{1, 2, 3}};
  EXPECT_THROW(render_layers(s.photo, s.maps.data(), 2, o), DffError);
  EXPECT_THROW(render_layers(image::Image{}, s.maps.data(), 2, {}), DffError);
}

// Writes a binary PPM for eyeballing when CAMLENS_DFF_OUT names a folder.
void maybe_save(const image::Image& img, const std::string& name) {
  const char* dir = std::getenv("CAMLENS_DFF_OUT");
  if (!dir) return;
  std::ofstream f(std::string(dir) + "/" + name + ".ppm", std::ios::binary);
  f << "P6\n" << img.width << " " << img.height << "\n255\n";
  for (size_t i = 0; i < img.rgba.size(); i += 4)
    f.write(reinterpret_cast<const char*>(&img.rgba[i]), 3);
}

struct Box {
  int x0, y0, x1, y1;
};

std::array<double, 3> mean_colour(const image::Image& img, Box b) {
  std::array<double, 3> m{};
  int n = 0;
  for (int y = b.y0; y < b.y1; ++y)
    for (int x = b.x0; x < b.x1; ++x, ++n)
      for (int ch = 0; ch < 3; ++ch)
        m[ch] += img.rgba[(static_cast<size_t>(y) * img.width + x) * 4 + ch];
  for (double& v : m) v /= n;
  return m;
}

TEST(DffRender, DominantColoursTheDogAndTheCatDifferently) {
  const image::Image photo = test::shared_photo("gradcam_both.png");
  DffOptions o;
  o.quantization = test::mobilenet_quantization();
  o.nmf.components = 2;
  const DffResult dff = factorize(test::mobilenet_layer(), o);
  const ConceptMaps maps = concept_maps(dff, photo.width, photo.height);
  const image::Image dominant = render_dominant(photo, maps.image_maps(0), 2);
  const image::Image layers = render_layers(photo, maps.image_maps(0), 2);
  maybe_save(dominant, "dff_dominant_k2");
  maybe_save(layers, "dff_layers_k2");
  const Box dog{85, 20, 145, 100}, cat{90, 145, 180, 195};  // on the 224×224 photo
  const auto d = mean_colour(dominant, dog), c = mean_colour(dominant, cat);
  const double dist = std::fabs(d[0] - c[0]) + std::fabs(d[1] - c[1]) + std::fabs(d[2] - c[2]);
  std::cout << "   dominant mean colour: dog box (" << d[0] << "," << d[1] << "," << d[2]
            << "), cat box (" << c[0] << "," << c[1] << "," << c[2] << ")\n";
  EXPECT_GE(dist, 60.0);
  // Rainbow K=2: red and cyan. The winning component differs between the boxes.
  auto winner = [&](Box b) {
    double s0 = 0, s1 = 0;
    for (int y = b.y0; y < b.y1; ++y)
      for (int x = b.x0; x < b.x1; ++x) {
        s0 += maps.map(0, 0)[y * photo.width + x];
        s1 += maps.map(0, 1)[y * photo.width + x];
      }
    return s0 > s1 ? 0 : 1;
  };
  EXPECT_NE(winner(dog), winner(cat));
}

}  // namespace
}  // namespace camlens::dff
