// The Map state: its items (Items, ItemsPath, ItemReader from S3) and inline iterations as child
// frames (MaxConcurrency, ToleratedFailureCount/Percentage). The distributed mode (ProcessorConfig
// Mode DISTRIBUTED) starts a map run (map_runs.cpp) whose iterations are child executions
// (map_children.cpp).
#include <algorithm>

#include "core/ids.hpp"
#include "stepfunctions/item_reader.hpp"
#include "stepfunctions/jsonata.hpp"
#include "stepfunctions/paths.hpp"
#include "stepfunctions/service_impl.hpp"

namespace awan::stepfunctions {

namespace {

constexpr size_t kMaxConcurrency = 40;  // iterations in flight at once, inline or distributed

bool distributed(const json& st) {
  const json& proc = st.contains("ItemProcessor") ? st["ItemProcessor"] : st.value("Iterator", json::object());
  return proc.is_object() && proc.contains("ProcessorConfig") && proc["ProcessorConfig"].is_object() &&
         proc["ProcessorConfig"].value("Mode", "INLINE") == "DISTRIBUTED";
}

// An integer field, its "{% %}" form (a JSONata state) or its ...Path form (resolved in `scope`);
// `fallback` when absent.
template <typename T>
T number_field(const json& st, const char* field, const paths::Scope& scope, T fallback, const Clock* clock) {
  if (st.contains(field) && jsonata::is_expression(st[field])) {
    json states = {{"input", scope.input}, {"context", scope.context}};
    auto kind = std::string_view(field) == "ToleratedFailurePercentage" ? jsonata::Limit::Percentage : jsonata::Limit::NonNegative;
    return static_cast<T>(jsonata::limit(st, field, kind, jsonata::Bindings{states, scope.variables, clock}, 0));
  }
  if (st.contains(field) && st[field].is_number()) return st[field].get<T>();
  std::string path_field = std::string(field) + "Path";
  if (st.contains(path_field) && st[path_field].is_string()) {
    auto v = paths::resolve(st[path_field], scope);
    if (!v || !v->is_number() || v->get<double>() < 0)
      throw StatesError{"States.Runtime", "Invalid path '" + st[path_field].get<std::string>() +
                                              "': The value must be a non-negative number"};
    return v->get<T>();
  }
  return fallback;
}

// The body of a GetObject result, streamed or inline.
std::string object_body(const Result& r) {
  if (r.payload) return r.payload->read_all().value_or("");
  if (r.output.contains("Body") && r.output["Body"].is_string()) return r.output["Body"];
  return {};
}

}  // namespace

void StepFunctionsService::run_map(const FramePtr& f, const std::string& name, const json& st, json input,
                                   OutcomeFn done) {
  map_source(f, st, input, [this, f, name, &st, input, done](Outcome failed, json items) {
    if (!failed.ok) return done(std::move(failed));
    if (distributed(st)) return run_distributed_map(f, name, st, input, std::move(items), done);
    map_items(f, name, st, input, std::move(items), done);
  });
}

void StepFunctionsService::map_source(const FramePtr& f, const json& st, const json& input,
                                      std::function<void(Outcome, json)> got) {
  json ctx = f->exec->context;
  paths::Scope scope{input, ctx, f->variables};
  Outcome ok;
  if (st.contains("ItemReader")) {
    const json& reader = st["ItemReader"];
    json params;
    try {
      if (f->uses_jsonata(st)) {
        json states = {{"input", input}, {"context", ctx}};
        params = reader.contains("Arguments") ? jsonata::evaluate_template(reader["Arguments"], jsonata::Bindings{states, f->variables, env_.clock})
                                              : json::object();
      } else {
        params = reader.contains("Parameters") ? paths::payload(reader["Parameters"], scope, "Parameters") : json::object();
      }
      if (!params.is_object()) throw StatesError{"States.ItemReaderFailed", "The ItemReader's parameters must be an object"};
    } catch (const StatesError& e) {
      return got(Outcome::failure(e.error, e.cause), nullptr);
    }
    std::string resource = reader.value("Resource", "arn:aws:states:::s3:getObject");
    json config = reader.contains("ReaderConfig") && reader["ReaderConfig"].is_object() ? reader["ReaderConfig"] : json::object();
    auto reader_failed = [](const Result& r) {
      return Outcome::failure("States.ItemReaderFailed", r.error->code + ": " + r.error->message);
    };
    if (resource == "arn:aws:states:::s3:listObjectsV2") {
      json in = {{"Bucket", params.value("Bucket", "")}};
      if (params.contains("Prefix")) in["Prefix"] = params["Prefix"];
      call(*f->exec, "s3", "ListObjectsV2", in, [this, f, config, got, reader_failed](Result r) {
        std::lock_guard lock(mu_);
        if (f->stopped()) return;
        if (r.is_error()) return got(reader_failed(r), nullptr);
        json items = json::array();
        size_t max = config.contains("MaxItems") && config["MaxItems"].is_number_unsigned() ? config["MaxItems"].get<size_t>() : 0;
        for (const auto& o : r.output.value("Contents", json::array())) {
          if (max && items.size() >= max) break;
          json item = {{"Key", o.value("Key", "")}, {"Size", o.value("Size", 0)}, {"StorageClass", o.value("StorageClass", "STANDARD")}};
          if (o.contains("ETag")) item["Etag"] = o["ETag"];
          if (o.contains("LastModified")) item["LastModified"] = o["LastModified"];
          items.push_back(std::move(item));
        }
        got(Outcome{}, std::move(items));
      });
      return;
    }
    std::string format = config.contains("InputType") && config["InputType"].is_string() ? config["InputType"].get<std::string>() : "JSON";
    std::string bucket = params.value("Bucket", "");
    json in = {{"Bucket", bucket}, {"Key", params.value("Key", "")}};
    if (params.contains("VersionId")) in["VersionId"] = params["VersionId"];
    call(*f->exec, "s3", "GetObject", in,
         [this, f, format, config, bucket, got, reader_failed](Result r) {
           std::lock_guard lock(mu_);
           if (f->stopped()) return;
           if (r.is_error()) return got(reader_failed(r), nullptr);
           std::string body = object_body(r);
           if (format == "MANIFEST") {  // an S3 Inventory manifest.json, then its files one after another
             std::string type = config.contains("ManifestType") && config["ManifestType"].is_string()
                                    ? config["ManifestType"].get<std::string>() : "S3_INVENTORY";
             if (type != "S3_INVENTORY")
               return got(Outcome::failure("States.ItemReaderFailed", "ManifestType " + type + " is not supported"), nullptr);
             auto m = std::make_shared<InventoryManifest>(parse_inventory_manifest(body, bucket));
             if (!m->error.empty()) return got(Outcome::failure("States.ItemReaderFailed", m->error), nullptr);
             auto items = std::make_shared<json>(json::array());
             auto next = std::make_shared<std::function<void(size_t)>>();
             size_t max = reader_max_items(config);
             // *next holds itself weakly; the request in flight holds it strongly.
             *next = [this, f, m, items, weak = std::weak_ptr(next), max, got, reader_failed](size_t i) {
               if (i >= m->keys.size() || items->size() >= max) return got(Outcome{}, std::move(*items));
               auto self = weak.lock();
               call(*f->exec, "s3", "GetObject", {{"Bucket", m->bucket}, {"Key", m->keys[i]}},
                    [this, f, m, items, self, max, i, got, reader_failed](Result r) {
                      std::lock_guard lock(mu_);
                      if (f->stopped()) return;
                      if (r.is_error()) return got(reader_failed(r), nullptr);
                      auto part = parse_inventory_file(object_body(r), m->keys[i], *m, max - items->size());
                      if (!part.error.empty()) return got(Outcome::failure("States.ItemReaderFailed", part.error), nullptr);
                      for (auto& item : part.items) items->push_back(std::move(item));
                      (*self)(i + 1);
                    });
             };
             return (*next)(0);
           }
           auto items = parse_item_reader(body, format, config);
           if (!items.error.empty()) return got(Outcome::failure("States.ItemReaderFailed", items.error), nullptr);
           got(Outcome{}, std::move(items.items));
         });
    return;
  }
  json items;
  try {
    if (st.contains("Items") && f->uses_jsonata(st)) {
      json states = {{"input", input}, {"context", ctx}};
      items = jsonata::evaluate_template(st["Items"], jsonata::Bindings{states, f->variables, env_.clock});
    } else if (st.contains("Items")) items = paths::payload(json{{"v", st["Items"]}}, scope, "Items")["v"];
    else if (st.contains("ItemsPath")) {
      auto v = paths::resolve(st["ItemsPath"], scope);
      if (!v) throw StatesError{"States.Runtime", "Invalid path '" + st["ItemsPath"].get<std::string>() + "' : No results for path"};
      items = *v;
    } else {
      items = input;
    }
  } catch (const StatesError& e) {
    return got(Outcome::failure(e.error, e.cause), nullptr);
  }
  if (!items.is_array())
    return got(Outcome::failure("States.Runtime", "Map state input must be an array, was " + std::string(items.type_name())),
               nullptr);
  got(ok, std::move(items));
}

void StepFunctionsService::run_mocked_map(const FramePtr& f, const json& st, const json& input, OutcomeFn done) {
  auto judge = [this, f, &st, input, done](Outcome failed, json items) {
    if (!failed.ok) return done(std::move(failed));
    Execution& e = *f->exec;
    json ctx = e.context;
    paths::Scope scope{input, ctx, f->variables};
    const bool ata = f->uses_jsonata(st);
    double pct = -1;
    int64_t count = -1;
    try {
      if (!ata && st.contains("ItemsPath")) e.inspection["afterItemsPath"] = items.dump();
      if (st.contains("ItemSelector") || st.contains("Parameters")) {
        json selected = json::array();
        for (size_t i = 0; i < items.size(); ++i) {
          json c = ctx;
          c["Map"] = {{"Item", {{"Index", i}, {"Value", items[i]}}}};
          if (ata) {
            json states = {{"input", input}, {"context", c}};
            selected.push_back(jsonata::evaluate_template(st["ItemSelector"], jsonata::Bindings{states, f->variables, env_.clock}));
          } else {
            paths::Scope s{input, c, f->variables};
            selected.push_back(paths::payload(st.contains("ItemSelector") ? st["ItemSelector"] : st["Parameters"], s, "ItemSelector"));
          }
        }
        e.inspection["afterItemSelector"] = selected.dump();
        items = std::move(selected);
      }
      if (st.contains("ItemBatcher")) e.inspection["afterItemBatcher"] = make_batches(st["ItemBatcher"], items, scope).dump();
      size_t mc = number_field<size_t>(st, "MaxConcurrency", scope, 0, env_.clock);
      e.inspection["maxConcurrency"] = mc;
      pct = number_field<double>(st, "ToleratedFailurePercentage", scope, -1, env_.clock);
      count = number_field<int64_t>(st, "ToleratedFailureCount", scope, -1, env_.clock);
      if (count >= 0) e.inspection["toleratedFailureCount"] = count;
      if (pct >= 0) e.inspection["toleratedFailurePercentage"] = pct;
    } catch (const StatesError& err) {
      return done(Outcome::failure(err.error, err.cause));
    }
    Outcome o = e.mocked();
    int64_t failures = e.test_config.value("mapIterationFailureCount", int64_t{0});
    if (o.ok && failures > 0) {
      bool tolerated = (count >= 0 && failures <= count) ||
                       (pct >= 0 && !items.empty() && 100.0 * static_cast<double>(failures) / static_cast<double>(items.size()) <= pct);
      if (!tolerated)
        return done(Outcome::failure("States.ExceedToleratedFailureThreshold",
                                     "The specified tolerated failure threshold was exceeded"));
    }
    done(std::move(o));
  };
  // mapItemReaderData: what the ItemReader would have read from S3.
  if (st.contains("ItemReader") && f->exec->test_config.contains("mapItemReaderData")) {
    const json& reader = st["ItemReader"];
    std::string data = f->exec->test_config["mapItemReaderData"];
    json config = reader.contains("ReaderConfig") && reader["ReaderConfig"].is_object() ? reader["ReaderConfig"] : json::object();
    std::string format = reader.value("Resource", "") == "arn:aws:states:::s3:listObjectsV2" ? "JSON"
                         : config.contains("InputType") && config["InputType"].is_string() ? config["InputType"].get<std::string>()
                                                                                             : "JSON";
    auto items = parse_item_reader(data, format, config);
    if (!items.error.empty()) return judge(Outcome::failure("States.ItemReaderFailed", items.error), nullptr);
    return judge(Outcome{}, std::move(items.items));
  }
  map_source(f, st, input, judge);
}

void StepFunctionsService::map_items(const FramePtr& f, const std::string& name, const json& st, json input, json items,
                                     OutcomeFn done) {
  const json& proc = st.contains("ItemProcessor") ? st["ItemProcessor"] : st["Iterator"];
  if (!f->state_restarted) add_event(f, "MapStateStarted", {{"length", items.size()}}, "mapStateStartedEventDetails");
  struct Join {
    json items;
    json input;
    std::vector<json> results;
    size_t next = 0, running = 0, left = 0, failures = 0;
    size_t max_concurrency = 0;
    double tolerated_pct = -1;
    int64_t tolerated_count = -1;
    bool finished = false;
    CancelPtr cancelled;
    std::function<void()> launch;
  };
  auto join = std::make_shared<Join>();
  join->cancelled = std::make_shared<Cancel>(f->cancelled);
  join->items = std::move(items);
  join->input = std::move(input);
  join->results.resize(join->items.size());
  join->left = join->items.size();
  try {
    json ctx = f->exec->context;
    paths::Scope s{join->input, ctx, f->variables};
    size_t mc = number_field<size_t>(st, "MaxConcurrency", s, 0, env_.clock);
    join->max_concurrency = mc == 0 ? kMaxConcurrency : std::min(mc, kMaxConcurrency);
    join->tolerated_pct = number_field<double>(st, "ToleratedFailurePercentage", s, -1, env_.clock);
    join->tolerated_count = number_field<int64_t>(st, "ToleratedFailureCount", s, -1, env_.clock);
  } catch (const StatesError& e) {
    return done(Outcome::failure(e.error, e.cause));
  }
  // The iterations that succeeded before a redrive keep their outputs.
  for (const auto& [i, out] : f->cp->done)
    if (i < join->items.size()) {
      join->results[i] = out;
      --join->left;
    }
  if (join->left == 0) {
    add_event(f, "MapStateSucceeded", nullptr, nullptr);
    Outcome r;
    r.output = json(std::move(join->results));
    return done(std::move(r));
  }
  std::weak_ptr<Join> weak = join;
  join->launch = [this, f, name, &st, &proc, weak, done]() {
    auto join = weak.lock();
    if (!join) return;
    while (!join->finished && join->running < join->max_concurrency && join->next < join->items.size()) {
      size_t i = join->next++;
      if (f->cp->done.count(i)) continue;
      ++join->running;
      auto child = child_frame(f, proc, i);
      child->jsonata = f->child_jsonata(st, proc);
      child->cancelled = join->cancelled;
      json item = join->items[i];
      child->map_item = {{"Index", i}, {"Value", join->items[i]}};
      try {
        if (child->resuming) {
          item = child->cp->input;  // continues in the state it stopped in
        } else if (st.contains("ItemSelector") && f->uses_jsonata(st)) {
          json ctx = f->exec->context;
          ctx["Map"] = {{"Item", child->map_item}};
          json states = {{"input", join->input}, {"context", ctx}};
          item = jsonata::evaluate_template(st["ItemSelector"], jsonata::Bindings{states, f->variables, env_.clock});
        } else if (st.contains("ItemSelector") || st.contains("Parameters")) {
          json ctx = f->exec->context;
          ctx["Map"] = {{"Item", child->map_item}};
          paths::Scope s{join->input, ctx, f->variables};
          item = paths::payload(st.contains("ItemSelector") ? st["ItemSelector"] : st["Parameters"], s, "ItemSelector");
        }
      } catch (const StatesError& e) {
        join->finished = true;
        join->cancelled->fire();
        add_event(f, "MapStateFailed", nullptr, nullptr);
        return done(Outcome::failure(e.error, e.cause));
      }
      child->last_event = child->restarted
                              ? f->last_event
                              : add_event(*f->exec, f->last_event, "MapIterationStarted", {{"name", name}, {"index", i}},
                                          "mapIterationStartedEventDetails");
      std::string start = child->resuming ? child->cp->state : proc["StartAt"].get<std::string>();
      run_frame(child, start, item, [this, f, name, join, i, done](Outcome o) {
        std::lock_guard lock(mu_);
        if (join->finished || f->stopped()) return;
        --join->running;
        add_event(*f->exec, f->last_event, o.ok ? "MapIterationSucceeded" : "MapIterationFailed",
                  {{"name", name}, {"index", i}}, o.ok ? "mapIterationSucceededEventDetails" : "mapIterationFailedEventDetails");
        if (!o.ok) {
          ++join->failures;
          double pct = join->tolerated_pct;
          int64_t count = join->tolerated_count;
          bool tolerated = false;
          if (count >= 0 && static_cast<int64_t>(join->failures) <= count) tolerated = true;
          if (pct >= 0 && 100.0 * static_cast<double>(join->failures) / static_cast<double>(join->items.size()) <= pct)
            tolerated = true;
          if (!tolerated) {
            join->finished = true;
            join->cancelled->fire();
            add_event(f, "MapStateFailed", nullptr, nullptr);
            if (count >= 0 || pct >= 0)
              return done(Outcome::failure("States.ExceedToleratedFailureThreshold",
                                           "The specified tolerated failure threshold was exceeded"));
            o.next.clear();
            return done(std::move(o));
          }
          join->results[i] = json{{"Error", o.error}, {"Cause", o.cause}};
        } else {
          f->cp->done[i] = o.output;
          f->cp->children.erase(i);
          save_progress(*f->exec, f->cp->done.size());
          join->results[i] = std::move(o.output);
        }
        if (--join->left == 0) {
          join->finished = true;
          add_event(f, "MapStateSucceeded", nullptr, nullptr);
          Outcome r;
          r.output = json(std::move(join->results));
          auto keep = join;  // launch holds only a weak reference
          return done(std::move(r));
        }
        join->launch();
      });
    }
  };
  // The join lives as long as an iteration's callback holds it.
  join->launch();
}

}  // namespace awan::stepfunctions
