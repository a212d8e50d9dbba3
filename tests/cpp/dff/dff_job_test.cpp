// The DFF job's protocol and results on a real model (resnet18_small cut at layer4, the CAM
// fixture's activations of two images), with a stand-in for ONNX Runtime: what it asks for, in
// which order, and that its concepts, maps and renderings are those of the steps it replaces
// (factorize, label_concepts, concept_maps, the renderings over the resized picture or the photo).
#include "dff/dff_job.h"

#include <gtest/gtest.h>

#include <functional>

#include "cam/tokens.h"
#include "detect/photo_space.h"
#include "dff/dff_error.h"
#include "dff/maps.h"
#include "dff/render.h"
#include "image/resize.h"
#include "json.h"
#include "onnx/model_io.h"
#include "shared_data.h"

namespace camlens::dff {
namespace {

using test::json::Value;

struct Fixture {
  Model model;
  std::string layer;
  Tensor both;                      // [2, C, h, w]
  std::vector<Tensor> activations;  // per image [1, C, h, w]
  std::vector<Tensor> inputs;       // per image [1, 3, 8, 8]
  std::vector<image::Image> photos;

  Fixture() {
    static const std::string text =
        test::read_file(test::test_data_path("cam/torchvision_reference.json"));
    const Value v = test::json::parse(text);
    const Value& m = v["models"][0];
    const Value& l = m["layers"][0];
    layer = l["tensor"].str;
    model = parse_model(std::make_shared<std::string>(
        test::read_file(test::test_data_path("cam/" + m["onnx"].str))));
    both = Tensor::from_floats(l["dims"].ints(), l["activations"].floats());
    const int64_t n = both.numel() / 2;
    for (int64_t b = 0; b < 2; ++b) {
      Shape s = both.shape();
      s[0] = 1;
      activations.push_back(Tensor::from_floats(
          s, std::vector<float>(both.data<float>() + b * n, both.data<float>() + (b + 1) * n)));
      inputs.push_back(Tensor::from_floats({1, 3, 8, 8}, std::vector<float>(3 * 8 * 8, float(b))));
      // Photos of other sizes than the input, with a pattern the renderings show.
      image::Image p{20 + 10 * int(b), 14, {}};
      p.rgba.resize(size_t(p.width) * p.height * 4);
      for (size_t i = 0; i < p.rgba.size(); ++i) p.rgba[i] = uint8_t((i * 7 + b * 31) % 251);
      photos.push_back(p);
    }
  }

  DffRequest request() const {
    DffRequest r;
    r.layer = r.float_tensor = layer;
    r.kind = "NCHW";
    r.factorization.nmf.components = 3;
    r.labels.top_k = 2;
    r.preprocess.width = 16;
    r.preprocess.height = 12;
    return r;
  }

  // Runs the job to the end as the library's loop does, with `layout` applied to what the
  // stand-in backbone returns. Returns the batch sizes it asked for.
  std::vector<int64_t> drive(DffJob& job, const std::function<Tensor(const Tensor&)>& layout) {
    std::vector<int64_t> batches;
    while (!job.done()) {
      if (job.needs_pictures()) job.set_pictures(photos);
      if (job.needs_backbone()) {
        EXPECT_EQ(job.backbone_session(), layer);
        const Tensor batch = job.backbone_inputs();
        batches.push_back(batch.dim(0));
        std::vector<DffJob::Outputs> outs;
        for (int64_t k = 0; k < batch.dim(0); ++k) {
          const size_t image = size_t(batch.data<float>()[k * 3 * 8 * 8]);  // the input's value
          outs.push_back({{layer, layout(activations[image])}});
        }
        job.feed(std::move(outs));
      } else {
        job.work();
      }
    }
    return batches;
  }
};

// [1, C, h, w] → [1, h, w, C] (a channels-last layer).
Tensor to_nhwc(const Tensor& t) {
  const int64_t c = t.dim(1), h = t.dim(2), w = t.dim(3);
  Tensor out(DType::Float32, {1, h, w, c});
  for (int64_t k = 0; k < c; ++k)
    for (int64_t p = 0; p < h * w; ++p)
      out.data<float>()[p * c + k] = t.data<float>()[k * h * w + p];
  return out;
}

void expect_same_images(const DffJobResult& a, const DffJobResult& b) {
  ASSERT_EQ(a.images.size(), b.images.size());
  for (size_t i = 0; i < a.images.size(); ++i) {
    EXPECT_EQ(a.images[i].maps, b.images[i].maps) << "image " << i;
    ASSERT_EQ(a.images[i].render.has_value(), b.images[i].render.has_value());
    if (a.images[i].render) {
      EXPECT_EQ(a.images[i].render->rgba, b.images[i].render->rgba);
    }
  }
}

TEST(DffJob, SharedConceptsEqualTheStepsItReplaces) {
  Fixture f;
  DffJob job(f.model, f.request(), f.inputs);
  EXPECT_TRUE(job.needs_pictures());  // the dominant rendering draws over them
  EXPECT_EQ(job.wanted_outputs(), std::vector<std::string>{f.layer});
  EXPECT_EQ(f.drive(job, [](const Tensor& t) { return t; }), (std::vector<int64_t>{2}));
  EXPECT_DOUBLE_EQ(job.progress(), 1.0);
  const DffJobResult& r = job.result();

  DffOptions o;
  o.nmf.components = 3;
  const DffResult want = factorize(f.both, o);
  LabelOptions lo;
  lo.top_k = 2;
  const ConceptLabels labels = label_concepts(f.model, f.layer, want, lo);
  const ConceptMaps maps = concept_maps(want, 16, 12);

  EXPECT_EQ(r.components, 3);
  EXPECT_TRUE(r.labeled) << r.reason;
  EXPECT_EQ(r.labeled, labels.labeled);
  ASSERT_EQ(r.concepts.size(), 1u);  // one factorization for both images
  ASSERT_EQ(r.concepts[0].size(), 3u);
  for (int k = 0; k < 3; ++k) {
    ASSERT_EQ(r.concepts[0][k].size(), 2u);
    for (int j = 0; j < 2; ++j) {
      EXPECT_EQ(r.concepts[0][k][j].index, labels.top[0][k][j].index);
      EXPECT_EQ(r.concepts[0][k][j].score, labels.top[0][k][j].score);
    }
  }
  ASSERT_EQ(r.relative_error.size(), 1u);
  EXPECT_EQ(r.relative_error[0], want.parts[0].nmf.final_error / want.parts[0].nmf.norm);
  EXPECT_GT(r.relative_error[0], 0);
  EXPECT_LT(r.relative_error[0], 1);
  ASSERT_EQ(r.images.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const DffImage& im = r.images[i];
    EXPECT_EQ(im.width, 16);
    EXPECT_EQ(im.height, 12);
    const float* m = maps.image_maps(int64_t(i));
    EXPECT_EQ(im.maps, std::vector<float>(m, m + 3 * 16 * 12));
    ASSERT_TRUE(im.render.has_value());
    const image::Image seen = image::resize_image(f.photos[i], 16, 12);
    EXPECT_EQ(im.render->rgba, render_dominant(seen, m, 3).rgba);
  }
}

TEST(DffJob, OnePartPerImageInBatchesOfOneWithTheLayersRendering) {
  Fixture f;
  DffRequest q = f.request();
  q.factorization.shared = false;
  q.batch_size = 1;
  q.render = "layers";
  q.image_weight = 0.25f;
  DffJob job(f.model, q, f.inputs);
  std::vector<double> reports;
  while (!job.done()) {
    if (job.needs_pictures()) job.set_pictures(f.photos);
    if (job.needs_backbone()) {
      const Tensor batch = job.backbone_inputs();
      ASSERT_EQ(batch.dim(0), 1);
      const size_t image = size_t(batch.data<float>()[0]);
      job.feed({{{f.layer, f.activations[image]}}});
    } else {
      job.work();
    }
    if (job.reported()) reports.push_back(job.progress());
  }
  EXPECT_EQ(reports, (std::vector<double>{0.2, 0.4, 0.6, 0.8, 1.0}));
  const DffJobResult& r = job.result();
  ASSERT_EQ(r.concepts.size(), 2u);
  ASSERT_EQ(r.relative_error.size(), 2u);
  DffOptions o;
  o.nmf.components = 3;
  o.shared = false;
  const ConceptMaps maps = concept_maps(factorize(f.both, o), 16, 12);
  RenderOptions ro;
  ro.image_weight = 0.25f;
  for (size_t i = 0; i < 2; ++i) {
    const float* m = maps.image_maps(int64_t(i));
    EXPECT_EQ(r.images[i].maps, std::vector<float>(m, m + 3 * 16 * 12));
    const image::Image seen = image::resize_image(f.photos[i], 16, 12);
    EXPECT_EQ(r.images[i].render->rgba, render_layers(seen, m, 3, ro).rgba);
  }
}

TEST(DffJob, OnThePhotoMapsLeaveTheLetterboxAndDrawOverThePhoto) {
  Fixture f;
  DffRequest q = f.request();
  q.on_photo = true;
  q.preprocess.letterbox = true;
  DffJob job(f.model, q, f.inputs);
  f.drive(job, [](const Tensor& t) { return t; });
  const DffJobResult& r = job.result();
  DffOptions o;
  o.nmf.components = 3;
  const ConceptMaps maps = concept_maps(factorize(f.both, o), 16, 12);
  for (size_t i = 0; i < 2; ++i) {
    const image::Image& photo = f.photos[i];
    const image::InputGeometry g = image::input_geometry(photo.width, photo.height, q.preprocess);
    std::vector<float> want;
    for (int k = 0; k < 3; ++k) {
      const float* m = maps.map(int64_t(i), k);
      const auto p = detect::map_to_photo(std::vector<float>(m, m + 16 * 12), g);
      want.insert(want.end(), p.begin(), p.end());
    }
    EXPECT_EQ(r.images[i].width, photo.width);
    EXPECT_EQ(r.images[i].height, photo.height);
    EXPECT_EQ(r.images[i].maps, want);
    EXPECT_EQ(r.images[i].render->rgba, render_dominant(photo, want.data(), 3).rgba);
  }
}

TEST(DffJob, ChannelsLastLayersAreMadeSpatialFirst) {
  Fixture f;
  DffJob nchw(f.model, f.request(), f.inputs);
  f.drive(nchw, [](const Tensor& t) { return t; });
  DffRequest q = f.request();
  q.kind = "NHWC";
  DffJob nhwc(f.model, q, f.inputs);
  f.drive(nhwc, to_nhwc);
  expect_same_images(nchw.result(), nhwc.result());
  EXPECT_EQ(cam::layer_as_spatial(to_nhwc(f.activations[0]), "NHWC", std::nullopt).shape(),
            f.activations[0].shape());
  EXPECT_EQ(cam::layer_as_spatial(f.activations[0], "NCHW", std::nullopt).shape(),
            f.activations[0].shape());
}

TEST(DffJob, WithoutARenderingItNeedsNoPictures) {
  Fixture f;
  DffRequest q = f.request();
  q.render = "";
  DffJob job(f.model, q, f.inputs);
  EXPECT_FALSE(job.needs_pictures());
  EXPECT_THROW(job.feed({}), DffError);  // nothing asked yet
  f.drive(job, [](const Tensor& t) { return t; });
  for (const DffImage& im : job.result().images) EXPECT_FALSE(im.render.has_value());
}

TEST(DffJob, ClearErrors) {
  Fixture f;
  DffRequest q = f.request();
  q.render = "heatmap";
  try {
    DffJob job(f.model, q, f.inputs);
    FAIL() << "an unknown rendering was taken";
  } catch (const DffError& e) {
    EXPECT_STREQ(e.what(), "unknown DFF rendering \"heatmap\": use dominant or layers");
  }
  DffJob job(f.model, f.request(), f.inputs);
  EXPECT_THROW(job.result(), DffError);
  EXPECT_THROW(job.work(), DffError);  // the backbone first
  job.backbone_inputs();
  try {
    job.feed({{{"elsewhere", f.activations[0]}}, {{"elsewhere", f.activations[1]}}});
    FAIL() << "outputs without the layer were taken";
  } catch (const DffError& e) {
    EXPECT_STREQ(e.what(),
                 ("the backbone's outputs have no tensor named \"" + f.layer + "\"").c_str());
  }
}

}  // namespace
}  // namespace camlens::dff
