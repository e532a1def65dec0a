// $formatInteger, $parseInteger and $formatNumber of the JSONata subset (see jsonata_numbers.hpp).
#include "stepfunctions/jsonata_numbers.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <vector>

#include "stepfunctions/errors.hpp"

namespace awan::stepfunctions::jsonata::numbers {

using json = nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& why) { throw StatesError{"States.QueryEvaluationError", why}; }

constexpr double kMaxInteger = 9e15;

const char* const kFew[] = {"Zero",    "One",     "Two",       "Three",    "Four",     "Five",    "Six",
                            "Seven",   "Eight",   "Nine",      "Ten",      "Eleven",   "Twelve",  "Thirteen",
                            "Fourteen", "Fifteen", "Sixteen",  "Seventeen", "Eighteen", "Nineteen"};
const char* const kOrdinals[] = {"Zeroth",     "First",      "Second",     "Third",       "Fourth",
                                 "Fifth",      "Sixth",      "Seventh",    "Eighth",      "Ninth",
                                 "Tenth",      "Eleventh",   "Twelfth",    "Thirteenth",  "Fourteenth",
                                 "Fifteenth",  "Sixteenth",  "Seventeenth", "Eighteenth", "Nineteenth"};
const char* const kDecades[] = {"Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety"};
const char* const kMagnitudes[] = {"Thousand", "Million", "Billion", "Trillion"};

// JSONata's English words: "Two Thousand, Seven Hundred and Eighty-Nine".
std::string words(int64_t n, bool prev, bool ordinal) {
  if (n <= 19) return (prev ? " and " : "") + std::string(ordinal ? kOrdinals[n] : kFew[n]);
  std::string w;
  if (n < 100) {
    w = (prev ? " and " : "") + std::string(kDecades[n / 10 - 2]);
    if (n % 10) w += "-" + words(n % 10, false, ordinal);
    else if (ordinal) w = w.substr(0, w.size() - 1) + "ieth";
    return w;
  }
  int64_t factor = 100;
  std::string unit = "Hundred";
  if (n >= 1000) {
    int mag = 1;
    factor = 1000;
    while (mag < 4 && n >= factor * 1000) factor *= 1000, ++mag;
    unit = kMagnitudes[mag - 1];
  }
  w = (prev ? ", " : "") + words(n / factor, false, false) + " " + unit;
  if (n % factor) w += words(n % factor, true, ordinal);
  else if (ordinal) w += "th";
  return w;
}

const std::map<std::string, int64_t>& word_values() {
  static const std::map<std::string, int64_t> values = [] {
    std::map<std::string, int64_t> m;
    auto lower = [](std::string s) {
      for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return s;
    };
    for (int i = 0; i < 20; ++i) m[lower(kFew[i])] = i, m[lower(kOrdinals[i])] = i;
    for (int i = 0; i < 8; ++i) {
      std::string d = lower(kDecades[i]);
      m[d] = (i + 2) * 10;
      m[d.substr(0, d.size() - 1) + "ieth"] = (i + 2) * 10;
    }
    m["hundred"] = m["hundredth"] = 100;
    int64_t f = 1000;
    for (const char* mag : kMagnitudes) m[lower(mag)] = m[lower(mag) + "th"] = f, f *= 1000;
    return m;
  }();
  return values;
}

const std::pair<int, const char*> kRoman[] = {{1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"},
                                               {90, "XC"},  {50, "L"},   {40, "XL"},  {10, "X"},   {9, "IX"},
                                               {5, "V"},    {4, "IV"},   {1, "I"}};

// An integer picture: its primary format and the ";o" ordinal modifier.
struct IntegerPicture {
  enum Kind { Decimal, Words, Roman, Letters } kind = Decimal;
  enum Case { Lower, Upper, Title } letter_case = Lower;
  bool ordinal = false;
  int mandatory = 0;                          // Decimal: the minimum number of digits
  std::vector<std::pair<int, char>> groups;   // Decimal: (digits to the right, separator)
  int regular = 0;                            // Decimal: a separator every `regular` digits
  std::string separators;                     // Decimal: the separator characters
};

int gcd(int a, int b) { return b == 0 ? a : gcd(b, a % b); }

// The repeating interval of grouping positions (0 when they do not repeat).
int regular_interval(const std::vector<int>& positions) {
  if (positions.empty()) return 0;
  int factor = 0;
  for (int p : positions) factor = gcd(p, factor);
  for (size_t i = 1; i <= positions.size(); ++i)
    if (std::find(positions.begin(), positions.end(), static_cast<int>(i) * factor) == positions.end()) return 0;
  return factor;
}

IntegerPicture integer_picture(const std::string& fn, const std::string& picture) {
  IntegerPicture p;
  std::string primary = picture;
  auto semicolon = picture.rfind(';');
  if (semicolon != std::string::npos) {
    primary = picture.substr(0, semicolon);
    std::string modifier = picture.substr(semicolon + 1);
    if (!modifier.empty() && modifier[0] == 'o') p.ordinal = true;
    else if (!modifier.empty() && modifier[0] != 'c') fail("$" + fn + ": unsupported picture modifier '" + modifier + "'");
  }
  if (primary == "w" || primary == "W" || primary == "Ww") {
    p.kind = IntegerPicture::Words;
    p.letter_case = primary == "w" ? IntegerPicture::Lower : primary == "W" ? IntegerPicture::Upper : IntegerPicture::Title;
    return p;
  }
  if (primary == "i" || primary == "I" || primary == "a" || primary == "A") {
    p.kind = primary == "i" || primary == "I" ? IntegerPicture::Roman : IntegerPicture::Letters;
    p.letter_case = std::islower(static_cast<unsigned char>(primary[0])) ? IntegerPicture::Lower : IntegerPicture::Upper;
    return p;
  }
  int digits = 0;
  std::vector<std::pair<int, char>> left;  // (digits to the left, separator)
  for (char c : primary) {
    auto u = static_cast<unsigned char>(c);
    if (std::isdigit(u)) {
      ++p.mandatory, ++digits;
    } else if (c == '#') {
      if (p.mandatory > 0) fail("$" + fn + ": a '#' must not follow a digit in the picture '" + picture + "'");
      ++digits;
    } else if (u < 0x80 && (std::ispunct(u) || c == ' ')) {
      if (digits == 0 || (!left.empty() && left.back().first == digits))
        fail("$" + fn + ": a grouping separator must be between digits in the picture '" + picture + "'");
      left.push_back({digits, c});
      if (p.separators.find(c) == std::string::npos) p.separators += c;
    } else {
      fail("$" + fn + ": unsupported picture '" + picture + "'");
    }
  }
  if (p.mandatory == 0) fail("$" + fn + ": the picture '" + picture + "' must contain at least one digit");
  if (!left.empty() && left.back().first == digits)
    fail("$" + fn + ": a grouping separator must be between digits in the picture '" + picture + "'");
  std::vector<int> positions;
  for (const auto& [l, c] : left) positions.push_back(digits - l), p.groups.push_back({digits - l, c});
  if (p.separators.size() == 1) p.regular = regular_interval(positions);
  return p;
}

std::string ordinal_suffix(const std::string& digits) {
  char last = digits.back();
  bool teen = digits.size() > 1 && digits[digits.size() - 2] == '1';
  if (teen) return "th";
  return last == '1' ? "st" : last == '2' ? "nd" : last == '3' ? "rd" : "th";
}

std::string apply_case(std::string s, IntegerPicture::Case c) {
  for (auto& ch : s) {
    auto u = static_cast<unsigned char>(ch);
    if (c == IntegerPicture::Lower) ch = static_cast<char>(std::tolower(u));
    else if (c == IntegerPicture::Upper) ch = static_cast<char>(std::toupper(u));
  }
  return s;
}

// ---- $formatNumber: code points, as the decimal-format properties may be any character ----

std::u32string decode(const std::string& s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    if (i + n > s.size()) n = 1;
    char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    out.push_back(cp);
    i += n;
  }
  return out;
}

std::string encode(const std::u32string& s) {
  std::string out;
  for (char32_t cp : s) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

struct Format {
  char32_t decimal = '.', grouping = ',', exponent = 'e', zero = '0', digit = '#', pattern = ';';
  std::u32string minus = U"-", percent = U"%", per_mille = U"\u2030";
  bool is_digit(char32_t c) const { return c >= zero && c <= zero + 9; }
  bool active(char32_t c) const { return is_digit(c) || c == digit || c == decimal || c == grouping; }
};

Format decimal_format(const json& options) {
  Format f;
  if (options.is_null()) return f;
  if (!options.is_object()) fail("$formatNumber: argument 3 must be an object");
  for (const auto& item : options.items()) {
    // Named, not structured bindings: a lambda below uses the key (clang refuses to capture one).
    const std::string& key = item.key();
    const json& value = item.value();
    if (!value.is_string()) fail("$formatNumber: the option '" + key + "' must be a string");
    std::u32string v = decode(value.get<std::string>());
    auto one = [&](char32_t& out) {
      if (v.size() != 1) fail("$formatNumber: the option '" + key + "' must be a single character");
      out = v[0];
    };
    if (key == "decimal-separator") one(f.decimal);
    else if (key == "grouping-separator") one(f.grouping);
    else if (key == "exponent-separator") one(f.exponent);
    else if (key == "zero-digit") one(f.zero);
    else if (key == "digit") one(f.digit);
    else if (key == "pattern-separator") one(f.pattern);
    else if (key == "minus-sign") f.minus = v;
    else if (key == "percent") f.percent = v;
    else if (key == "per-mille") f.per_mille = v;
  }
  return f;
}

struct SubPicture {
  std::u32string prefix, suffix;
  bool percent = false, per_mille = false, has_exponent = false;
  int min_int = 0, scaling = 0, min_frac = 0, max_frac = 0, min_exp = 0, regular = 0;
  std::vector<int> int_groups, frac_groups;
};

size_t count(const std::u32string& s, const std::u32string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); !what.empty() && at != std::u32string::npos; at = s.find(what, at + what.size())) ++n;
  return n;
}

SubPicture sub_picture(const std::u32string& pic, const Format& f) {
  auto bad = [](const std::string& why) { fail("$formatNumber: " + why); };
  SubPicture s;
  size_t first = 0, last = pic.size();
  while (first < pic.size() && !f.active(pic[first])) ++first;
  if (first == pic.size())
    bad("the mantissa part of a sub-picture must contain at least one digit or optional digit character");
  while (!f.active(pic[last - 1])) --last;
  s.prefix = pic.substr(0, first);
  s.suffix = pic.substr(last);
  std::u32string active = pic.substr(first, last - first);
  size_t percents = count(pic, f.percent), mills = count(pic, f.per_mille);
  if (percents > 1) bad("the picture string must not contain more than one instance of the 'percent' character");
  if (mills > 1) bad("the picture string must not contain more than one instance of the 'per-mille' character");
  if (percents && mills) bad("the picture string must not contain both a 'percent' and a 'per-mille' character");
  s.percent = percents == 1, s.per_mille = mills == 1;
  std::u32string mantissa = active, exponent;
  size_t e = active.find(f.exponent);
  if (e != std::u32string::npos) {
    s.has_exponent = true;
    mantissa = active.substr(0, e);
    exponent = active.substr(e + 1);
    if (s.percent || s.per_mille) bad("a sub-picture with a 'percent' or 'per-mille' character must not have an exponent");
    for (char32_t c : exponent)
      if (!f.is_digit(c)) bad("the exponent part of a sub-picture must consist of digits only");
  }
  for (char32_t c : mantissa)
    if (!f.active(c)) bad("a sub-picture must not contain a passive character between active characters");
  if (count(mantissa, std::u32string(1, f.decimal)) > 1)
    bad("the picture string must not contain more than one instance of the 'decimal-separator' character");
  size_t dot = mantissa.find(f.decimal);
  std::u32string integer = mantissa.substr(0, dot), fraction = dot == std::u32string::npos ? U"" : mantissa.substr(dot + 1);
  if ((!integer.empty() && integer.back() == f.grouping && dot != std::u32string::npos) ||
      (!fraction.empty() && fraction.front() == f.grouping))
    bad("a grouping separator must not be adjacent to a decimal separator");
  if (!integer.empty() && integer.back() == f.grouping) bad("the integer part of a sub-picture must not end with a grouping separator");
  if (mantissa.find(std::u32string(2, f.grouping)) != std::u32string::npos)
    bad("a sub-picture must not contain two adjacent grouping separators");
  bool seen_digit = false, any_digit = false;
  for (char32_t c : integer) {
    if (f.is_digit(c)) seen_digit = true, ++s.min_int;
    if (c == f.digit && seen_digit)
      bad("the integer part of a sub-picture must not contain a digit followed by an optional digit character");
    any_digit = any_digit || f.is_digit(c) || c == f.digit;
  }
  bool seen_optional = false;
  for (char32_t c : fraction) {
    if (c == f.digit) seen_optional = true, ++s.max_frac;
    if (f.is_digit(c)) {
      if (seen_optional)
        bad("the fractional part of a sub-picture must not contain an optional digit character followed by a digit");
      ++s.min_frac, ++s.max_frac;
    }
  }
  if (!any_digit && s.max_frac == 0)
    bad("the mantissa part of a sub-picture must contain at least one digit or optional digit character");
  auto digits_in = [&](const std::u32string& part, size_t from, size_t to) {
    int n = 0;
    for (size_t i = from; i < to; ++i) n += f.is_digit(part[i]) || part[i] == f.digit;
    return n;
  };
  for (size_t i = 0; i < integer.size(); ++i)
    if (integer[i] == f.grouping) s.int_groups.push_back(digits_in(integer, i, integer.size()));
  for (size_t i = 0; i < fraction.size(); ++i)
    if (fraction[i] == f.grouping) s.frac_groups.push_back(digits_in(fraction, 0, i));
  s.regular = regular_interval(s.int_groups);
  s.scaling = s.min_int;
  s.min_exp = static_cast<int>(exponent.size());
  if (s.min_int == 0 && s.max_frac == 0) {
    if (s.has_exponent) s.min_frac = s.max_frac = 1;
    else s.min_int = 1;
  }
  if (s.has_exponent && s.min_int == 0 && integer.find(f.digit) != std::u32string::npos) s.min_int = 1;
  if (s.min_int == 0 && s.min_frac == 0) s.min_frac = 1;
  return s;
}

// v × 10^p computed on the shortest decimal text of v (as JSONata's $round, free of binary
// multiplication errors).
double shift(double v, int p) {
  std::string t = json(v).dump();
  long e = 0;
  auto at = t.find_first_of("eE");
  if (at != std::string::npos) e = std::strtol(t.c_str() + at + 1, nullptr, 10), t.resize(at);
  t += "e" + std::to_string(e + p);
  return std::strtod(t.c_str(), nullptr);
}

// Half to even at p decimals, for v ≥ 0.
double round_decimal(double v, int p) {
  double x = shift(v, p);
  if (!(x < 9e15)) return v;  // no digits left to round at this precision
  double r = std::round(x);
  if (std::fabs(r - x) == 0.5 && std::fmod(r, 2.0) != 0) r -= 1;
  return shift(r, -p);
}

}  // namespace

std::string format_integer(double value, const std::string& picture) {
  IntegerPicture p = integer_picture("formatInteger", picture);
  value = std::floor(value);
  if (!(std::fabs(value) < kMaxInteger)) fail("$formatInteger: the number is too large");
  bool negative = value < 0;
  auto n = static_cast<int64_t>(std::fabs(value));
  std::string out;
  switch (p.kind) {
    case IntegerPicture::Words:
      out = words(n, false, p.ordinal);
      if (p.letter_case != IntegerPicture::Title) out = apply_case(out, p.letter_case);
      break;
    case IntegerPicture::Roman:
      if (n > 100000) fail("$formatInteger: the number is too large for roman numerals");
      for (const auto& [v, letters] : kRoman)
        while (n >= v) out += letters, n -= v;
      out = apply_case(out, p.letter_case);
      break;
    case IntegerPicture::Letters:
      for (; n > 0; n = (n - 1) / 26) out.insert(out.begin(), static_cast<char>('a' + (n - 1) % 26));
      out = apply_case(out, p.letter_case);
      break;
    case IntegerPicture::Decimal: {
      out = std::to_string(n);
      if (static_cast<int>(out.size()) < p.mandatory) out.insert(0, p.mandatory - out.size(), '0');
      std::string digits = out;
      if (p.regular > 0) {
        size_t groups = (digits.size() - 1) / p.regular;
        for (size_t g = 1; g <= groups; ++g) out.insert(digits.size() - g * p.regular, 1, p.groups[0].second);
      } else {
        std::vector<std::pair<int, char>> groups = p.groups;
        std::sort(groups.begin(), groups.end());
        for (const auto& [from_right, separator] : groups)  // the rightmost first
          if (static_cast<size_t>(from_right) < digits.size()) out.insert(digits.size() - from_right, 1, separator);
      }
      if (p.ordinal) out += ordinal_suffix(digits);
      break;
    }
  }
  return negative ? "-" + out : out;
}

double parse_integer(const std::string& text, const std::string& picture) {
  IntegerPicture p = integer_picture("parseInteger", picture);
  auto mismatch = [&]() -> double { fail("$parseInteger: '" + text + "' does not match the picture '" + picture + "'"); };
  std::string s = text;
  bool negative = !s.empty() && s[0] == '-';
  if (negative) s.erase(0, 1);
  double value = 0;
  switch (p.kind) {
    case IntegerPicture::Words: {
      std::vector<int64_t> segs{0};
      std::string word;
      bool any = false;
      auto flush = [&] {
        if (word.empty()) return;
        std::string w = apply_case(word, IntegerPicture::Lower);
        word.clear();
        if (w == "and") return;
        auto it = word_values().find(w);
        if (it == word_values().end()) mismatch();
        any = true;
        int64_t v = it->second;
        if (v < 100) {
          int64_t top = segs.back();
          segs.pop_back();
          if (top >= 1000) segs.push_back(top), top = 0;
          segs.push_back(top + v);
        } else {
          if (segs.back() > static_cast<int64_t>(kMaxInteger) / v) mismatch();
          segs.back() *= v;
        }
      };
      for (char c : s) {
        if (std::isalpha(static_cast<unsigned char>(c))) word += c;
        else if (c == ' ' || c == ',' || c == '-') flush();
        else mismatch();
      }
      flush();
      if (!any) mismatch();
      for (int64_t v : segs) value += static_cast<double>(v);
      break;
    }
    case IntegerPicture::Roman: {
      std::string u = apply_case(s, IntegerPicture::Upper);
      if (u.empty() || u.size() > 200) mismatch();
      auto digit = [&](char c) -> int {
        for (const auto& [v, letters] : kRoman)
          if (letters[1] == '\0' && letters[0] == c) return v;
        return mismatch(), 0;
      };
      for (size_t i = 0; i < u.size(); ++i) {
        int v = digit(u[i]);
        value += i + 1 < u.size() && digit(u[i + 1]) > v ? -v : v;
      }
      break;
    }
    case IntegerPicture::Letters: {
      std::string l = apply_case(s, IntegerPicture::Lower);
      if (l.empty() || l.size() > 10) mismatch();
      for (char c : l) {
        if (c < 'a' || c > 'z') mismatch();
        value = value * 26 + (c - 'a' + 1);
      }
      break;
    }
    case IntegerPicture::Decimal: {
      if (p.ordinal) {
        if (s.size() < 3) mismatch();
        s.resize(s.size() - 2);
      }
      std::string digits;
      for (char c : s)
        if (p.separators.find(c) == std::string::npos) digits += c;
      if (digits.empty() || digits.size() > 15) mismatch();
      for (char c : digits)
        if (!std::isdigit(static_cast<unsigned char>(c))) mismatch();
      value = std::strtod(digits.c_str(), nullptr);
      break;
    }
  }
  return negative ? -value : value;
}

std::string format_number(double value, const std::string& picture, const json& options) {
  Format f = decimal_format(options);
  std::u32string pic = decode(picture);
  std::vector<std::u32string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= pic.size(); ++i)
    if (i == pic.size() || pic[i] == f.pattern) parts.push_back(pic.substr(start, i - start)), start = i + 1;
  if (parts.size() > 2)
    fail("$formatNumber: the picture string must not contain more than one instance of the 'pattern-separator' character");
  if (parts.size() == 1) parts.push_back(f.minus + parts[0]);
  SubPicture positive = sub_picture(parts[0], f), negative = sub_picture(parts[1], f);
  const SubPicture& s = value >= 0 ? positive : negative;
  double v = std::fabs(value);
  if (s.percent) v = shift(v, 2);
  if (s.per_mille) v = shift(v, 3);
  if (s.max_frac > 100 || s.min_int > 100) fail("$formatNumber: too many digits in the picture");
  int exponent = 0;
  if (s.has_exponent && v != 0) {
    double max = std::pow(10.0, s.scaling), min = std::pow(10.0, s.scaling - 1);
    for (int i = 0; v < min && i < 400; ++i) v = shift(v, 1), --exponent;
    for (int i = 0; v >= max && i < 400; ++i) v = shift(v, -1), ++exponent;
  }
  if (v >= 1e300) fail("$formatNumber: the number is too large");
  double rounded = round_decimal(v, s.max_frac);
  std::vector<char> buf(420);
  std::snprintf(buf.data(), buf.size(), "%.*f", s.max_frac, rounded);
  std::u32string str;
  for (const char* c = buf.data(); *c; ++c) str.push_back(*c == '.' ? f.decimal : f.zero + (*c - '0'));
  if (str.find(f.decimal) == std::u32string::npos) str.push_back(f.decimal);
  while (!str.empty() && str.front() == f.zero) str.erase(0, 1);
  while (!str.empty() && str.back() == f.zero) str.pop_back();
  size_t dpos = str.find(f.decimal);
  if (static_cast<int>(dpos) < s.min_int) str.insert(0, s.min_int - dpos, f.zero);
  dpos = str.find(f.decimal);
  int frac = static_cast<int>(str.size() - dpos - 1);
  if (frac < s.min_frac) str.append(s.min_frac - frac, f.zero);
  if (s.regular > 0) {
    for (size_t g = 1; dpos > 0 && g <= (dpos - 1) / s.regular; ++g) str.insert(dpos - g * s.regular, 1, f.grouping);
  } else {
    std::vector<int> groups = s.int_groups;
    std::sort(groups.begin(), groups.end());
    for (int g : groups)
      if (static_cast<size_t>(g) < dpos) str.insert(dpos - g, 1, f.grouping);
  }
  dpos = str.find(f.decimal);
  std::vector<int> fgroups = s.frac_groups;
  std::sort(fgroups.rbegin(), fgroups.rend());
  for (int g : fgroups)
    if (dpos + g + 1 < str.size()) str.insert(dpos + g + 1, 1, f.grouping);
  dpos = str.find(f.decimal);
  if (s.max_frac == 0 || dpos == str.size() - 1) str.erase(dpos, 1);
  if (s.has_exponent) {
    std::u32string e;
    for (char c : std::to_string(std::abs(exponent))) e.push_back(f.zero + (c - '0'));
    if (static_cast<int>(e.size()) < s.min_exp) e.insert(0, s.min_exp - e.size(), f.zero);
    str += f.exponent;
    if (exponent < 0) str += f.minus;
    str += e;
  }
  return encode(s.prefix + str + s.suffix);
}

}  // namespace awan::stepfunctions::jsonata::numbers
