// Subcommands of the single `invex` binary. Each takes the arguments after its name and
// returns the process exit code: 0 ok, 2 bad input, 3 training stopped on a non-finite loss.
#pragma once

namespace invex::cli {

int run_presets(int argc, char** argv);
int run_train(int argc, char** argv);
int run_eval(int argc, char** argv);
int run_bench(int argc, char** argv);
int run_render(int argc, char** argv);     // app/cli_render.cpp
int run_pack(int argc, char** argv);       // app/cli_pack.cpp
int run_reproduce(int argc, char** argv);  // app/cli_reproduce.cpp
int run_gui(int argc, char** argv);        // app/gui/gui_main.cpp
int run_tour(int argc, char** argv);       // app/gui/gui_main.cpp

}  // namespace invex::cli
