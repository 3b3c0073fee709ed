// invex presets: the presets with their descriptions.
#include <cstdio>

#include "app/cli_parser.h"
#include "app/commands.h"
#include "core/run/config.h"

namespace invex::cli {

int run_presets(int argc, char** argv) {
  CLI::App app("Lists the presets (" + preset_directory() +
                   "), one a line with its description; a broken one says why.",
               "invex presets");
  set_up_command(app, "", "");
  if (const int code = parse_command(app, argc, argv); code >= 0) return code;
  for (auto& name : list_presets()) {
    try {
      auto cfg = load_preset(name);
      std::printf("%-36s %s\n", name.c_str(), cfg.description.c_str());
    } catch (const std::exception& e) {
      std::printf("%-36s (broken: %s)\n", name.c_str(), e.what());
    }
  }
  return 0;
}

}  // namespace invex::cli
