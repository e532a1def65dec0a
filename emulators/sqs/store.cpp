// The SQS emulator's SQLite schema and statements (store.hpp).
#include "sqs/store.hpp"

#include "storage/json_column.hpp"

namespace awan::sqs {

namespace {
using json = nlohmann::json;
using storage::Statement;

using storage::object_column;

constexpr const char* kMessageColumns =
    "queue, seq, id, body, attributes, system_attributes, md5_body, md5_attributes, md5_system, sent_ms, "
    "visible_ms, receive_count, first_receive_ms, token, group_id, dedup_id, sequence_number, sender_id, "
    "dead_letter_source";

MessageRow read_message(Statement& s) {
  MessageRow m;
  m.queue = s.int64(0);
  m.seq = s.int64(1);
  m.id = s.text(2);
  m.body = s.blob(3);
  m.attributes = s.text(4);
  m.system_attributes = s.text(5);
  m.md5_body = s.text(6);
  m.md5_attributes = s.text(7);
  m.md5_system = s.text(8);
  m.sent_ms = s.int64(9);
  m.visible_ms = s.int64(10);
  m.receive_count = s.int64(11);
  m.first_receive_ms = s.int64(12);
  m.token = s.text(13);
  m.group_id = s.text(14);
  m.dedup_id = s.text(15);
  m.sequence_number = s.text(16);
  m.sender_id = s.text(17);
  m.dead_letter_source = s.text(18);
  return m;
}
}  // namespace

Store::Store(const std::string& path, storage::Database::Durability durability) : db_(path, durability) {
  create_schema();
}

void Store::create_schema() {
  db_.exec(R"sql(
    CREATE TABLE IF NOT EXISTS queues(
      id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
      fifo INTEGER NOT NULL, attributes TEXT NOT NULL, tags TEXT NOT NULL, created INTEGER NOT NULL,
      modified INTEGER NOT NULL, last_purge_ms INTEGER NOT NULL DEFAULT 0,
      UNIQUE(account, region, name));
    CREATE TABLE IF NOT EXISTS messages(
      queue INTEGER NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, body BLOB NOT NULL,
      attributes TEXT NOT NULL, system_attributes TEXT NOT NULL, md5_body TEXT NOT NULL,
      md5_attributes TEXT NOT NULL, md5_system TEXT NOT NULL, sent_ms INTEGER NOT NULL,
      visible_ms INTEGER NOT NULL, receive_count INTEGER NOT NULL, first_receive_ms INTEGER NOT NULL,
      token TEXT NOT NULL, group_id TEXT NOT NULL, dedup_id TEXT NOT NULL, sequence_number TEXT NOT NULL,
      sender_id TEXT NOT NULL, dead_letter_source TEXT NOT NULL,
      PRIMARY KEY(queue, seq)) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS messages_by_visibility ON messages(queue, visible_ms, seq);
    CREATE TABLE IF NOT EXISTS dedup(
      queue INTEGER NOT NULL, scope TEXT NOT NULL, dedup_id TEXT NOT NULL, expires_ms INTEGER NOT NULL,
      message_id TEXT NOT NULL, sequence_number TEXT NOT NULL,
      PRIMARY KEY(queue, scope, dedup_id)) WITHOUT ROWID;
  )sql");
}

void Store::reset() { db_.exec("DELETE FROM messages; DELETE FROM dedup; DELETE FROM queues;"); }

std::vector<QueueRow> Store::queues() {
  std::vector<QueueRow> out;
  auto s = db_.cached(
      "SELECT id, account, region, name, fifo, attributes, tags, created, modified, last_purge_ms FROM queues");
  while (s->step()) {
    QueueRow q;
    q.id = s->int64(0);
    q.account = s->text(1);
    q.region = s->text(2);
    q.name = s->text(3);
    q.fifo = s->int64(4) != 0;
    q.attributes = object_column(s->text_view(5));
    q.tags = object_column(s->text_view(6));
    q.created = s->int64(7);
    q.modified = s->int64(8);
    q.last_purge_ms = s->int64(9);
    out.push_back(std::move(q));
  }
  return out;
}

void Store::insert_queue(QueueRow& q) {
  auto s = db_.cached(
      "INSERT INTO queues(account, region, name, fifo, attributes, tags, created, modified, last_purge_ms) "
      "VALUES(?,?,?,?,?,?,?,?,?)");
  s->bind(1, q.account).bind(2, q.region).bind(3, q.name).bind(4, q.fifo ? 1 : 0);
  s->bind(5, q.attributes.dump()).bind(6, q.tags.dump()).bind(7, q.created).bind(8, q.modified);
  s->bind(9, q.last_purge_ms);
  s->run();
  q.id = db_.last_insert_rowid();
}

void Store::update_queue(const QueueRow& q) {
  auto s = db_.cached("UPDATE queues SET attributes=?, tags=?, modified=?, last_purge_ms=? WHERE id=?");
  s->bind(1, q.attributes.dump()).bind(2, q.tags.dump()).bind(3, q.modified).bind(4, q.last_purge_ms).bind(5, q.id);
  s->run();
}

void Store::delete_queue(int64_t id) {
  for (const char* sql : {"DELETE FROM messages WHERE queue=?", "DELETE FROM dedup WHERE queue=?",
                          "DELETE FROM queues WHERE id=?"}) {
    auto s = db_.cached(sql);
    s->bind(1, id);
    s->run();
  }
}

int64_t Store::max_seq() {
  auto s = db_.cached("SELECT COALESCE(MAX(seq), 0) FROM messages");
  return s->step() ? s->int64(0) : 0;
}

void Store::insert_message(const MessageRow& m) {
  static const std::string sql = std::string("INSERT INTO messages(") + kMessageColumns +
                                 ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  auto s = db_.cached(sql);
  s->bind(1, m.queue).bind(2, m.seq).bind(3, m.id).bind_blob(4, m.body).bind(5, m.attributes);
  s->bind(6, m.system_attributes).bind(7, m.md5_body).bind(8, m.md5_attributes).bind(9, m.md5_system);
  s->bind(10, m.sent_ms).bind(11, m.visible_ms).bind(12, m.receive_count).bind(13, m.first_receive_ms);
  s->bind(14, m.token).bind(15, m.group_id).bind(16, m.dedup_id).bind(17, m.sequence_number);
  s->bind(18, m.sender_id).bind(19, m.dead_letter_source);
  s->run();
}

std::optional<MessageRow> Store::message(int64_t queue, int64_t seq) {
  static const std::string sql = std::string("SELECT ") + kMessageColumns + " FROM messages WHERE queue=? AND seq=?";
  auto s = db_.cached(sql);
  s->bind(1, queue).bind(2, seq);
  if (!s->step()) return std::nullopt;
  return read_message(*s);
}

std::vector<MessageRow> Store::visible(int64_t queue, int64_t now_ms, int64_t min_sent_ms, int limit) {
  static const std::string sql = std::string("SELECT ") + kMessageColumns +
                                 " FROM messages WHERE queue=? AND visible_ms<=? AND sent_ms>? "
                                 "ORDER BY visible_ms, seq LIMIT ?";
  auto s = db_.cached(sql);
  s->bind(1, queue).bind(2, now_ms).bind(3, min_sent_ms).bind(4, limit);
  std::vector<MessageRow> out;
  while (s->step()) out.push_back(read_message(*s));
  return out;
}

void Store::scan(int64_t queue, const std::function<bool(MessageRow&)>& fn) {
  static const std::string sql = std::string("SELECT ") + kMessageColumns + " FROM messages WHERE queue=? ORDER BY seq";
  // Not the cached statement: fn may run other statements of this store.
  Statement s = db_.prepare(sql);
  s.bind(1, queue);
  while (s.step()) {
    MessageRow m = read_message(s);
    if (!fn(m)) break;
  }
}

void Store::mark_received(const MessageRow& m) {
  auto s = db_.cached(
      "UPDATE messages SET visible_ms=?, receive_count=?, first_receive_ms=?, token=? WHERE queue=? AND seq=?");
  s->bind(1, m.visible_ms).bind(2, m.receive_count).bind(3, m.first_receive_ms).bind(4, m.token);
  s->bind(5, m.queue).bind(6, m.seq);
  s->run();
}

void Store::set_visible(int64_t queue, int64_t seq, int64_t visible_ms) {
  auto s = db_.cached("UPDATE messages SET visible_ms=? WHERE queue=? AND seq=?");
  s->bind(1, visible_ms).bind(2, queue).bind(3, seq);
  s->run();
}

void Store::delete_message(int64_t queue, int64_t seq) {
  auto s = db_.cached("DELETE FROM messages WHERE queue=? AND seq=?");
  s->bind(1, queue).bind(2, seq);
  s->run();
}

int64_t Store::delete_sent_before(int64_t queue, int64_t before_ms) {
  auto s = db_.cached("DELETE FROM messages WHERE queue=? AND sent_ms<=?");
  s->bind(1, queue).bind(2, before_ms);
  s->run();
  return db_.changes();
}

int64_t Store::expire_oldest(int64_t queue, int64_t before_ms) {
  auto s = db_.cached(
      "DELETE FROM messages WHERE queue=?1 AND sent_ms<=?2 AND seq < COALESCE((SELECT seq FROM messages "
      "WHERE queue=?1 AND sent_ms>?2 ORDER BY seq LIMIT 1), 9223372036854775807)");
  s->bind(1, queue).bind(2, before_ms);
  s->run();
  return db_.changes();
}

MessageCounts Store::counts(int64_t queue, int64_t now_ms, int64_t min_sent_ms) {
  auto s = db_.cached(
      "SELECT COALESCE(SUM(visible_ms<=?),0), COALESCE(SUM(visible_ms>? AND receive_count>0),0), "
      "COALESCE(SUM(visible_ms>? AND receive_count=0),0) FROM messages WHERE queue=? AND sent_ms>?");
  s->bind(1, now_ms).bind(2, now_ms).bind(3, now_ms).bind(4, queue).bind(5, min_sent_ms);
  MessageCounts c;
  if (s->step()) {
    c.visible = s->int64(0);
    c.not_visible = s->int64(1);
    c.delayed = s->int64(2);
  }
  return c;
}

int64_t Store::next_visible(int64_t queue, int64_t now_ms) {
  auto s = db_.cached("SELECT COALESCE(MIN(visible_ms),0) FROM messages WHERE queue=? AND visible_ms>?");
  s->bind(1, queue).bind(2, now_ms);
  return s->step() ? s->int64(0) : 0;
}

std::optional<Store::Dedup> Store::dedup(int64_t queue, const std::string& scope, const std::string& id,
                                         int64_t now_ms) {
  auto s = db_.cached(
      "SELECT message_id, sequence_number FROM dedup WHERE queue=? AND scope=? AND dedup_id=? AND expires_ms>?");
  s->bind(1, queue).bind(2, scope).bind(3, id).bind(4, now_ms);
  if (!s->step()) return std::nullopt;
  return Dedup{s->text(0), s->text(1)};
}

void Store::put_dedup(int64_t queue, const std::string& scope, const std::string& id, int64_t expires_ms,
                      const Dedup& d) {
  auto s = db_.cached("INSERT OR REPLACE INTO dedup VALUES(?,?,?,?,?,?)");
  s->bind(1, queue).bind(2, scope).bind(3, id).bind(4, expires_ms).bind(5, d.message_id).bind(6, d.sequence_number);
  s->run();
}

void Store::expire_dedup(int64_t now_ms) {
  auto s = db_.cached("DELETE FROM dedup WHERE expires_ms<=?");
  s->bind(1, now_ms);
  s->run();
}

}  // namespace awan::sqs
