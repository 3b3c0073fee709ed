// The option parser of every `invex` command, on CLI11, with the house rules: bad input is one
// line on stderr ("invex CMD: --option: what was expected"), exit 2; --help prints help made
// from the same definitions that check the values (a ranged option's line ends with its range
// and default) and exits 0; an option given twice keeps its last value; `--name=value` and
// `--name value` are the same.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <type_traits>

namespace invex::cli {

// Sets up `app`, the parser of one command (its name is "invex CMD"): `synopsis` follows the
// name on the help's usage line, `footer` closes the help.
void set_up_command(CLI::App& app, const std::string& synopsis, const std::string& footer);

// Parses argv (argv[0] is the command's name). Returns -1 to go on, else the exit code: 0 after
// --help (on stdout), 2 after bad input (one line on stderr).
int parse_command(CLI::App& app, int argc, char** argv);

// Check an integer (base 10) or a finite number in [min, max] and rewrite it in a canonical
// form for CLI11's conversion (which would read 010 as octal). The error reads "expected an
// integer from 2 to 10000, got '1'"; CLI11 puts the option's name in front.
CLI::Validator integer_in(long long min, long long max);
CLI::Validator number_in(double min, double max);

// How help and errors print numbers: %g, and integers in full.
std::string number_text(double v);
std::string range_text(long long min, long long max);
std::string range_text(double min, double max);

// Names an option added with app.add_option(flag, variable): `name` is the option and its
// value's name as help shows them ("--frames N"). Returns the flag ("--frames").
std::string option_flag(const std::string& name);
CLI::Option* describe(CLI::Option* option, const std::string& name, const std::string& help);

// Options whose help line is `help` and then "(RANGE; default D)". `default_text` replaces the
// variable's own value where the default is not a constant ("the config's").
template <class T>
CLI::Option* add_integer(CLI::App& app, const std::string& name, T& value, long long min,
                         long long max, const std::string& help, std::string default_text = {}) {
  static_assert(std::is_arithmetic_v<T>);
  if (default_text.empty()) {
    if constexpr (std::is_integral_v<T>)
      default_text = std::to_string(value);
    else
      default_text = number_text(value);
  }
  CLI::Option* option = app.add_option(option_flag(name), value);
  option->transform(integer_in(min, max));
  return describe(option, name,
                  help + " (" + range_text(min, max) + "; default " + default_text + ")");
}

template <class T>
CLI::Option* add_number(CLI::App& app, const std::string& name, T& value, double min, double max,
                        const std::string& help, std::string default_text = {}) {
  static_assert(std::is_floating_point_v<T>);
  if (default_text.empty()) default_text = number_text(value);
  CLI::Option* option = app.add_option(option_flag(name), value);
  option->transform(number_in(min, max));
  return describe(option, name,
                  help + " (" + range_text(min, max) + "; default " + default_text + ")");
}

// A text option ("--out DIR"); its help is written out in full.
CLI::Option* add_text(CLI::App& app, const std::string& name, std::string& value,
                      const std::string& help);

// --threads N, 0 to 1024; 0 means `zero_means` ("all cores").
CLI::Option* add_threads(CLI::App& app, int& threads, const std::string& zero_means);

}  // namespace invex::cli
