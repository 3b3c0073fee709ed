#include "app/cli_parser.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>

namespace invex::cli {
namespace {

constexpr std::size_t kHelpWidth = 100;  // the repository's line length
constexpr std::size_t kNameColumn = 30;  // where option descriptions start

// Breaks each line of `text` at spaces so that it fits in `width` columns.
std::string wrap(const std::string& text, std::size_t width) {
  std::string out, line;
  std::istringstream lines(text);
  for (std::string paragraph; std::getline(lines, paragraph);) {
    if (!out.empty()) out += '\n';
    line.clear();
    std::istringstream words(paragraph);
    for (std::string word; words >> word;) {
      if (!line.empty() && line.size() + 1 + word.size() > width) {
        out += line + '\n';
        line.clear();
      }
      line += (line.empty() ? "" : " ") + word;
    }
    out += line;
  }
  return out;
}

// CLI11's help with the usage line first (a synopsis written for the command, since CLI11 cannot
// show alternatives such as "--preset NAME | --config FILE"), then the description, the options
// with their descriptions wrapped to the line length, the subcommands and the footer.
class HelpFormatter : public CLI::Formatter {
 public:
  explicit HelpFormatter(std::string synopsis) : synopsis_(std::move(synopsis)) {
    column_width(kNameColumn);
    label("REQUIRED", "(required)");
  }
  std::string make_help(const CLI::App* app, std::string name,
                        CLI::AppFormatMode mode) const override {
    std::string out = "usage: " + name + (synopsis_.empty() ? "" : " " + synopsis_) + "\n";
    if (!app->get_description().empty()) out += wrap(app->get_description(), kHelpWidth) + "\n";
    out += make_groups(app, mode);
    out += make_subcommands(app, mode);
    if (!app->get_footer().empty()) out += "\n" + wrap(app->get_footer(), kHelpWidth) + "\n";
    // CLI11 puts two blank lines between option groups.
    for (auto at = out.find("\n\n\n"); at != std::string::npos; at = out.find("\n\n\n"))
      out.erase(at, 1);
    return out;
  }
  std::string make_subcommand(const CLI::App* sub) const override {
    std::ostringstream out;
    CLI::detail::format_help(out, sub->get_name(),
                             wrap(sub->get_description(), kHelpWidth - kNameColumn), kNameColumn);
    return out.str();
  }
  std::string make_option_desc(const CLI::Option* opt) const override {
    return wrap(opt->get_description(), kHelpWidth - kNameColumn);
  }

 private:
  std::string synopsis_;
};

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n') c = ' ';
  return s;
}

}  // namespace

void set_up_command(CLI::App& app, const std::string& synopsis, const std::string& footer) {
  app.formatter(std::make_shared<HelpFormatter>(synopsis));
  app.footer(footer);
  app.set_help_flag("-h,--help", "print this help and exit");
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  // Left-over arguments are reported by parse_command, in the house's words.
  app.allow_extras();
}

int parse_command(CLI::App& app, int argc, char** argv) {
  const std::string command = app.get_name();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: %s\n", command.c_str(), one_line(e.what()).c_str());
    return 2;
  }
  const std::vector<std::string> rest = app.remaining();
  if (rest.empty()) return -1;
  const std::string& first = rest.front();
  if (first.size() > 1 && first[0] == '-')
    std::fprintf(stderr, "%s: unknown option '%s' (see --help)\n", command.c_str(), first.c_str());
  else
    std::fprintf(stderr, "%s: unexpected argument '%s' (options start with --; see --help)\n",
                 command.c_str(), first.c_str());
  return 2;
}

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string range_text(long long min, long long max) {
  return std::to_string(min) + " to " + std::to_string(max);
}

std::string range_text(double min, double max) {
  return number_text(min) + " to " + number_text(max);
}

CLI::Validator integer_in(long long min, long long max) {
  return CLI::Validator(
      [min, max](std::string& text) {
        char* end = nullptr;
        errno = 0;
        const long long v = std::strtoll(text.c_str(), &end, 10);
        if (text.empty() || *end || errno || v < min || v > max)
          return "expected an integer from " + range_text(min, max) + ", got '" + text + "'";
        text = std::to_string(v);
        return std::string();
      },
      "");
}

CLI::Validator number_in(double min, double max) {
  return CLI::Validator(
      [min, max](std::string& text) {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (text.empty() || *end || !std::isfinite(v) || v < min || v > max)
          return "expected a" +
                 (std::isinf(min) && std::isinf(max) ? " finite number"
                                                     : " number from " + range_text(min, max)) +
                 ", got '" + text + "'";
        char canonical[32];
        std::snprintf(canonical, sizeof canonical, "%.17g", v);
        text = canonical;
        return std::string();
      },
      "");
}

std::string option_flag(const std::string& name) { return name.substr(0, name.find(' ')); }

CLI::Option* describe(CLI::Option* option, const std::string& name, const std::string& help) {
  const auto space = name.find(' ');
  if (space != std::string::npos) option->type_name(name.substr(space + 1));
  option->description(help);
  return option;
}

CLI::Option* add_text(CLI::App& app, const std::string& name, std::string& value,
                      const std::string& help) {
  return describe(app.add_option(option_flag(name), value), name, help);
}

CLI::Option* add_threads(CLI::App& app, int& threads, const std::string& zero_means) {
  return add_integer(app, "--threads N", threads, 0, 1024, "compute threads", "0: " + zero_means);
}

}  // namespace invex::cli
