#pragma once
// Internal to src/protocol: one lazily built object per embedded model name (models, codecs).
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "protocol/model.hpp"

namespace awan::protocol {

template <class T>
class PerModel {
 public:
  PerModel() {
    for (std::string_view n : embedded_model_names()) {
      auto s = std::make_unique<Slot>();
      s->name = n;
      slots_.push_back(std::move(s));
    }
  }

  // The object of `name`, built by make(name) -> std::unique_ptr<T> on first use, once, even
  // when several threads ask at the same time (it may build nothing: nullptr). nullptr for a
  // name that is not an embedded model.
  template <class Make>
  const T* get(std::string_view name, Make&& make) {
    for (auto& slot : slots_) {
      if (slot->name != name) continue;
      std::call_once(slot->once, [&] { slot->value = make(slot->name); });
      return slot->value.get();
    }
    return nullptr;
  }

 private:
  struct Slot {
    std::string_view name;
    std::once_flag once;
    std::unique_ptr<T> value;
  };
  std::vector<std::unique_ptr<Slot>> slots_;
};

}  // namespace awan::protocol
