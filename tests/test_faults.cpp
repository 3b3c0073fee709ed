// A full disk at every writer, through the fault-injection switch INVEX_FAIL_WRITE_AFTER
// (runtime_switches.h): each failure names the path and the OS error, and every file written
// before it is still whole and readable.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "core/export/export_manifold.h"
#include "core/export/png.h"
#include "core/io/atomic_file.h"
#include "core/io/npy.h"
#include "core/io/run_directory.h"
#include "core/io/saved_run.h"
#include "core/method/trainer.h"
#include "core/session/training_run.h"
#include "tests/test_support.h"

using namespace invex;
using invex::testing::message_of;
using invex::testing::TempDir;

namespace {

const std::string kDiskFull = "No space left on device";

// While alive, the next `allowed` writes succeed and every later one fails with ENOSPC.
struct FullDiskAfter {
  explicit FullDiskAfter(long allowed) {
    setenv("INVEX_FAIL_WRITE_AFTER", std::to_string(file_writes_attempted() + allowed).c_str(), 1);
  }
  ~FullDiskAfter() { unsetenv("INVEX_FAIL_WRITE_AFTER"); }
  FullDiskAfter(const FullDiskAfter&) = delete;
  FullDiskAfter& operator=(const FullDiskAfter&) = delete;
};

RunConfig tiny_run() {
  RunConfig c = load_preset("circle/complex");
  c.latent.grid_points = 10;
  c.training.epochs_per_reg = 1;
  c.training.steps_per_epoch = 6;
  c.mei.activation = 32.9;  // no MEI search: these tests are about files
  return c;
}

}  // namespace

TEST_CASE("fault injection: the first write fails with ENOSPC and leaves the old file whole") {
  TempDir dir;
  write_file_atomic(dir / "a.txt", "old contents");
  {
    FullDiskAfter full(0);
    CHECK(message_of([&] { write_file_atomic(dir / "a.txt", std::string(1000, 'x')); }) ==
          "cannot write " + (dir / "a.txt") + ": " + kDiskFull);
    CHECK(message_of([&] { write_file_atomic(dir / "b.txt", "new"); }) ==
          "cannot write " + (dir / "b.txt") + ": " + kDiskFull);
  }
  CHECK(read_file(dir / "a.txt") == "old contents");
  CHECK(dir.files() == std::vector<std::string>{"a.txt"});  // no temporary file left
  write_file_atomic(dir / "b.txt", "new");                  // the switch is off again
  CHECK(read_file(dir / "b.txt") == "new");
}

TEST_CASE("fault injection: a later write fails, the ones before it land") {
  TempDir dir;
  FullDiskAfter full(2);
  write_file_atomic(dir / "1", "one");
  write_file_atomic(dir / "2", "two");
  CHECK(message_of([&] { write_file_atomic(dir / "3", "three"); }) ==
        "cannot write " + (dir / "3") + ": " + kDiskFull);
  CHECK(message_of([&] { write_file_atomic(dir / "4", "four"); }).find(kDiskFull) !=
        std::string::npos);  // a full disk stays full
  CHECK(dir.files() == std::vector<std::string>{"1", "2"});
  CHECK(read_file(dir / "2") == "two");
}

TEST_CASE("fault injection: a checkpoint that cannot be written keeps the last good one") {
  TempDir dir;
  Trainer t(tiny_run());
  for (int i = 0; i < 2; ++i) t.step();
  write_checkpoint(t, dir.path);
  for (int i = 0; i < 2; ++i) t.step();
  {
    FullDiskAfter full(0);
    CHECK(message_of([&] { write_checkpoint(t, dir.path); }) ==
          "cannot write " + (dir / "run.invex") + ": " + kDiskFull);
  }
  CHECK(dir.files() == std::vector<std::string>{"run.invex"});
  const auto back = load_trainer(dir / "run.invex");
  CHECK(back->step_index() == 2);
  // The loaded checkpoint continues exactly as the trainer that wrote it did.
  Trainer again(tiny_run());
  for (int i = 0; i < 2; ++i) again.step();
  CHECK(back->step().loss == again.step().loss);
}

TEST_CASE("fault injection: a run directory whose later files fail keeps the earlier ones") {
  TempDir dir;
  Trainer t(tiny_run());
  t.step();
  // config.json, run.invex and manifold.npy land; latents.npy meets the full disk.
  {
    FullDiskAfter full(3);
    CHECK(message_of([&] { write_run_directory(t, dir.path); }) ==
          "cannot write " + (dir / "latents.npy") + ": " + kDiskFull);
  }
  CHECK(dir.files() == std::vector<std::string>{"config.json", "manifold.npy", "run.invex"});
  CHECK(load_trainer(dir / "run.invex")->step_index() == 1);
  CHECK(read_npy(dir / "manifold.npy").shape == std::vector<long>{100, 1, 30, 30});
}

TEST_CASE("fault injection: PNG frames that fail midway leave the previous sequence whole") {
  TempDir dir;
  const std::string frames = dir / "frames";
  const std::vector<std::string> before = {"old frame 0", "old frame 1", "old frame 2"};
  write_encoded_png_frames(frames, before);
  {
    FullDiskAfter full(1);  // the second new frame fails
    CHECK(message_of([&] {
            write_encoded_png_frames(frames, {"new 0", "new 1", "new 2"});
          }) == "cannot write " + frames + "/frame_0001.png.staged: " + kDiskFull);
  }
  CHECK(dir.files() == std::vector<std::string>{"frames", "frames/frame_0000.png",
                                                "frames/frame_0001.png", "frames/frame_0002.png"});
  for (int k = 0; k < 3; ++k)
    CHECK(read_file(frames + "/frame_000" + std::to_string(k) + ".png") == before[k]);
}

TEST_CASE("fault injection: the background run reports a failed save and keeps the last one") {
  TempDir dir;
  RunConfig c = tiny_run();
  TrainingRun run(c, std::string(), 1);
  auto wait_for_message = [&](const std::string& previous) {
    const auto t0 = std::chrono::steady_clock::now();
    while (run.last_save_message() == previous &&
           std::chrono::steady_clock::now() - t0 < std::chrono::seconds(60))
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return run.last_save_message();
  };
  run.save(dir / "run.invex");
  const std::string saved = wait_for_message("");
  CHECK(saved == "saved " + (dir / "run.invex"));
  {
    // Set while the worker waits for a command, so no write races the change.
    FullDiskAfter full(0);
    run.save(dir / "run.invex");
    CHECK(wait_for_message(saved) ==
          "save failed: cannot write " + (dir / "run.invex") + ": " + kDiskFull);
  }
  CHECK(load_trainer(dir / "run.invex")->step_index() == 0);
  CHECK(dir.files() == std::vector<std::string>{"run.invex"});
}

TEST_CASE("fault injection: an export that meets a full disk names the file, leaves no partial") {
  TempDir dir;
  Trainer t(tiny_run());
  t.step();
  const SnapshotPtr snap = t.snapshot(true);
  ExportRequest req;
  req.outdir = dir / "out";
  req.options.frames = 4;
  req.options.size = 16;
  {
    FullDiskAfter full(0);
    const std::string msg = message_of([&] { export_manifold(*snap, req); });
    CHECK(msg == "cannot write " + (dir / "out/manifold.gif") + ": " + kDiskFull);
  }
  for (const auto& f : dir.files()) CHECK(f.find(".tmp.") == std::string::npos);
  for (const auto& f : dir.files()) CHECK(f.find(".staged") == std::string::npos);
}

TEST_CASE("a write clears the temporaries a killed writer left, not a live writer's") {
  TempDir dir;
  const pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  REQUIRE(dead > 0);
  REQUIRE(::waitpid(dead, nullptr, 0) == dead);  // reaped: its pid names no process now
  const std::string killed = dir / ("run.invex.tmp." + std::to_string(dead) + ".0");
  const std::string live = dir / ("run.invex.tmp." + std::to_string(::getppid()) + ".4");
  const std::string other = dir / ("mei.npy.tmp." + std::to_string(dead) + ".1");
  for (const std::string& p : {killed, live, other}) write_file_atomic(p, "partial");
  write_file_atomic(dir / "run.invex", "whole");
  CHECK(dir.files() ==
        std::vector<std::string>{"mei.npy.tmp." + std::to_string(dead) + ".1", "run.invex",
                                 "run.invex.tmp." + std::to_string(::getppid()) + ".4"});
  CHECK(read_file(dir / "run.invex") == "whole");
}
