// A torch.save archive is a zip file holding `data.pkl` (a pickle of the object) and one record
// `data/<key>` per storage, which the pickle names through persistent ids. LibTorch 1.13 reads
// such archives (torch::pickle_load, torch::jit::readArchiveAndTensors), and can be told to put
// every storage on the CPU, but its Unpickler turns `collections.OrderedDict` into None before
// any type resolver passed in is consulted: a state dict saved from Python as an OrderedDict
// (what `model.state_dict()` returns) fails with "Expected GenericDict but got None" (PyTorch
// issue 100741, fixed in PyTorch 2.6). So the records are read with LibTorch's zip reader
// (caffe2::serialize::PyTorchStreamReader), and the pickle with the small interpreter below. It
// knows just the opcodes and globals that torch.save writes for a dict of tensors; anything else
// is an error naming the file, never a guess.
#include "core/neurons/torch_state_dict.h"

#include <ATen/ATen.h>
#include <caffe2/serialize/inline_container.h>
#include <caffe2/serialize/read_adapter_interface.h>

#include <cstdint>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "core/run/config.h"

namespace invex {
namespace {

// A value on the pickle machine's stack. Tuples and dicts live in the unpickler's container
// table and values refer to them by index: a dict that is memoised and then filled by SETITEMS
// is the same dict wherever it is referred to, and a pickle that puts a dict inside itself
// builds no reference cycle.
struct PickleValue {
  enum class Kind { None, Bool, Int, Float, String, Global, Tuple, Dict, Tensor };
  Kind kind = Kind::None;
  int64_t integer = 0;
  double real = 0;
  std::shared_ptr<const std::string> text;  // a String, or a Global as "module.name"
  size_t container = 0;                     // a Tuple's elements; a Dict's k, v, k, v, ...
  at::Tensor tensor;

  const std::string& str() const {
    static const std::string empty;
    return text ? *text : empty;
  }
};

const char* kind_name(PickleValue::Kind k) {
  switch (k) {
    case PickleValue::Kind::None:
      return "None";
    case PickleValue::Kind::Bool:
      return "a bool";
    case PickleValue::Kind::Int:
      return "an int";
    case PickleValue::Kind::Float:
      return "a float";
    case PickleValue::Kind::String:
      return "a string";
    case PickleValue::Kind::Global:
      return "a global";
    case PickleValue::Kind::Tuple:
      return "a tuple";
    case PickleValue::Kind::Dict:
      return "a dict";
    case PickleValue::Kind::Tensor:
      return "a tensor";
  }
  return "a value";
}

// Storage classes as torch.save names them, e.g. `torch.FloatStorage`.
bool storage_dtype(const std::string& global, at::ScalarType* dtype) {
  static const std::unordered_map<std::string, at::ScalarType> kTypes = {
      {"torch.FloatStorage", at::kFloat}, {"torch.DoubleStorage", at::kDouble},
      {"torch.HalfStorage", at::kHalf},   {"torch.BFloat16Storage", at::kBFloat16},
      {"torch.LongStorage", at::kLong},   {"torch.IntStorage", at::kInt},
      {"torch.ShortStorage", at::kShort}, {"torch.CharStorage", at::kChar},
      {"torch.ByteStorage", at::kByte},   {"torch.BoolStorage", at::kBool}};
  auto it = kTypes.find(global);
  if (it == kTypes.end()) return false;
  *dtype = it->second;
  return true;
}

// The first line of a LibTorch error (the rest is a C++ backtrace).
std::string first_line(const c10::Error& e) {
  const std::string why = e.what_without_backtrace();
  return why.substr(0, why.find('\n'));
}

class StateDictUnpickler {
 public:
  StateDictUnpickler(const std::string& name, caffe2::serialize::PyTorchStreamReader& archive,
                     std::string pickle)
      : name_(name), archive_(archive), pickle_(std::move(pickle)) {}

  // The root object; its tuples and dicts stay readable through items() while this lives.
  PickleValue run() {
    if (next() != 0x80) fail("data.pkl does not start with a pickle PROTO opcode");
    const int protocol = next();
    if (protocol > 2) fail("pickle protocol " + std::to_string(protocol) + " (expected 2)");
    while (step()) {
    }
    if (stack_.size() != 1) fail("the pickle left " + std::to_string(stack_.size()) + " values");
    return stack_.back();
  }

  const std::vector<PickleValue>& items(const PickleValue& v) const {
    return containers_[v.container];
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    std::ostringstream s;
    s << name_ << ": not a readable state dict: " << what << " (pickle byte " << pos_ << ")";
    throw ConfigError(s.str());
  }

  uint8_t next() {
    if (pos_ >= pickle_.size()) fail("data.pkl ends before its STOP opcode");
    return static_cast<uint8_t>(pickle_[pos_++]);
  }
  uint64_t little_endian(int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(next()) << (8 * i);
    return v;
  }
  std::string take(uint64_t n) {
    if (n > pickle_.size() - pos_) fail("data.pkl ends inside a string");
    std::string s = pickle_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::string line() {
    const size_t end = pickle_.find('\n', pos_);
    if (end == std::string::npos) fail("data.pkl ends inside a GLOBAL name");
    std::string text = take(end - pos_ + 1);
    text.pop_back();
    return text;
  }

  PickleValue make(PickleValue::Kind kind) {
    PickleValue v;
    v.kind = kind;
    if (kind == PickleValue::Kind::Tuple || kind == PickleValue::Kind::Dict) {
      v.container = containers_.size();
      containers_.emplace_back();
    }
    return v;
  }
  PickleValue make_text(PickleValue::Kind kind, std::string text) {
    PickleValue v = make(kind);
    v.text = std::make_shared<const std::string>(std::move(text));
    return v;
  }

  PickleValue pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back()))
      fail("an opcode found too few values on the stack");
    PickleValue v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  PickleValue& top() {
    if (stack_.empty()) fail("an opcode found an empty stack");
    return stack_.back();
  }
  // The values pushed since the last MARK, removed from the stack.
  std::vector<PickleValue> pop_to_mark() {
    if (marks_.empty()) fail("an opcode needs a MARK that is not there");
    const size_t start = marks_.back();
    marks_.pop_back();
    std::vector<PickleValue> items(std::make_move_iterator(stack_.begin() + start),
                                   std::make_move_iterator(stack_.end()));
    stack_.resize(start);
    return items;
  }
  void push_int(int64_t v) {
    PickleValue p = make(PickleValue::Kind::Int);
    p.integer = v;
    stack_.push_back(std::move(p));
  }
  void push_tuple(std::vector<PickleValue> items) {
    PickleValue t = make(PickleValue::Kind::Tuple);
    containers_[t.container] = std::move(items);
    stack_.push_back(std::move(t));
  }
  void memo_put(uint64_t id) { memo_[id] = top(); }
  void memo_get(uint64_t id) {
    auto it = memo_.find(id);
    if (it == memo_.end()) fail("memo entry " + std::to_string(id) + " is missing");
    stack_.push_back(it->second);
  }
  void set_items(std::vector<PickleValue> kv) {
    const PickleValue& dict = top();
    if (dict.kind != PickleValue::Kind::Dict || kv.size() % 2 != 0)
      fail("SETITEM(S) on " + std::string(kind_name(dict.kind)));
    auto& items = containers_[dict.container];
    items.insert(items.end(), std::make_move_iterator(kv.begin()),
                 std::make_move_iterator(kv.end()));
  }

  // One opcode that builds or stores values; false after STOP.
  bool step() {
    const uint8_t op = next();
    switch (op) {
      case '.':  // STOP
        return false;
      case '(':  // MARK
        marks_.push_back(stack_.size());
        break;
      case ')':  // EMPTY_TUPLE
        push_tuple({});
        break;
      case 't':  // TUPLE
        push_tuple(pop_to_mark());
        break;
      case 0x85:    // TUPLE1
      case 0x86:    // TUPLE2
      case 0x87: {  // TUPLE3
        std::vector<PickleValue> items(op - 0x84);
        for (size_t i = items.size(); i-- > 0;) items[i] = pop();
        push_tuple(std::move(items));
        break;
      }
      case '}':  // EMPTY_DICT
        stack_.push_back(make(PickleValue::Kind::Dict));
        break;
      case 's': {  // SETITEM
        PickleValue value = pop();
        PickleValue key = pop();
        set_items({std::move(key), std::move(value)});
        break;
      }
      case 'u':  // SETITEMS
        set_items(pop_to_mark());
        break;
      case 'q':  // BINPUT
        memo_put(little_endian(1));
        break;
      case 'r':  // LONG_BINPUT
        memo_put(little_endian(4));
        break;
      case 'h':  // BINGET
        memo_get(little_endian(1));
        break;
      case 'j':  // LONG_BINGET
        memo_get(little_endian(4));
        break;
      case 'Q': {  // BINPERSID
        PickleValue pid = pop();
        stack_.push_back(load_storage(pid));
        break;
      }
      case 'R': {  // REDUCE
        PickleValue args = pop();
        PickleValue callable = pop();
        stack_.push_back(call(callable, args));
        break;
      }
      case 'b': {  // BUILD
        // Only an OrderedDict state dict is built on: its `_metadata` attribute records module
        // versions, which a reader of plain tensors does not need.
        pop();
        if (top().kind != PickleValue::Kind::Dict)
          fail("BUILD on " + std::string(kind_name(top().kind)));
        break;
      }
      default:
        if (!push_value(op)) {
          std::ostringstream s;
          s << "unsupported pickle opcode 0x" << std::hex << static_cast<int>(op);
          fail(s.str());
        }
    }
    return true;
  }

  // Opcodes that push a constant or a global; false for any other.
  bool push_value(uint8_t op) {
    switch (op) {
      case 'N':  // NONE
        stack_.push_back(make(PickleValue::Kind::None));
        break;
      case 0x88:  // NEWTRUE
      case 0x89:  // NEWFALSE
        push_int(op == 0x88);
        stack_.back().kind = PickleValue::Kind::Bool;
        break;
      case 'K':  // BININT1
        push_int(static_cast<int64_t>(little_endian(1)));
        break;
      case 'M':  // BININT2
        push_int(static_cast<int64_t>(little_endian(2)));
        break;
      case 'J':  // BININT
        push_int(static_cast<int32_t>(little_endian(4)));
        break;
      case 0x8a: {  // LONG1: a little-endian two's complement integer of n bytes
        const int n = next();
        if (n > 8) fail("an integer wider than 64 bits");
        uint64_t v = little_endian(n);
        if (n > 0 && n < 8 && (v >> (8 * n - 1)) != 0) v |= ~uint64_t{0} << (8 * n);
        push_int(static_cast<int64_t>(v));
        break;
      }
      case 'G': {  // BINFLOAT: big-endian double
        uint64_t bits = 0;
        for (int i = 0; i < 8; ++i) bits = bits << 8 | next();
        PickleValue f = make(PickleValue::Kind::Float);
        std::memcpy(&f.real, &bits, sizeof bits);
        stack_.push_back(std::move(f));
        break;
      }
      case 'X':     // BINUNICODE
      case 0x8c: {  // SHORT_BINUNICODE
        const uint64_t length = op == 'X' ? little_endian(4) : little_endian(1);
        stack_.push_back(make_text(PickleValue::Kind::String, take(length)));
        break;
      }
      case 'c': {  // GLOBAL module\nname\n
        std::string name = line();
        name += "." + line();
        stack_.push_back(make_text(PickleValue::Kind::Global, std::move(name)));
        break;
      }
      default:
        return false;
    }
    return true;
  }

  // A persistent id ('storage', storage class, key, location, numel) → a flat CPU tensor of
  // the storage's bytes. The location (e.g. "cuda:0") is ignored: every storage is loaded onto
  // the CPU. Storages shared by several tensors are read once.
  PickleValue load_storage(const PickleValue& pid) {
    if (pid.kind != PickleValue::Kind::Tuple || items(pid).size() != 5)
      fail("a persistent id that is not ('storage', type, key, location, numel)");
    const auto& e = items(pid);
    if (e[0].str() != "storage" || e[2].kind != PickleValue::Kind::String ||
        e[4].kind != PickleValue::Kind::Int)
      fail("a persistent id that is not ('storage', type, key, location, numel)");
    at::ScalarType dtype;
    if (!storage_dtype(e[1].str(), &dtype)) fail("unsupported storage type '" + e[1].str() + "'");
    const std::string& key = e[2].str();
    PickleValue t = make(PickleValue::Kind::Tensor);
    auto it = storages_.find(key);
    if (it != storages_.end()) {
      t.tensor = it->second;
      return t;
    }
    const int64_t numel = e[4].integer;
    const std::string record = "data/" + key;
    if (!archive_.hasRecord(record)) fail("the archive has no record " + record);
    auto [data, bytes] = archive_.getRecord(record);
    const size_t element = c10::elementSize(dtype);
    // The size is checked before anything is allocated for it.
    if (numel < 0 || bytes % element != 0 || bytes / element != static_cast<uint64_t>(numel))
      fail("record " + record + " holds " + std::to_string(bytes) + " bytes, not " +
           std::to_string(numel) + " elements");
    t.tensor = at::empty({numel}, at::TensorOptions().dtype(dtype));
    if (bytes > 0) std::memcpy(t.tensor.data_ptr(), data.get(), bytes);
    storages_[key] = t.tensor;
    return t;
  }

  std::vector<int64_t> int_tuple(const PickleValue& v) {
    if (v.kind != PickleValue::Kind::Tuple) fail("a tensor's size or stride is not a tuple");
    std::vector<int64_t> out;
    for (const auto& x : items(v)) {
      if (x.kind != PickleValue::Kind::Int) fail("a tensor's size or stride holds a non-int");
      out.push_back(x.integer);
    }
    return out;
  }

  // _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks, ...): the
  // tensor is a strided view of its storage, copied so that it owns exactly its elements.
  at::Tensor rebuild_tensor(const std::vector<PickleValue>& a) {
    if (a.size() < 4 || a[0].kind != PickleValue::Kind::Tensor ||
        a[1].kind != PickleValue::Kind::Int)
      fail("malformed arguments to torch._utils._rebuild_tensor_v2");
    const at::Tensor& storage = a[0].tensor;
    const int64_t offset = a[1].integer;
    const auto size = int_tuple(a[2]), stride = int_tuple(a[3]);
    if (size.size() != stride.size()) fail("a tensor's size and stride differ in length");
    // The last element the view reaches, in checked arithmetic (the numbers come from the file).
    int64_t last = offset, count = 1;
    for (size_t d = 0; d < size.size(); ++d) {
      int64_t reach = 0;
      if (size[d] < 0 || stride[d] < 0 || __builtin_mul_overflow(count, size[d], &count) ||
          (size[d] > 0 && (__builtin_mul_overflow(size[d] - 1, stride[d], &reach) ||
                           __builtin_add_overflow(last, reach, &last))))
        fail("a tensor size or stride out of range");
    }
    if (count > 0 && (offset < 0 || last >= storage.numel()))
      fail("a tensor reaches past the end of its storage");
    if (count == 0) return at::empty(size, storage.options());
    return storage.as_strided(size, stride, offset).clone(at::MemoryFormat::Contiguous);
  }

  PickleValue call(const PickleValue& callable, const PickleValue& args) {
    if (callable.kind != PickleValue::Kind::Global || args.kind != PickleValue::Kind::Tuple)
      fail("REDUCE of " + std::string(kind_name(callable.kind)));
    const std::string& name = callable.str();
    const auto a = items(args);  // a copy: make() below may add containers
    if (name == "collections.OrderedDict") {
      // Pickle fills an OrderedDict by SETITEMS after constructing it empty.
      if (!a.empty()) fail("an OrderedDict constructed with arguments");
      return make(PickleValue::Kind::Dict);
    }
    if (name == "torch._utils._rebuild_tensor_v2") {
      PickleValue t = make(PickleValue::Kind::Tensor);
      t.tensor = rebuild_tensor(a);
      return t;
    }
    if (name == "torch._utils._rebuild_parameter") {  // an nn.Parameter saved as such
      if (a.empty() || a[0].kind != PickleValue::Kind::Tensor)
        fail("malformed arguments to torch._utils._rebuild_parameter");
      return a[0];
    }
    if (name == "torch.jit._pickle.restore_type_tag") {  // torch::pickle_save's typed dict
      if (a.size() != 2) fail("malformed arguments to restore_type_tag");
      return a[0];
    }
    fail("unsupported global " + name);
  }

  const std::string& name_;
  caffe2::serialize::PyTorchStreamReader& archive_;
  const std::string pickle_;
  size_t pos_ = 0;
  std::vector<PickleValue> stack_;
  std::vector<size_t> marks_;
  std::deque<std::vector<PickleValue>> containers_;  // a deque: references stay valid on growth
  std::unordered_map<uint64_t, PickleValue> memo_;
  std::unordered_map<std::string, at::Tensor> storages_;
};

// The file's bytes, as LibTorch's zip reader asks for them.
class MemoryReadAdapter : public caffe2::serialize::ReadAdapterInterface {
 public:
  MemoryReadAdapter(const void* data, size_t size)
      : data_(static_cast<const char*>(data)), size_(size) {}
  size_t size() const override { return size_; }
  size_t read(uint64_t pos, void* buf, size_t n, const char*) const override {
    if (pos >= size_) return 0;
    const size_t count = std::min<uint64_t>(n, size_ - pos);
    std::memcpy(buf, data_ + pos, count);
    return count;
  }

 private:
  const char* data_;
  size_t size_;
};

std::map<std::string, at::Tensor> read_archive(caffe2::serialize::PyTorchStreamReader& archive,
                                               const std::string& name) {
  if (!archive.hasRecord("data.pkl"))
    throw ConfigError(name + ": a zip archive without data.pkl, not saved by torch.save");
  if (archive.hasRecord("byteorder")) {
    auto [data, size] = archive.getRecord("byteorder");
    if (std::string(static_cast<const char*>(data.get()), size) != "little")
      throw ConfigError(name + ": saved on a big-endian machine, which is not supported");
  }
  auto [data, size] = archive.getRecord("data.pkl");
  StateDictUnpickler unpickler(name, archive,
                               std::string(static_cast<const char*>(data.get()), size));
  const PickleValue root = unpickler.run();
  if (root.kind != PickleValue::Kind::Dict)
    throw ConfigError(name + ": holds " + kind_name(root.kind) + ", not a state dict");
  std::map<std::string, at::Tensor> tensors;
  const auto& kv = unpickler.items(root);
  for (size_t i = 0; i + 1 < kv.size(); i += 2)
    if (kv[i].kind == PickleValue::Kind::String && kv[i + 1].kind == PickleValue::Kind::Tensor)
      tensors[kv[i].str()] = kv[i + 1].tensor;
  return tensors;
}

// Opens the archive with `open` and reads it; LibTorch's own errors (a damaged zip, a record
// that fails its checksum) become one-line ConfigErrors naming the file.
template <typename Open>
std::map<std::string, at::Tensor> read_with(const std::string& name, Open open) {
  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> archive;
  try {
    archive = open();
  } catch (const c10::Error& e) {
    throw ConfigError(name + ": not a PyTorch zip archive (" + first_line(e) + ")");
  }
  try {
    return read_archive(*archive, name);
  } catch (const c10::Error& e) {
    throw ConfigError(name + ": a damaged PyTorch archive (" + first_line(e) + ")");
  }
}

}  // namespace

std::map<std::string, at::Tensor> read_torch_state_dict(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw ConfigError(path + ": no such file");
  return read_with(path,
                   [&] { return std::make_unique<caffe2::serialize::PyTorchStreamReader>(path); });
}

std::map<std::string, at::Tensor> read_torch_state_dict(const void* data, size_t size,
                                                        const std::string& name) {
  return read_with(name, [&] {
    return std::make_unique<caffe2::serialize::PyTorchStreamReader>(
        std::make_shared<MemoryReadAdapter>(data, size));
  });
}

}  // namespace invex
