// The IAM emulator. Operations take and return documents shaped like the model's shapes;
// policy documents go out URL-encoded, as IAM puts them on the wire. The operations live by
// concern: roles.cpp, users.cpp (and access keys), policies.cpp (and versions),
// entity_policies.cpp (tags, boundaries, inline and attached policies of roles and users),
// instance_profiles.cpp; store.cpp holds the state and the helpers they share.
#include <mutex>

#include <spdlog/spdlog.h>

#include "iam/iam.hpp"
#include "iam/service_support.hpp"
#include "iam/store.hpp"

namespace awan::iam {

namespace {

const Operations& operations() {
  static const Operations ops = [] {
    Operations o;
    add_role_operations(o);
    add_entity_policy_operations(o);
    add_policy_operations(o);
    add_user_operations(o);
    add_instance_profile_operations(o);
    return o;
  }();
  return ops;
}

class IamService final : public Service, public CredentialResolver {
 public:
  explicit IamService(const ServiceEnv& env) : store_(env.db_path("iam"), env.clock, storage::durability(env.sync_full)) {}

  std::string_view name() const override { return "iam"; }

  Result call(const RequestContext& ctx, const std::string& operation, json input) override {
    auto it = operations().find(operation);
    if (it == operations().end()) return Result::fail(AwsError::invalid_action(operation));
    if (!input.is_object()) input = json::object();
    return run_locked(mu_, "iam", operation, [&] { return it->second(store_, ctx, input); });
  }

  void reset() override {
    std::lock_guard lock(mu_);
    store_.reset();
  }

  std::optional<Principal> lookup(std::string_view access_key_id) const override {
    // Every request asks; only keys of the form this service issues reach the database.
    if (access_key_id.substr(0, 4) != "AKIA") return std::nullopt;
    std::lock_guard lock(mu_);
    try {
      auto st = store_.db().cached(
          "SELECT k.secret, k.account, k.user_name, k.status, u.user_id, u.arn FROM access_keys k "
          "LEFT JOIN users u ON u.account = k.account AND u.name = k.user_name WHERE k.access_key_id = ?");
      st->bind(1, access_key_id);
      if (!st->step()) return std::nullopt;
      if (st->text(3) != "Active") return std::nullopt;
      Principal p;
      p.access_key_id = std::string(access_key_id);
      p.secret_access_key = st->text(0);
      p.account_id = st->text(1);
      if (st->text(2).empty()) {  // the account's root keys
        p.arn = "arn:aws:iam::" + p.account_id + ":root";
        p.user_id = p.account_id;
      } else {
        if (st->is_null(4)) return std::nullopt;
        p.user_id = st->text(4);
        p.arn = st->text(5);
      }
      return p;
    } catch (const std::exception& e) {
      spdlog::error("iam credential lookup: {}", e.what());
      return std::nullopt;
    }
  }

 private:
  mutable std::mutex mu_;
  mutable Store store_;
};

}  // namespace

std::unique_ptr<Service> make_service(const ServiceEnv& env) { return std::make_unique<IamService>(env); }

CredentialResolver& credential_resolver(Service& service) { return resolver_of<IamService>(service, "IAM"); }

}  // namespace awan::iam
