// Checkpoints (service_impl.hpp): where each branch of an execution is, kept up to date by the
// interpreter (interpreter.cpp, map_state.cpp) and stored with the execution under --data-dir as
// {"state", "input", "variables", "deadline", "mapRun", "done": {"<index>": output},
// "children": {"<index>": checkpoint}}.
#include <string>

#include "stepfunctions/service_impl.hpp"

namespace awan::stepfunctions {

namespace {
constexpr int kMaxDepth = 64;  // frames nest at most 16 deep; anything deeper is not ours
}

void Checkpoint::enter(const std::string& name, const json& state_input, const json& vars) {
  state = name;
  input = state_input;
  variables = vars;
  deadline.reset();
  map_run.clear();
  done.clear();
  children.clear();
}

CheckpointPtr Checkpoint::child(size_t index) {
  auto& c = children[index];
  if (!c) c = std::make_shared<Checkpoint>();
  return c;
}

json Checkpoint::to_json() const {
  json j = {{"state", state}, {"input", input}, {"variables", variables}};
  if (deadline) j["deadline"] = *deadline;
  if (!map_run.empty()) j["mapRun"] = map_run;
  if (!done.empty()) {
    json d = json::object();
    for (const auto& [i, out] : done) d[std::to_string(i)] = out;
    j["done"] = std::move(d);
  }
  if (!children.empty()) {
    json c = json::object();
    for (const auto& [i, child] : children)
      if (child && !child->state.empty()) c[std::to_string(i)] = child->to_json();
    j["children"] = std::move(c);
  }
  return j;
}

CheckpointPtr Checkpoint::from_json(const json& j, int depth) {
  if (depth > kMaxDepth || !j.is_object() || !j.contains("state") || !j["state"].is_string() ||
      j["state"].get_ref<const std::string&>().empty())
    return nullptr;
  auto cp = std::make_shared<Checkpoint>();
  cp->state = j["state"];
  cp->input = j.value("input", json());
  cp->variables = j.contains("variables") && j["variables"].is_object() ? j["variables"] : json::object();
  if (j.contains("deadline") && j["deadline"].is_number()) cp->deadline = j["deadline"].get<double>();
  if (j.contains("mapRun") && j["mapRun"].is_string()) cp->map_run = j["mapRun"];
  auto index = [](const std::string& key) -> std::optional<size_t> {
    if (key.empty() || key.size() > 9 || key.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return static_cast<size_t>(std::stoul(key));
  };
  if (j.contains("done") && j["done"].is_object())
    for (auto it = j["done"].begin(); it != j["done"].end(); ++it)
      if (auto i = index(it.key())) cp->done[*i] = it.value();
  if (j.contains("children") && j["children"].is_object())
    for (auto it = j["children"].begin(); it != j["children"].end(); ++it)
      if (auto i = index(it.key()))
        if (auto c = from_json(it.value(), depth + 1)) cp->children[*i] = std::move(c);
  return cp;
}

}  // namespace awan::stepfunctions
