// invex eval: a neuron's raw response to images given as a NumPy array.
#include <cstdio>
#include <string>

#include "app/cli_parser.h"
#include "app/commands.h"
#include "app/config_options.h"
#include "core/io/npy.h"
#include "core/neurons/neuron.h"
#include "core/run/config.h"
#include "core/support/thread_pool.h"

namespace invex::cli {
namespace {

std::string shape_text(int channels, int height, int width) {
  return "N×" + std::to_string(channels) + "×" + std::to_string(height) + "×" +
         std::to_string(width);
}

// The images of an N×C×H×W float32 .npy file, checked against what the neuron takes.
ImageStack read_images(const std::string& path, const NeuronEvaluator& neuron) {
  NpyArray in = read_npy(path);
  if (in.shape.size() != 4)
    throw ConfigError(path + ": expected an N×C×H×W array, got " + std::to_string(in.shape.size()) +
                      " dimensions");
  ImageStack images;
  images.count = in.shape[0];
  images.channels = in.shape[1];
  images.height = in.shape[2];
  images.width = in.shape[3];
  images.data = std::move(in.data);
  if (images.channels != neuron.channels() || images.height != neuron.height() ||
      images.width != neuron.width())
    throw ConfigError(path + ": the neuron expects " +
                      shape_text(neuron.channels(), neuron.height(), neuron.width()) +
                      " images, got " + shape_text(images.channels, images.height, images.width));
  return images;
}

}  // namespace

int run_eval(int argc, char** argv) {
  ConfigOptions config;
  std::string images_path, out;
  int threads = 0;
  bool whole_recording = false;
  CLI::App app(
      "The neuron's raw response to each image of an N×C×H×W float32 array (no "
      "transform), one number a line on stdout or into --out.",
      "invex eval");
  set_up_command(app,
                 "(--preset NAME | --config FILE) --images IN.npy [--out OUT.npy] "
                 "[--all-neurons]",
                 "Exit codes: 0 done, 2 bad input or a file that cannot be read or written.");
  add_config_source(app, config);
  add_text(app, "--images IN.npy", images_path, "the images")->required();
  add_text(app, "--out OUT.npy", out, "write the responses here as a float32 array of N");
  app.add_flag("--all-neurons", whole_recording,
               "every neuron of a macaque-ensemble neuron's recording: N×n responses, a line "
               "per image on stdout or an N×n array in --out");
  config.models_option = add_models_option(app, config.models);
  add_threads(app, threads, "all cores");
  if (const int code = parse_command(app, argc, argv); code >= 0) return code;
  try {
    set_compute_threads(threads);
    const RunConfig cfg = config_from_options(config);
    if (whole_recording && cfg.neuron.type != "macaque-ensemble")
      throw ConfigError("--all-neurons: only a macaque-ensemble neuron belongs to a recording; " +
                        cfg.name + " has a " + cfg.neuron.type + " neuron");
    const NeuronEvaluator neuron(cfg.neuron);
    const ImageStack images = read_images(images_path, neuron);
    int per_image = 1;
    const std::vector<float> r =
        whole_recording ? neuron.respond_recording(images, &per_image) : neuron.respond(images);
    if (!out.empty()) {
      std::vector<long> shape = {static_cast<long>(images.count)};
      if (whole_recording) shape.push_back(per_image);
      write_npy(out, shape, r.data());
    } else {
      for (size_t i = 0; i < r.size(); ++i)
        std::printf("%.7g%c", r[i], (i + 1) % per_image == 0 ? '\n' : ' ');
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "invex eval: %s\n", e.what());
    return 2;
  }
}

}  // namespace invex::cli
