// JSONata date and time (see jsonata_datetime.hpp): civil calendar arithmetic on days since
// the epoch, the picture-string formatter and parser, ISO 8601 parsing.
#include "stepfunctions/jsonata_datetime.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <vector>

#include "stepfunctions/errors.hpp"
#include "stepfunctions/jsonata_numbers.hpp"

namespace awan::stepfunctions::jsonata::datetime {

namespace {

constexpr int64_t kDayMs = 86400000;
constexpr int64_t kMaxMillis = 8640000000000000;  // JavaScript's Date range

[[noreturn]] void fail(const std::string& why) { throw StatesError{"States.QueryEvaluationError", why}; }

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = floor_div(y, 400);
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  int64_t year = 1970;
  int month = 1, day = 1, hour = 0, minute = 0, second = 0, milli = 0;
  int64_t days = 0;  // since the epoch
};

Civil civil(int64_t millis) {
  Civil c;
  c.days = floor_div(millis, kDayMs);
  int64_t rest = millis - c.days * kDayMs;
  int64_t z = c.days + 719468;
  int64_t era = floor_div(z, 146097);
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = yoe + era * 400 + (c.month <= 2);
  c.hour = static_cast<int>(rest / 3600000);
  c.minute = static_cast<int>(rest / 60000 % 60);
  c.second = static_cast<int>(rest / 1000 % 60);
  c.milli = static_cast<int>(rest % 1000);
  return c;
}

bool leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int days_in_month(int64_t y, int m) {
  static const int n[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : n[m - 1];
}

const char* const kMonths[] = {"january", "february", "march", "april", "may", "june", "july",
                               "august", "september", "october", "november", "december"};
const char* const kDays[] = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};

// "±HHMM" → minutes east of UTC.
int offset_minutes(const std::string& tz) {
  size_t i = 0;
  int sign = 1;
  if (i < tz.size() && (tz[i] == '+' || tz[i] == '-')) sign = tz[i++] == '-' ? -1 : 1;
  std::string digits = tz.substr(i);
  if (digits.size() != 4 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    fail("the timezone must be written ±HHMM, was '" + tz + "'");
  return sign * (std::stoi(digits.substr(0, 2)) * 60 + std::stoi(digits.substr(2)));
}

// One [marker] of a picture.
struct Marker {
  char component = 0;
  std::string presentation;  // "01", "N", "Nn", ...
  bool ordinal = false, t = false;
  int min_width = 0, max_width = 0;  // the ",min-max" modifier (0: none)
};

// The picture as literal text and markers.
struct Part {
  bool literal = true;
  std::string text;
  Marker m;
};

std::vector<Part> split_picture(const std::string& pic) {
  std::vector<Part> parts;
  auto literal = [&](char c) {
    if (parts.empty() || !parts.back().literal) parts.push_back(Part{});
    parts.back().text += c;
  };
  for (size_t i = 0; i < pic.size(); ++i) {
    char c = pic[i];
    if (c == ']' && i + 1 < pic.size() && pic[i + 1] == ']') {
      literal(']');
      ++i;
      continue;
    }
    if (c != '[') {
      literal(c);
      continue;
    }
    if (i + 1 < pic.size() && pic[i + 1] == '[') {
      literal('[');
      ++i;
      continue;
    }
    size_t end = pic.find(']', i);
    if (end == std::string::npos) fail("the picture string has an unclosed '['");
    std::string body;
    for (size_t k = i + 1; k < end; ++k)
      if (!std::isspace(static_cast<unsigned char>(pic[k]))) body += pic[k];
    i = end;
    if (body.empty()) fail("the picture string has an empty marker");
    Part p;
    p.literal = false;
    p.m.component = body[0];
    std::string pres = body.substr(1), width;
    if (auto comma = pres.find(','); comma != std::string::npos) {
      width = pres.substr(comma + 1);
      pres = pres.substr(0, comma);
    }
    if (!pres.empty() && pres.back() == 't' && (p.m.component == 'Z' || p.m.component == 'z')) {
      p.m.t = true;
      pres.pop_back();
    }
    if (!pres.empty() && pres.back() == 'o' && pres != "o") {
      p.m.ordinal = true;
      pres.pop_back();
    }
    p.m.presentation = pres;
    if (!width.empty()) {
      auto dash = width.find('-');
      std::string lo = width.substr(0, dash), hi = dash == std::string::npos ? "" : width.substr(dash + 1);
      auto num = [](const std::string& s) {
        if (s.empty() || s == "*" || s.size() > 3 || !std::all_of(s.begin(), s.end(), ::isdigit)) return 0;
        return std::stoi(s);
      };
      p.m.min_width = num(lo);
      p.m.max_width = num(hi);
    }
    if (std::string("YMDdFWwXxHhPmsfZz").find(p.m.component) == std::string::npos)
      fail(std::string("the picture component '") + p.m.component + "' is not supported");
    parts.push_back(std::move(p));
  }
  return parts;
}

std::string default_presentation(char c) {
  switch (c) {
    case 'F': case 'P': return "n";
    case 'm': case 's': return "01";
    case 'Z': return "01:01";
    default: return "1";
  }
}

int mandatory_digits(const std::string& pres) {
  int n = 0;
  for (char c : pres)
    if (c >= '0' && c <= '9') ++n;
  return n;
}

bool is_numeric(const std::string& pres) {
  return !pres.empty() && std::all_of(pres.begin(), pres.end(), [](char c) { return (c >= '0' && c <= '9') || c == '#'; });
}

std::string ordinal_suffix(int64_t v) {
  int64_t t = v % 100, u = v % 10;
  if (t >= 11 && t <= 13) return "th";
  return u == 1 ? "st" : u == 2 ? "nd" : u == 3 ? "rd" : "th";
}

std::string name_in(const std::string& name, const std::string& pres, int max_width) {
  std::string out = name;
  if (max_width > 0 && static_cast<int>(out.size()) > max_width) out.resize(static_cast<size_t>(max_width));
  if (pres == "N") for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  else if (pres == "Nn" && !out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

std::string padded(int64_t v, int width) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  while (static_cast<int>(digits.size()) < width) digits.insert(digits.begin(), '0');
  return (v < 0 ? "-" : "") + digits;
}

std::string timezone_text(int offset, const Marker& m) {
  if (m.t && offset == 0) return "Z";
  int a = offset < 0 ? -offset : offset;
  std::string sign = offset < 0 ? "-" : "+", hh = padded(a / 60, 2), mm = padded(a % 60, 2);
  if (m.component == 'z') return "GMT" + sign + hh + ":" + mm;
  std::string pres = m.presentation.empty() ? "01:01" : m.presentation;
  if (pres.find(':') != std::string::npos) return sign + hh + ":" + mm;
  if (mandatory_digits(pres) <= 2) return sign + (pres.size() == 1 ? std::to_string(a / 60) : hh) + (a % 60 ? ":" + mm : "");
  return sign + hh + mm;
}

std::string render(const Marker& m, const Civil& c, int offset) {
  std::string pres = m.presentation.empty() ? default_presentation(m.component) : m.presentation;
  if (m.component == 'Z' || m.component == 'z') return timezone_text(offset, m);
  int64_t dow = ((c.days % 7) + 7 + 3) % 7;  // 0 = Monday (1970-01-01 was a Thursday)
  static const std::string kNumberWords[] = {"w", "W", "Ww", "i", "I", "a", "A"};
  bool words = std::find(std::begin(kNumberWords), std::end(kNumberWords), pres) != std::end(kNumberWords);
  if (m.component == 'F' && !is_numeric(pres) && !words) return name_in(kDays[dow], pres, m.max_width);
  if (m.component == 'M' && !is_numeric(pres) && !words) return name_in(kMonths[c.month - 1], pres, m.max_width);
  if (m.component == 'P') return name_in(c.hour < 12 ? "am" : "pm", pres == "1" ? "n" : pres, 0);
  if (!is_numeric(pres) && !words)
    fail("the presentation '" + pres + "' of [" + std::string(1, m.component) + "] is not supported");
  int width = std::max(mandatory_digits(pres), m.min_width);
  // The ISO week date: the week (W) and its year (X) are those of the week's Thursday; so are
  // the week of the month (w) and its month (x).
  Civil thursday = civil((c.days - dow + 3) * kDayMs);
  int64_t v = 0;
  switch (m.component) {
    case 'W': v = (thursday.days - days_from_civil(thursday.year, 1, 1)) / 7 + 1; break;
    case 'X': v = thursday.year; break;
    case 'w': v = (thursday.day - 1) / 7 + 1; break;
    case 'x': v = thursday.month; break;
    case 'Y': v = c.year; break;
    case 'M': v = c.month; break;
    case 'D': v = c.day; break;
    case 'd': v = c.days - days_from_civil(c.year, 1, 1) + 1; break;
    case 'F': v = dow + 1; break;
    case 'H': v = c.hour; break;
    case 'h': v = c.hour % 12 == 0 ? 12 : c.hour % 12; break;
    case 'm': v = c.minute; break;
    case 's': v = c.second; break;
    case 'f': {
      int digits = std::max(1, mandatory_digits(pres));
      std::string ms = padded(c.milli, 3);
      if (digits <= 3) return ms.substr(0, static_cast<size_t>(digits));
      return ms + std::string(static_cast<size_t>(digits - 3), '0');
    }
    default: break;
  }
  if (m.component == 'Y' && (mandatory_digits(pres) == 2 || m.max_width == 2)) v %= 100;
  if (words) {
    if (v <= 0 && pres != "w" && pres != "W" && pres != "Ww") return padded(v, width);  // no roman or letter zero
    std::string out = numbers::format_integer(static_cast<double>(v), pres + (m.ordinal ? ";o" : ""));
    if (m.max_width > 0 && static_cast<int>(out.size()) > m.max_width) out.resize(static_cast<size_t>(m.max_width));
    return out;
  }
  return padded(v, width) + (m.ordinal ? ordinal_suffix(v) : "");
}

}  // namespace

std::string iso8601(int64_t millis) {
  return format(millis, "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001]Z", std::nullopt);
}

std::string format(int64_t millis, const std::string& picture, const std::optional<std::string>& timezone) {
  if (millis > kMaxMillis || millis < -kMaxMillis) fail("the time is out of range");
  int offset = timezone ? offset_minutes(*timezone) : 0;
  Civil c = civil(millis + int64_t{offset} * 60000);
  std::string out;
  for (const Part& p : split_picture(picture)) out += p.literal ? p.text : render(p.m, c, offset);
  return out;
}

int64_t parse_iso8601(const std::string& s) {
  auto bad = [&]() -> int64_t { fail("The argument of $toMillis is not an ISO 8601 timestamp: '" + s + "'"); };
  size_t i = 0;
  auto digits = [&](size_t n) {
    if (i + n > s.size()) bad();
    int64_t v = 0;
    for (size_t k = 0; k < n; ++k) {
      char c = s[i + k];
      if (c < '0' || c > '9') bad();
      v = v * 10 + (c - '0');
    }
    i += n;
    return v;
  };
  auto at = [&](char c) { return i < s.size() && s[i] == c; };
  int64_t year = digits(4), month = 1, day = 1, hour = 0, minute = 0, second = 0, milli = 0;
  if (at('-')) {
    ++i;
    month = digits(2);
    if (at('-')) {
      ++i;
      day = digits(2);
    }
  }
  if (at('T')) {
    ++i;
    hour = digits(2);
    if (!at(':')) bad();
    ++i;
    minute = digits(2);
    if (!at(':')) bad();
    ++i;
    second = digits(2);
  }
  if (at('.')) {
    ++i;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) bad();
    std::string frac = s.substr(start, i - start) + "00";
    milli = std::stoi(frac.substr(0, 3));
  }
  int offset = 0;
  if (at('Z')) {
    ++i;
  } else if (at('+') || at('-')) {
    int sign = s[i++] == '-' ? -1 : 1;
    int64_t oh = digits(2);
    if (at(':')) ++i;
    int64_t om = digits(2);
    offset = static_cast<int>(sign * (oh * 60 + om));
  }
  if (i != s.size() || month < 1 || month > 12 || day < 1 || day > days_in_month(year, static_cast<int>(month)) ||
      hour > 24 || minute > 59 || second > 59)
    bad();
  return days_from_civil(year, month, day) * kDayMs + ((hour * 60 + minute) * 60 + second) * 1000 + milli -
         int64_t{offset} * 60000;
}

std::optional<int64_t> parse(const std::string& s, const std::string& picture) {
  std::vector<Part> parts = split_picture(picture);
  int64_t year = 1970, month = 1, day = 1, yday = -1, hour = 0, minute = 0, second = 0, milli = 0;
  int64_t iso_year = -1, iso_week = -1, weekday = 1;  // [X] [W] [F1]: an ISO week date
  int offset = 0;
  bool pm = false, twelve = false;
  size_t i = 0;
  for (size_t k = 0; k < parts.size(); ++k) {
    const Part& p = parts[k];
    if (p.literal) {
      if (s.compare(i, p.text.size(), p.text) != 0) return std::nullopt;
      i += p.text.size();
      continue;
    }
    const Marker& m = p.m;
    std::string pres = m.presentation.empty() ? default_presentation(m.component) : m.presentation;
    if (m.component == 'Z' || m.component == 'z') {
      if (m.component == 'z') {
        if (s.compare(i, 3, "GMT") != 0) return std::nullopt;
        i += 3;
      }
      if (i < s.size() && s[i] == 'Z') {
        ++i;
        continue;
      }
      if (i >= s.size() || (s[i] != '+' && s[i] != '-')) return std::nullopt;
      int sign = s[i++] == '-' ? -1 : 1;
      std::string d;
      while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == ':'))
        if (s[i++] != ':') d += s[i - 1];
      if (d.size() != 2 && d.size() != 4) return std::nullopt;
      offset = sign * (std::stoi(d.substr(0, 2)) * 60 + (d.size() == 4 ? std::stoi(d.substr(2)) : 0));
      continue;
    }
    if (!is_numeric(pres)) {  // names: month, day of the week, am/pm
      size_t start = i;
      while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
      std::string word = s.substr(start, i - start);
      for (auto& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (word.empty()) return std::nullopt;
      if (m.component == 'P') {
        if (word != "am" && word != "pm") return std::nullopt;
        pm = word == "pm";
      } else if (m.component == 'M') {
        int found = 0;
        for (int n = 0; n < 12 && !found; ++n)
          if (std::string(kMonths[n]).compare(0, word.size(), word) == 0) found = n + 1;
        if (!found) return std::nullopt;
        month = found;
      } else if (m.component != 'F') {
        fail("the presentation '" + pres + "' of [" + std::string(1, m.component) + "] is not supported");
      }
      continue;
    }
    // Digits: as many as there are, or exactly the width when another marker follows at once.
    bool adjacent = k + 1 < parts.size() && !parts[k + 1].literal;
    size_t want = static_cast<size_t>(std::max(1, mandatory_digits(pres)));
    size_t start = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && (!adjacent || i - start < want) && i - start < 10)
      ++i;
    if (i == start) return std::nullopt;
    std::string d = s.substr(start, i - start);
    int64_t v = std::stoll(d);
    switch (m.component) {
      case 'Y': year = v; break;
      case 'M': month = v; break;
      case 'D': day = v; break;
      case 'd': yday = v; break;
      case 'H': hour = v; break;
      case 'h': hour = v; twelve = true; break;
      case 'm': minute = v; break;
      case 's': second = v; break;
      case 'f': milli = std::stoll((d + "00").substr(0, 3)); break;
      case 'X': iso_year = v; break;
      case 'W': iso_week = v; break;
      case 'F': weekday = v; break;
      default: break;
    }
    if (m.ordinal) {
      for (int n = 0; n < 2 && i < s.size() && std::isalpha(static_cast<unsigned char>(s[i])); ++n) ++i;
    }
  }
  if (i != s.size()) return std::nullopt;
  if (twelve) hour = (hour % 12) + (pm ? 12 : 0);
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, static_cast<int>(month)) || hour > 23 ||
      minute > 59 || second > 59 || year > 275000)
    return std::nullopt;
  int64_t days = yday > 0 ? days_from_civil(year, 1, 1) + yday - 1 : days_from_civil(year, month, day);
  if (iso_year >= 0 && iso_week >= 1) {  // week 1 is the one with January 4th
    if (iso_year > 275000 || iso_week > 53 || weekday < 1 || weekday > 7) return std::nullopt;
    int64_t jan4 = days_from_civil(iso_year, 1, 4);
    int64_t monday = jan4 - (((jan4 % 7) + 7 + 3) % 7);
    days = monday + (iso_week - 1) * 7 + (weekday - 1);
  }
  return days * kDayMs + ((hour * 60 + minute) * 60 + second) * 1000 + milli - int64_t{offset} * 60000;
}

std::optional<nlohmann::json> call(const std::string& fn, const std::vector<std::optional<nlohmann::json>>& args,
                                   int64_t now_millis) {
  auto text_arg = [&](size_t i) -> std::optional<std::string> {
    if (args.size() <= i || !args[i]) return std::nullopt;
    if (!args[i]->is_string()) fail("$" + fn + ": argument " + std::to_string(i + 1) + " must be a string");
    return args[i]->get<std::string>();
  };
  const std::string kDefault = "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]";
  if (fn == "millis") {
    if (!args.empty()) fail("$millis: wrong number of arguments");
    return nlohmann::json(now_millis);
  }
  if (fn == "now") {
    if (args.size() > 2) fail("$now: wrong number of arguments");
    return nlohmann::json(format(now_millis, text_arg(0).value_or(kDefault), text_arg(1)));
  }
  if (fn == "fromMillis") {
    if (args.empty() || args.size() > 3) fail("$fromMillis: wrong number of arguments");
    if (!args[0]) return std::nullopt;
    if (!args[0]->is_number()) fail("$fromMillis: argument 1 must be a number");
    double ms = std::floor(args[0]->get<double>());
    if (!(std::fabs(ms) <= 8.64e15)) fail("$fromMillis: the time is out of range");
    return nlohmann::json(format(static_cast<int64_t>(ms), text_arg(1).value_or(kDefault), text_arg(2)));
  }
  if (args.empty() || args.size() > 2) fail("$toMillis: wrong number of arguments");
  auto text = text_arg(0);
  if (!text) return std::nullopt;
  auto picture = text_arg(1);
  if (!picture) return nlohmann::json(parse_iso8601(*text));
  auto ms = parse(*text, *picture);
  return ms ? std::optional<nlohmann::json>(*ms) : std::nullopt;
}

}  // namespace awan::stepfunctions::jsonata::datetime
