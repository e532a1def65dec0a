#include "dynamodb/number.hpp"

#include <algorithm>

namespace awan::dynamodb {

namespace {
constexpr int kMaxDigits = 38;

void normalise(Number& n) {
  size_t lead = 0;
  while (lead < n.digits.size() && n.digits[lead] == '0') ++lead;
  if (lead > 0) {
    n.digits.erase(0, lead);
    n.exponent -= static_cast<int>(lead);
  }
  while (!n.digits.empty() && n.digits.back() == '0') n.digits.pop_back();
  if (n.digits.empty()) {
    n.negative = false;
    n.exponent = 0;
  }
}

// Magnitude comparison of two normalised non-zero numbers.
int compare_magnitude(const Number& a, const Number& b) {
  if (a.exponent != b.exponent) return a.exponent < b.exponent ? -1 : 1;
  int c = a.digits.compare(b.digits);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// Digit string of |n| as an integer scaled by 10^-scale (scale <= exponent - digits.size()).
std::string scaled(const Number& n, int scale) {
  std::string s = n.digits;
  int low = n.exponent - static_cast<int>(n.digits.size());
  s.append(static_cast<size_t>(low - scale), '0');
  return s;
}

std::string add_digits(const std::string& a, const std::string& b) {
  std::string r;
  int carry = 0;
  size_t i = a.size(), j = b.size();
  while (i > 0 || j > 0 || carry) {
    int d = carry;
    if (i > 0) d += a[--i] - '0';
    if (j > 0) d += b[--j] - '0';
    r.push_back(static_cast<char>('0' + d % 10));
    carry = d / 10;
  }
  std::reverse(r.begin(), r.end());
  return r;
}

// a - b with a >= b (as integers, same scale, no leading zeros assumed irrelevant).
std::string sub_digits(const std::string& a, const std::string& b) {
  std::string r;
  int borrow = 0;
  size_t i = a.size(), j = b.size();
  while (i > 0) {
    int d = (a[--i] - '0') - borrow - (j > 0 ? b[--j] - '0' : 0);
    borrow = d < 0 ? 1 : 0;
    if (d < 0) d += 10;
    r.push_back(static_cast<char>('0' + d));
  }
  std::reverse(r.begin(), r.end());
  return r;
}

int compare_int_strings(const std::string& a, const std::string& b) {
  size_t ia = a.find_first_not_of('0'), ib = b.find_first_not_of('0');
  std::string_view va = ia == std::string::npos ? std::string_view() : std::string_view(a).substr(ia);
  std::string_view vb = ib == std::string::npos ? std::string_view() : std::string_view(b).substr(ib);
  if (va.size() != vb.size()) return va.size() < vb.size() ? -1 : 1;
  int c = va.compare(vb);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}
}  // namespace

bool parse_number_syntax(std::string_view t, Number& out) {
  out = Number{};
  size_t i = 0;
  if (i < t.size() && (t[i] == '+' || t[i] == '-')) {
    out.negative = t[i] == '-';
    ++i;
  }
  std::string digits;
  int point_pos = -1;
  size_t ndigits = 0;
  for (; i < t.size(); ++i) {
    char c = t[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
      ++ndigits;
    } else if (c == '.' && point_pos < 0) {
      point_pos = static_cast<int>(digits.size());
    } else {
      break;
    }
  }
  if (ndigits == 0) return false;
  long long exp = 0;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) {
      eneg = t[i] == '-';
      ++i;
    }
    size_t start = i;
    for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) {
      if (exp < 1'000'000'000) exp = exp * 10 + (t[i] - '0');
    }
    if (i == start) return false;
    if (eneg) exp = -exp;
  }
  if (i != t.size()) return false;
  if (point_pos < 0) point_pos = static_cast<int>(digits.size());
  out.digits = std::move(digits);
  long long e = static_cast<long long>(point_pos) + exp;
  if (e > 100'000'000) e = 100'000'000;
  if (e < -100'000'000) e = -100'000'000;
  out.exponent = static_cast<int>(e);
  normalise(out);
  return true;
}

std::optional<std::string> check_number(const Number& n) {
  if (n.is_zero()) return std::nullopt;
  int sci = n.exponent - 1;  // d.ddd x 10^sci
  if (sci > 125) return std::string("Number overflow. Attempting to store a number with magnitude larger than supported range");
  if (sci < -130)
    return std::string("Number underflow. Attempting to store a number with magnitude smaller than supported range");
  if (n.digits.size() > static_cast<size_t>(kMaxDigits))
    return std::string("Attempting to store more than 38 significant digits in a Number");
  return std::nullopt;
}

std::optional<std::string> check_sum(const Number& n) {
  // DynamoDB does not round a sum: one that needs more than 38 digits is refused, in the words
  // it uses for a magnitude overflow.
  if (n.digits.size() > static_cast<size_t>(kMaxDigits) && n.exponent - 1 >= -130)
    return std::string("Number overflow. Attempting to store a number with magnitude larger than supported range");
  return check_number(n);
}

std::optional<std::string> parse_number(std::string_view text, Number& out) {
  if (text.empty()) return std::string("The parameter cannot be converted to a numeric value");
  if (!parse_number_syntax(text, out))
    return "The parameter cannot be converted to a numeric value: " + std::string(text);
  return check_number(out);
}

std::string format_number(const Number& n) {
  if (n.is_zero()) return "0";
  std::string s;
  if (n.negative) s.push_back('-');
  int len = static_cast<int>(n.digits.size());
  if (n.exponent <= 0) {
    s += "0.";
    s.append(static_cast<size_t>(-n.exponent), '0');
    s += n.digits;
  } else if (n.exponent >= len) {
    s += n.digits;
    s.append(static_cast<size_t>(n.exponent - len), '0');
  } else {
    s.append(n.digits, 0, static_cast<size_t>(n.exponent));
    s.push_back('.');
    s.append(n.digits, static_cast<size_t>(n.exponent), std::string::npos);
  }
  return s;
}

int compare_numbers(const Number& a, const Number& b) {
  int sa = a.is_zero() ? 0 : (a.negative ? -1 : 1);
  int sb = b.is_zero() ? 0 : (b.negative ? -1 : 1);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  int m = compare_magnitude(a, b);
  return sa > 0 ? m : -m;
}

Number negate_number(Number n) {
  if (!n.is_zero()) n.negative = !n.negative;
  return n;
}

Number add_numbers(const Number& a, const Number& b) {
  if (a.is_zero()) return b;
  if (b.is_zero()) return a;
  int scale = std::min(a.exponent - static_cast<int>(a.digits.size()), b.exponent - static_cast<int>(b.digits.size()));
  std::string x = scaled(a, scale), y = scaled(b, scale);
  Number r;
  std::string sum;
  if (a.negative == b.negative) {
    sum = add_digits(x, y);
    r.negative = a.negative;
  } else {
    int c = compare_int_strings(x, y);
    if (c == 0) return Number{};
    if (c > 0) {
      sum = sub_digits(x, y);
      r.negative = a.negative;
    } else {
      sum = sub_digits(y, x);
      r.negative = b.negative;
    }
  }
  r.digits = sum;
  r.exponent = static_cast<int>(sum.size()) + scale;
  normalise(r);
  return r;
}

size_t number_size(const Number& n) {
  if (n.is_zero()) return 1;
  // Base-100 digits aligned on the decimal point.
  size_t len = n.digits.size();
  if (n.exponent % 2 != 0) ++len;  // a leading half pair
  size_t pairs = (len + 1) / 2;
  return 1 + pairs;
}

std::optional<std::string> canonical_number(std::string_view text) {
  Number n;
  // In DynamoDB's range only: the syntax alone admits exponents whose text would be 10^8 zeros.
  if (parse_number(text, n)) return std::nullopt;
  return format_number(n);
}

}  // namespace awan::dynamodb
